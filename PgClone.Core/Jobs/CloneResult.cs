using PgClone.Core.Catalog;

namespace PgClone.Core.Jobs;

/// <summary>Wall-clock time of one phase of a run.</summary>
public sealed record PhaseTiming(JobPhase Phase, TimeSpan Elapsed);

/// <summary>What happened to one table's data.</summary>
public sealed record TableResult(QualifiedName Table, long Rows, long Bytes, TimeSpan Elapsed)
{
    /// <summary>The job that copied it (and so the snapshot it was read in): an earlier job for tables a resume kept.</summary>
    public string? CopiedByJob { get; init; }
}

/// <summary>The summary of a finished clone: per table and totals, plus what was deliberately left out.</summary>
public sealed record CloneResult(
    CloneOperation Operation,
    IReadOnlyList<TableResult> Tables,
    IReadOnlyList<string> Skipped,
    TimeSpan Elapsed)
{
    /// <summary>How the note naming the run's exported source snapshot begins (the console's evidence page reads it).</summary>
    public const string SnapshotNote = "source snapshot ";
    /// <summary>How the masking proof's note begins.</summary>
    public const string ProofNote = "masking proof:";

    public long Rows => Tables.Sum(t => t.Rows);
    public long Bytes => Tables.Sum(t => t.Bytes);
    /// <summary>Free-form lines the run wants the user to read (e.g. masking proof, snapshot notes).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>Wall-clock time per phase (planning, schema, data, indexes, ...), in the order they ran.</summary>
    public IReadOnlyList<PhaseTiming> Phases { get; init; } = [];
    public string? JobId { get; init; }
    /// <summary>With the subset option: how each table was reached and how many rows were chosen.</summary>
    public Subsetting.SubsetReport? Subset { get; init; }
}
