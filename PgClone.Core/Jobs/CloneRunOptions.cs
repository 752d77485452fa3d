using Npgsql;
using PgClone.Core.Ddl;
using PgClone.Core.Masking;

namespace PgClone.Core.Jobs;

/// <summary>Builds the plan of a request (the catalog/DDL planner; tests may hand in a plan of their own).</summary>
public delegate Task<ClonePlan> PlanProvider(CloneRequest request, NpgsqlConnection source, NpgsqlConnection target, IColumnMasker? masker, CancellationToken ct);

/// <summary>How one run is observed, recorded and tuned. Everything is optional.</summary>
public sealed record CloneRunOptions
{
    /// <summary>The job's id (shown in application_name and checkpoints); a new one when null.</summary>
    public string? JobId { get; init; }
    /// <summary>Receives progress snapshots in order, at most ~5 per second, then the exact final state.</summary>
    public Action<JobProgress>? OnProgress { get; init; }
    public ICheckpointStore? Checkpoints { get; init; }
    /// <summary>The checkpoint of a failed or cancelled job to finish: its plan is replayed, its copied tables kept.</summary>
    public JobCheckpoint? ResumeFrom { get; init; }
    /// <summary>Tables estimated larger than this are copied in ranges by several workers at once.</summary>
    public long SplitTablesLargerThan { get; init; } = 1L << 30;
    /// <summary>
    /// Tables created by the run and estimated above this size load with COPY FREEZE in the transaction that creates
    /// or truncates them (rows arrive frozen: no later VACUUM pass). Below it a plain COPY is cheaper: the TRUNCATE's
    /// new files, or the visibility map fork FREEZE writes, cost more than freezing a few pages saves (benchmark, tiny
    /// case: the target's work per 20-row table 12 % less without FREEZE).
    /// </summary>
    public long FreezeTablesLargerThan { get; init; } = 4L << 20;
    /// <summary>
    /// Tables masked on the stream (the engine's CPU work) and estimated above this size are copied in at least
    /// <c>parallel</c> ranges, so that every worker masks. The lead table (the largest, counting a slow index as
    /// larger, when it has one) above this size is copied by all workers at once too, in <c>parallel</c> ranges:
    /// its slow build is the run's critical path and starts as soon as its data is in (benchmark, full case: the
    /// GIN build started after 4.7 s instead of 7-8.5 s, while one COPY shared the machine with the other tables';
    /// spreading it over 32 MB ranges instead interleaved them with the other tables and was slower).
    /// </summary>
    public long SpreadTablesLargerThan { get; init; } = 32L << 20;
    /// <summary>
    /// A table loaded whole in one transaction (created or emptied by it) and estimated at most this size gets its own
    /// indexes, keys and ANALYZE in that transaction, in one round trip, instead of as steps handed to any worker
    /// (benchmark, tiny case: five round trips and four commits fewer per table).
    /// </summary>
    public long StepsInCopyTransactionUpTo { get; init; } = 4L << 20;
    /// <summary>
    /// Tables a worker creates and loads whole, each at most <see cref="StepsInCopyTransactionUpTo"/> and
    /// <see cref="FreezeTablesLargerThan"/>, share a transaction up to this many (1: each its own). Two sessions
    /// creating tables at once each take in the other's catalog invalidations at every commit (benchmark, tiny case:
    /// the data phase 0.77 against 0.82 s, and 1.09 against 1.19 s in a slow spell, with 16). At most 16: each table's
    /// savepoint and its steps' take a subtransaction id, and past 64 in one transaction every snapshot taken on the
    /// server meanwhile looks them up in pg_subtrans.
    /// </summary>
    public int TablesPerTransaction { get; init; } = 16;
    /// <summary>
    /// How long a transaction of several tables (<see cref="TablesPerTransaction"/>) stays open for more: a table shows
    /// as done, and is kept by a resume after a crash, only once its transaction commits. A tiny table takes a few
    /// milliseconds; a slow one commits on its own.
    /// </summary>
    public TimeSpan TablesShareTransactionFor { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>
    /// A copy (a table, or a range of one) estimated above this size is watched for its target COPY failing while the
    /// source still streams (<see cref="CopyWatch"/>): one target session more while such a copy runs.
    /// </summary>
    public long WatchCopiesLargerThan { get; init; } = 64L << 20;
    /// <summary>At most this many ranges per table.</summary>
    public int MaxRangesPerTable { get; init; } = 64;
    /// <summary>
    /// maintenance_work_mem of the target sessions, and the most an index build after a table's load gets (each is
    /// sized to its table: <see cref="BuildMemory"/>).
    /// </summary>
    public long MaxBuildMemory { get; init; } = 512L << 20;
    public int MaxParallelMaintenanceWorkers { get; init; } = 2;
    public PlanProvider Planner { get; init; } = ClonePlanner.PlanAsync;
    /// <summary>Run the preflight checks before anything changes and refuse to start on a blocker (with the default planner; not on resume).</summary>
    public bool Preflight { get; init; } = true;

    public static string NewJobId() => Guid.NewGuid().ToString("N")[..12];
}
