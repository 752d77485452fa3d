using PgClone.Web.Runs;
using Quartz;

namespace PgClone.Web.Schedules;

/// <summary>Cron expressions and time zones: validation, the next firings, the words.</summary>
public static class ScheduleClock
{
    public static TimeZoneInfo Zone(string id)
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new RunRejectedException(RunRejection.Invalid, $"unknown time zone '{id}': use an IANA name such as Europe/Paris or UTC");
        }
    }

    public static CronExpression Parse(string cron, TimeZoneInfo zone)
    {
        try { return new CronExpression(cron.Trim(), zone); }
        catch (FormatException e)
        {
            throw new RunRejectedException(RunRejection.Invalid, $"invalid cron expression '{cron}': {e.Message} (Quartz form: seconds minutes hours day-of-month month day-of-week [year], e.g. 0 30 2 * * ?)");
        }
    }

    /// <summary>The expression in words and its next <paramref name="count"/> firings after <paramref name="after"/>, in the zone's local time.</summary>
    public static CronPreview Preview(string cron, string timeZone, DateTimeOffset after, int count = 5)
    {
        var zone = Zone(timeZone);
        var expression = Parse(cron, zone);
        var next = new List<DateTimeOffset>();
        for (var at = expression.GetNextValidTimeAfter(after); at is { } t && next.Count < count; at = expression.GetNextValidTimeAfter(t))
            next.Add(TimeZoneInfo.ConvertTime(t, zone));
        if (next.Count == 0) throw new RunRejectedException(RunRejection.Invalid, $"cron expression '{cron}' never fires after {after:u}");
        return new CronPreview(CronDescriber.Describe(cron), next);
    }
}
