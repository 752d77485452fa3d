using System.Globalization;

namespace PgClone.Core;

/// <summary>Counts in messages as people write them: "1 table", "3 tables", "1,200 rows", never "table(s)".</summary>
public static class Words
{
    /// <summary>The count (with thousands separators) and its noun: <c>Count(1, "table")</c> is "1 table".</summary>
    public static string Count(long n, string singular, string? plural = null) =>
        $"{n.ToString("N0", CultureInfo.InvariantCulture)} {Noun(n, singular, plural)}";

    /// <summary>The noun alone, singular for one: <c>Noun(2, "schema")</c> is "schemas".</summary>
    public static string Noun(long n, string singular, string? plural = null) => n == 1 ? singular : plural ?? singular + "s";
}
