namespace PgClone.Core.Verification;

/// <summary>fast = planner estimates (pg_class.reltuples); exact = count(*); checksum = count and an order-independent content hash.</summary>
public enum VerifyMode { Fast, Exact, Checksum }

public enum VerifyStatus { Match, Mismatch, MissingOnTarget, OnlyOnTarget, Unknown }

/// <summary>
/// What to verify. ExcludeColumns names columns to leave out of checksums (masked columns differ by design):
/// <c>column</c> (in every table), <c>table.column</c> or <c>schema.table.column</c>.
/// </summary>
public sealed record VerifyOptions
{
    public string? Schema { get; init; }
    public VerifyMode Mode { get; init; } = VerifyMode.Exact;
    public IReadOnlyList<string> ExcludeColumns { get; init; } = [];
}

/// <summary>One table's comparison. Rows are null where the table is absent or an estimate is unavailable.</summary>
public sealed record TableVerification(
    string Schema,
    string Table,
    long? SourceRows,
    long? TargetRows,
    VerifyStatus Status,
    string? SourceChecksum = null,
    string? TargetChecksum = null,
    IReadOnlyList<string>? ExcludedColumns = null,
    string? Note = null)
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
}
