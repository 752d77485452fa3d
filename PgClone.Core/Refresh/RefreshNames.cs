using System.Globalization;
using System.Text.RegularExpressions;
using PgClone.Core.Connections;

namespace PgClone.Core.Refresh;

/// <summary>
/// The names a refresh gives databases: <c>live_shadow_&lt;stamp&gt;</c> while it is built and
/// <c>live_prev_&lt;stamp&gt;</c> once replaced, the live name cut so the whole fits in 63 bytes. The stamp
/// (UTC, to the second) orders the previous copies.
/// </summary>
public static partial class RefreshNames
{
    private const string StampFormat = "yyyyMMddHHmmss";

    public static string Shadow(string live, DateTimeOffset at) => PgName.WithSuffix(live, "_shadow_" + Stamp(at));

    public static string Previous(string live, DateTimeOffset at) => PgName.WithSuffix(live, "_prev_" + Stamp(at));

    /// <summary>Whether <paramref name="database"/> is one of this live database's previous copies.</summary>
    public static bool IsPrevious(string live, string database) => Is(live, database, "_prev_");

    /// <summary>Whether <paramref name="database"/> is a shadow of this live database (a refresh that did not finish).</summary>
    public static bool IsShadow(string live, string database) => Is(live, database, "_shadow_");

    private static bool Is(string live, string database, string kind)
    {
        var prefix = PgName.Truncate(live, PgName.MaxBytes - System.Text.Encoding.UTF8.GetByteCount(kind) - StampFormat.Length) + kind;
        return database.StartsWith(prefix, StringComparison.Ordinal) && StampPattern().IsMatch(database[prefix.Length..]);
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d{14}$")]
    private static partial Regex StampPattern();
}
