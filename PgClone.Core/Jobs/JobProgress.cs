using System.Text.Json.Serialization;

namespace PgClone.Core.Jobs;

[JsonConverter(typeof(JsonStringEnumConverter<JobStatus>))]
public enum JobStatus
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
}

[JsonConverter(typeof(JsonStringEnumConverter<JobPhase>))]
public enum JobPhase
{
    [JsonStringEnumMemberName("planning")] Planning,
    [JsonStringEnumMemberName("schema")] Schema,
    [JsonStringEnumMemberName("copying data")] CopyingData,
    [JsonStringEnumMemberName("indexes")] Indexes,
    [JsonStringEnumMemberName("constraints")] Constraints,
    [JsonStringEnumMemberName("triggers")] Triggers,
    [JsonStringEnumMemberName("verifying")] Verifying,
}

/// <summary>What one worker is copying right now (Table is null when it is idle).</summary>
public sealed record WorkerProgress(int Worker, string? Table, long Rows);

/// <summary>One index being built on the target, from pg_stat_progress_create_index.</summary>
public sealed record IndexBuildProgress(string Index, string Phase, long BlocksDone, long BlocksTotal, long TuplesDone, long TuplesTotal);

/// <summary>
/// The state of one clone job at one moment: the single progress type the command line, the web console,
/// its live updates and its REST API all show. Immutable; a job publishes a new one at most ~5 times a second
/// and always once more with its exact final state.
/// </summary>
public sealed record JobProgress
{
    public required string JobId { get; init; }
    public required CloneOperation Operation { get; init; }
    public JobStatus Status { get; init; }
    public JobPhase Phase { get; init; }
    public int TablesTotal { get; init; }
    public int TablesCompleted { get; init; }
    public int TablesFailed { get; init; }
    public long RowsCopied { get; init; }
    public long BytesCopied { get; init; }
    /// <summary>Planner's estimate of the bytes to copy (for the time left).</summary>
    public long BytesEstimated { get; init; }
    /// <summary>DDL steps of the current phase (schema, indexes, constraints, triggers).</summary>
    public int StepsTotal { get; init; }
    public int StepsCompleted { get; init; }
    public IReadOnlyList<WorkerProgress> Workers { get; init; } = [];
    public IReadOnlyList<IndexBuildProgress> IndexBuilds { get; init; } = [];
    public TimeSpan Elapsed { get; init; }
    /// <summary>Bytes per second over the data phase so far.</summary>
    public double BytesPerSecond { get; init; }
    public double RowsPerSecond { get; init; }
    /// <summary>Estimated time left in the data phase, when it can be estimated.</summary>
    public TimeSpan? EstimatedTimeLeft { get; init; }
    public string? Error { get; init; }

    public bool IsFinished => Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>The phase as people read it ("copying data"), the same text as its JSON form.</summary>
    public static string PhaseName(JobPhase phase) => phase switch
    {
        JobPhase.CopyingData => "copying data",
        _ => phase.ToString().ToLowerInvariant(),
    };
}
