using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>Checkpoints kept in memory: resume within one process (the job manager's default).</summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly Dictionary<string, JobCheckpoint> _jobs = new(StringComparer.Ordinal);
    private string? _latest;

    public Task BeginAsync(JobCheckpoint job, CancellationToken ct) =>
        Change(() => { _jobs[job.JobId] = Copy(job); _latest = job.JobId; });

    public Task SavePlanAsync(string jobId, ClonePlan plan, CancellationToken ct) =>
        Change(() => { if (_jobs.TryGetValue(jobId, out var j)) _jobs[jobId] = j with { Plan = plan }; });

    public Task TableCopiedAsync(string jobId, TableCheckpoint table, CancellationToken ct) =>
        Change(() => { if (_jobs.TryGetValue(jobId, out var j)) j.Tables[table.Table] = table; });

    public Task StepDoneAsync(string jobId, string step, CancellationToken ct) =>
        Change(() => { if (_jobs.TryGetValue(jobId, out var j)) j.Steps.Add(step); });

    public Task StepPendingAsync(string jobId, PendingStep step, CancellationToken ct) =>
        Change(() => { if (_jobs.TryGetValue(jobId, out var j)) j.Pending[step.Step] = step; });

    public Task FinishAsync(string jobId, JobStatus status, string? error, CancellationToken ct) =>
        Change(() => { if (_jobs.TryGetValue(jobId, out var j)) _jobs[jobId] = j with { Status = status, Error = error }; });

    public Task<JobCheckpoint?> LoadAsync(string jobId, CancellationToken ct)
    {
        lock (_jobs) return Task.FromResult(_jobs.TryGetValue(jobId, out var j) ? Copy(j) : null);
    }

    public Task<JobCheckpoint?> LatestAsync(CancellationToken ct)
    {
        lock (_jobs) return Task.FromResult(_latest is null ? null : Copy(_jobs[_latest]));
    }

    private Task Change(Action change)
    {
        lock (_jobs) change();
        return Task.CompletedTask;
    }

    private static JobCheckpoint Copy(JobCheckpoint j) => j with { Tables = new(j.Tables), Steps = [.. j.Steps], Pending = new(j.Pending) };
}
