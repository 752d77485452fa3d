using PgClone.Web.Runs;

namespace PgClone.Web.Components.Shared;

/// <summary>The progress record of a run as the database last stored it, for runs with no live update yet (or finished).</summary>
public static class RunProgressOf
{
    public static RunProgress Summary(RunSummary r) => new()
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
        ElapsedSeconds = r.StartedAt is { } started ? ((r.FinishedAt ?? DateTimeOffset.UtcNow) - started).TotalSeconds : 0,
        Error = r.Error,
    };
}
