using System.Globalization;

namespace PgClone.Web.Components.Shared;

/// <summary>How the console writes numbers, sizes and durations: one place, so every page reads alike.</summary>
public static class Format
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;
    private static readonly string[] Units = ["kB", "MB", "GB", "TB", "PB"];

    /// <summary>1,234,567</summary>
    public static string Count(long n) => n.ToString("N0", Culture);

    /// <summary>Sizes as PostgreSQL's pg_size_pretty writes them (1024-based): 512 bytes, 1.5 kB, 120.3 MB.</summary>
    public static string Bytes(double bytes)
    {
        if (Math.Abs(bytes) < 1024) return $"{bytes.ToString("0", Culture)} bytes";
        var unit = -1;
        do { bytes /= 1024; unit++; } while (Math.Abs(bytes) >= 1024 && unit < Units.Length - 1);
        return $"{bytes.ToString(bytes < 10 ? "0.0" : "0", Culture)} {Units[unit]}";
    }

    public static string Rate(double bytesPerSecond) => $"{Bytes(bytesPerSecond)}/s";

    /// <summary>45s, 2m 05s, 1h 02m, 3d 04h.</summary>
    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays}d {t.Hours:00}h"
            : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes:00}m"
            : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m {t.Seconds:00}s"
            : $"{t.Seconds}s";
    }

    /// <summary>A moment in the browser's terms is unknown on the server: UTC, to the minute, like the API.</summary>
    public static string When(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Culture) : "—";

    /// <summary>A time of day in UTC to the second, for "updated at" lines: 18:40:12 UTC.</summary>
    public static string Moment(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("HH:mm:ss 'UTC'", Culture) : "—";

    public static string Percent(double fraction) => $"{Math.Floor(Math.Clamp(fraction, 0, 1) * 100).ToString("0", Culture)}%";
}
