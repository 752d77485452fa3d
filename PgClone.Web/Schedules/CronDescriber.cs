using System.Globalization;

namespace PgClone.Web.Schedules;

/// <summary>
/// Quartz cron expressions in words ("At 02:30, Monday through Friday"). No cron-description package restores here,
/// so this covers the common forms: fixed times and lists of hours, every N seconds/minutes/hours (optionally within
/// an hour range), days of the week (names, numbers, ranges, lists, 6#3, 6L), days of the month (N, L, LW, 15W),
/// months and years. A field it does not know is described as written rather than guessed at.
/// </summary>
public static class CronDescriber
{
    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] DayCodes = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private static readonly string[] MonthCodes = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Ordinals = ["first", "second", "third", "fourth", "fifth"];

    /// <summary>The expression in words; call only with an expression Quartz accepts.</summary>
    public static string Describe(string expression)
    {
        var f = expression.Trim().ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (sec, min, hour, dom, month, dow) = (f[0], f[1], f[2], f[3], f[4], f[5]);
        var parts = new List<string> { Time(sec, min, hour) };
        if (Days(dom, dow) is { } days) parts.Add(days);
        if (month != "*" && month != "?") parts.Add("in " + List(month, Month));
        if (f.Length > 6 && f[6] != "*") parts.Add("in " + List(f[6], y => y));
        var text = string.Join(", ", parts);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    private static string Time(string sec, string min, string hour)
    {
        if (IsNumber(sec) && IsNumber(min) && IsNumberList(hour))
            return "at " + Join(hour.Split(',').Select(h => Clock(h, min, sec)).ToList());
        if (Step(sec) is { } s && min == "*" && hour == "*") return $"every {Plural(s, "second")}";
        if (IsNumber(sec) && Step(min) is { } m)
            return $"every {Plural(m, "minute")}" + (hour == "*" ? "" : HourRange(hour));
        if (IsNumber(sec) && min == "*") return "every minute" + (hour == "*" ? "" : HourRange(hour));
        if (IsNumber(sec) && IsNumber(min) && Step(hour) is { } h)
            return $"every {Plural(h, "hour")} at minute {int.Parse(min, CultureInfo.InvariantCulture)}";
        if (IsNumber(sec) && IsNumber(min) && hour == "*") return $"at minute {int.Parse(min, CultureInfo.InvariantCulture)} of every hour";
        return $"at second {Field(sec)}, minute {Field(min)}, hour {Field(hour)}";
    }

    private static string? Days(string dom, string dow)
    {
        var anyDom = dom is "*" or "?";
        var anyDow = dow is "*" or "?";
        if (anyDom && anyDow) return "every day";
        if (!anyDow)
        {
            if (dow.Contains('#'))
            {
                var p = dow.Split('#');
                return $"on the {Ordinals[int.Parse(p[1], CultureInfo.InvariantCulture) - 1]} {Day(p[0])} of the month";
            }
            if (dow.EndsWith('L') && dow.Length > 1) return $"on the last {Day(dow[..^1])} of the month";
            return dow is "MON-FRI" or "2-6" ? "Monday through Friday" : "on " + List(dow, Day);
        }
        return dom switch
        {
            "L" => "on the last day of the month",
            "LW" => "on the last weekday of the month",
            _ when dom.EndsWith('W') => $"on the weekday nearest day {dom[..^1]} of the month",
            _ when dom.StartsWith("L-", StringComparison.Ordinal) => $"{dom[2..]} days before the last day of the month",
            _ => "on day " + List(dom, d => d) + " of the month",
        };
    }

    /// <summary>"a-b" → "a through b", "a,b,c" → "a, b and c", "a/n" → "every n from a", each item named by <paramref name="name"/>.</summary>
    private static string List(string field, Func<string, string> name)
    {
        if (field.Contains('/'))
        {
            var p = field.Split('/');
            return $"every {p[1]} from {(p[0] is "*" or "?" ? name("0") : name(p[0]))}";
        }
        return Join(field.Split(',').Select(item => item.Contains('-')
            ? $"{name(item.Split('-')[0])} through {name(item.Split('-')[1])}"
            : name(item)).ToList());
    }

    private static string HourRange(string hour)
    {
        if (hour.Contains('-') && !hour.Contains(',') && !hour.Contains('/'))
        {
            var p = hour.Split('-');
            return $", between {Clock(p[0], "0", "0")} and {Clock(p[1], "59", "0")}";
        }
        return IsNumberList(hour) ? $", during hour {Join(hour.Split(',').ToList())}" : $", hours {Field(hour)}";
    }

    private static string Clock(string hour, string min, string sec)
    {
        var (h, m, s) = (int.Parse(hour, CultureInfo.InvariantCulture), int.Parse(min, CultureInfo.InvariantCulture), int.Parse(sec, CultureInfo.InvariantCulture));
        return s == 0 ? $"{h:00}:{m:00}" : $"{h:00}:{m:00}:{s:00}";
    }

    private static string Day(string d)
    {
        var i = Array.IndexOf(DayCodes, d);
        if (i >= 0) return DayNames[i];
        return int.TryParse(d, out var n) && n is >= 1 and <= 7 ? DayNames[n - 1] : d;
    }

    private static string Month(string m)
    {
        var i = Array.IndexOf(MonthCodes, m);
        if (i < 0 && int.TryParse(m, out var n) && n is >= 1 and <= 12) i = n - 1;
        return i >= 0 ? CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(i + 1) : m;
    }

    /// <summary>The step of "*/n" or "0/n", else null.</summary>
    private static int? Step(string field)
    {
        var p = field.Split('/');
        return p.Length == 2 && p[0] is "*" or "0" && int.TryParse(p[1], out var n) ? n : null;
    }

    private static string Field(string field) => field == "*" ? "every" : List(field, x => x);
    private static bool IsNumber(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
    private static bool IsNumberList(string s) => s.Split(',').All(IsNumber);
    private static string Plural(int n, string unit) => n == 1 ? unit : $"{n} {unit}s";

    private static string Join(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];
}
