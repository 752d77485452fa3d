namespace PgClone.Core.Verification;

/// <summary>fast = planner estimates (pg_class.reltuples); exact = count(*); checksum = count and an order-independent content hash.</summary>
public enum VerifyMode { Fast, Exact, Checksum }

public enum VerifyStatus { Match, Mismatch, MissingOnTarget, OnlyOnTarget, Unknown }

/// <summary>What an entry of a verification compares.</summary>
public enum VerifiedKind { Table, MaterializedView, Sequence, LargeObjects }

public static class VerifiedKinds
{
    /// <summary>The kind in words: "table", "materialized view", "sequence", "large objects".</summary>
    public static string Name(this VerifiedKind kind) => kind switch
    {
        VerifiedKind.MaterializedView => "materialized view",
        VerifiedKind.Sequence => "sequence",
        VerifiedKind.LargeObjects => "large objects",
        _ => "table",
    };
}

/// <summary>
/// What to verify. ExcludeColumns names columns to leave out of checksums (masked columns differ by design):
/// <c>column</c> (in every table), <c>table.column</c> or <c>schema.table.column</c> (the source's schema).
/// </summary>
public sealed record VerifyOptions
{
    public string? Schema { get; init; }
    /// <summary>
    /// The name <see cref="Schema"/> has on the target when it was cloned under another one (target_name): its tables
    /// are compared with the source schema's of the same names. Needs <see cref="Schema"/>.
    /// </summary>
    public string? TargetSchema { get; init; }
    /// <summary>Only this table of <see cref="Schema"/> (with its partitions), as after a table clone. Needs <see cref="Schema"/>.</summary>
    public string? Table { get; init; }
    /// <summary>The name <see cref="Table"/> has on the target when it was cloned under another one (target_name). Needs <see cref="Table"/>.</summary>
    public string? TargetTable { get; init; }
    public VerifyMode Mode { get; init; } = VerifyMode.Exact;
    public IReadOnlyList<string> ExcludeColumns { get; init; } = [];
}

/// <summary>
/// One table's (materialized view's, sequence's, or the large objects') comparison. Rows are null where the table is
/// absent or an estimate is unavailable, and for a sequence, whose state the note gives.
/// </summary>
public sealed record TableVerification(
    string Schema,
    string Table,
    long? SourceRows,
    long? TargetRows,
    VerifyStatus Status,
    string? SourceChecksum = null,
    string? TargetChecksum = null,
    IReadOnlyList<string>? ExcludedColumns = null,
    string? Note = null,
    VerifiedKind Kind = VerifiedKind.Table)
{
    public string Match => Status switch
    {
        VerifyStatus.Match => "✓",
        VerifyStatus.Mismatch => "✗",
        VerifyStatus.MissingOnTarget => "✗ (missing)",
        VerifyStatus.OnlyOnTarget => "✗ (only on target)",
        _ => "?",
    };
}

public sealed record VerifyResult(VerifyMode Mode, IReadOnlyList<TableVerification> Tables)
{
    /// <summary>Fast mode compares planner estimates, which is said wherever counts are shown.</summary>
    public bool Estimates => Mode == VerifyMode.Fast;

    /// <summary>No table mismatched, is missing, or exists only on the target (unknown estimates are not mismatches).</summary>
    public bool AllMatch => Tables.All(t => t.Status is VerifyStatus.Match or VerifyStatus.Unknown);

    /// <summary>One line for people: "3 tables and 2 sequences match", "1 of 3 tables differ", "2 of 5 (3 tables, 2 sequences) differ".</summary>
    public string Summary
    {
        get
        {
            var differing = Tables.Count(t => t.Status is not (VerifyStatus.Match or VerifyStatus.Unknown));
            var kinds = Tables.GroupBy(t => t.Kind).OrderBy(g => g.Key).Select(g => Counted(g.Key, g.Count())).ToList();
            if (kinds.Count == 0) return "nothing to compare: no table, materialized view or sequence";
            if (differing == 0)
                return $"{JoinAnd(kinds)} {(Tables.Count == 1 && Tables[0].Kind != VerifiedKind.LargeObjects ? "matches" : "match")}";
            return kinds.Count == 1 && Tables[0].Kind != VerifiedKind.LargeObjects
                ? $"{differing} of {kinds[0]} {(differing == 1 ? "differs" : "differ")}"
                : $"{differing} of {Tables.Count} ({string.Join(", ", kinds)}) {(differing == 1 ? "differs" : "differ")}";
        }
    }

    private static string Counted(VerifiedKind kind, int n) =>
        kind == VerifiedKind.LargeObjects ? "the large objects" : $"{n} {kind.Name()}{(n == 1 ? "" : "s")}";

    private static string JoinAnd(List<string> parts) =>
        parts.Count == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1];
}
