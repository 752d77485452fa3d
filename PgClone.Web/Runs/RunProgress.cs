using System.Text.Json;
using System.Text.Json.Serialization;
using PgClone.Core.Jobs;

namespace PgClone.Web.Runs;

/// <summary>What one engine worker copies now.</summary>
public sealed record RunWorker(int Worker, string? Table, long Rows);

/// <summary>
/// A run's live state: what the hub sends to browsers and API clients, what the in-process feed hands to
/// components, and (as compact JSON under 8000 bytes) what NOTIFY carries between console instances. Sent at
/// most 4 times a second per run, and always on a status change and with the final state.
/// </summary>
public sealed record RunProgress
{
    public required long RunId { get; init; }
    public required RunStatus Status { get; init; }
    /// <summary>The engine's phase as people read it ("copying data"), or null before the run starts.</summary>
    public string? Phase { get; init; }
    public string? QueueReason { get; init; }
    public int TablesTotal { get; init; }
    public int TablesCompleted { get; init; }
    public int TablesFailed { get; init; }
    public long Rows { get; init; }
    public long Bytes { get; init; }
    public long BytesEstimated { get; init; }
    public int StepsTotal { get; init; }
    public int StepsCompleted { get; init; }
    public double BytesPerSecond { get; init; }
    public double RowsPerSecond { get; init; }
    public double ElapsedSeconds { get; init; }
    public double? SecondsLeft { get; init; }
    public IReadOnlyList<RunWorker> Workers { get; init; } = [];
    public string? Error { get; init; }
    /// <summary>When the engine produced this state (Unix ms), so a watcher can measure the delay.</summary>
    public long At { get; init; }
    /// <summary>
    /// When the publisher's throttle let this state out (Unix ms, counted on a monotonic clock so that the gaps are
    /// exact): what the limit of messages per second applies to, whatever the network adds on the way.
    /// </summary>
    public long SentAt { get; init; }

    public bool IsFinished => Status.IsFinished();

    /// <summary>
    /// 0..1 of the current phase: while copying data, the bytes copied of the tables' size on disk, or the tables done
    /// when that is further (small tables copy a few hundred bytes out of an 8 kB page each: 10 of 23 read as 1 %);
    /// steps otherwise.
    /// </summary>
    [JsonIgnore]
    public double Fraction => Phase == JobProgress.PhaseName(JobPhase.CopyingData)
        ? Math.Max(BytesEstimated <= 0 ? 0 : Math.Min(1, (double)Bytes / Math.Max(Bytes, BytesEstimated)),
            TablesTotal <= 0 ? 0 : (double)TablesCompleted / TablesTotal)
        : Status == RunStatus.Succeeded ? 1 : StepsTotal <= 0 ? 0 : (double)StepsCompleted / StepsTotal;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// A run's state as the database last stored it: for a change of status made there, for watchers that join, and
    /// for runs with no live update yet (or finished).
    /// </summary>
    public static RunProgress From(RunSummary r, DateTimeOffset at) => new()
    {
        RunId = r.Id,
        Status = r.Status,
        Phase = r.Phase,
        QueueReason = r.QueueReason,
        TablesTotal = r.TablesTotal,
        TablesCompleted = r.TablesCompleted,
        TablesFailed = r.TablesFailed,
        Rows = r.Rows,
        Bytes = r.Bytes,
        BytesEstimated = r.BytesEstimated,
        ElapsedSeconds = r.StartedAt is { } started ? Math.Max(0, ((r.FinishedAt ?? at) - started).TotalSeconds) : 0,
        Error = r.Error,
        At = at.ToUnixTimeMilliseconds(),
    };

    /// <summary>A live state of the engine's job.</summary>
    public static RunProgress From(long runId, JobProgress p, DateTimeOffset at) => new()
    {
        RunId = runId,
        Status = p.Status switch
        {
            JobStatus.Completed => RunStatus.Succeeded,
            JobStatus.Failed => RunStatus.Failed,
            JobStatus.Cancelled => RunStatus.Cancelled,
            JobStatus.Pending => RunStatus.Queued,
            _ => RunStatus.Running,
        },
        Phase = JobProgress.PhaseName(p.Phase),
        TablesTotal = p.TablesTotal,
        TablesCompleted = p.TablesCompleted,
        TablesFailed = p.TablesFailed,
        Rows = p.RowsCopied,
        Bytes = p.BytesCopied,
        BytesEstimated = p.BytesEstimated,
        StepsTotal = p.StepsTotal,
        StepsCompleted = p.StepsCompleted,
        BytesPerSecond = Math.Round(p.BytesPerSecond, 1),
        RowsPerSecond = Math.Round(p.RowsPerSecond, 1),
        ElapsedSeconds = Math.Round(p.Elapsed.TotalSeconds, 3),
        SecondsLeft = p.EstimatedTimeLeft is { } left ? Math.Round(left.TotalSeconds, 1) : null,
        Workers = [.. p.Workers.Select(w => new RunWorker(w.Worker, w.Table, w.Rows))],
        Error = p.Error,
        At = at.ToUnixTimeMilliseconds(),
    };
}
