using System.Globalization;

namespace PgClone.Web.Components.Shared;

/// <summary>Schedule times as the schedules pages write them: in the schedule's own time zone, with its offset.</summary>
public static class ScheduleText
{
    /// <summary>2026-12-02 02:30 +01:00 (the instant as the schedule's time zone reads it).</summary>
    public static string Local(DateTimeOffset? at) =>
        at is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) : "—";

    /// <summary>An instant as the schedule's time zone reads it, so a schedule's firings and its runs read alike.</summary>
    public static DateTimeOffset In(DateTimeOffset at, string timeZone) => TimeZoneInfo.ConvertTime(at, PgClone.Web.Schedules.ScheduleClock.Zone(timeZone));
}
