using Microsoft.EntityFrameworkCore;
using PgClone.Web.Audit;
using PgClone.Web.Data;

namespace PgClone.Web.Runs;

/// <summary>
/// At start-up, once the scheduler runs: a run still queued or running whose Quartz job is gone has no instance
/// left to finish it (its job was lost with a store that was reset, or its instance died after the engine ended
/// but before the outcome was stored). It is marked interrupted, resumable. A run whose job still exists is left
/// alone: Quartz fires it, or its cluster recovery re-fires it on a live instance, and it resumes by itself.
/// </summary>
public sealed class InterruptedRuns(
    IDbContextFactory<PgCloneDbContext> factory,
    RunScheduler scheduler,
    RunProgressPublisher publisher,
    AuditLog audit,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<InterruptedRuns> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Quartz starts with the application; a run submitted from now on has its job scheduled first.
        var started = new TaskCompletionSource();
        await using var _ = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        var before = clock.GetUtcNow();
        try { await MarkAsync(before, stoppingToken); }
        catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "could not look for interrupted runs"); }
    }

    public async Task<int> MarkAsync(DateTimeOffset submittedBefore, CancellationToken ct)
    {
        string[] open = [RunStatus.Queued.Name(), RunStatus.Running.Name()];
        await using var db = await factory.CreateDbContextAsync(ct);
        var candidates = await db.Runs.Where(r => open.Contains(r.Status) && r.SubmittedAt < submittedBefore).Select(r => r.Id).ToListAsync(ct);
        var marked = 0;
        foreach (var id in candidates)
        {
            if (await scheduler.ExistsAsync(id, ct)) continue;
            var changed = await db.Runs.Where(r => r.Id == id && open.Contains(r.Status)).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Interrupted.Name())
                .SetProperty(r => r.Error, "interrupted: no console instance runs it any more; resume it to finish")
                .SetProperty(r => r.Instance, (string?)null)
                .SetProperty(r => r.QueueReason, (string?)null)
                .SetProperty(r => r.FinishedAt, clock.GetUtcNow()), ct);
            marked += changed;
            if (changed > 0)
            {
                var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == id, ct);
                await audit.RecordAsync(AuditActions.RunFinished, $"run #{id}", RunAudit.Details(run), run.SourceConnectionId, AuditActor.Console, ct);
            }
            await publisher.PublishStateAsync(id, ct);
        }
        if (marked > 0) log.LogInformation("{Count} runs marked interrupted", marked);
        return marked;
    }
}
