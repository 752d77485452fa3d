using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using PgClone.Web.Data;
using Quartz;

namespace PgClone.Web.Runs;

/// <summary>
/// The Quartz job of one run, on whichever instance fires it. It claims the run (unless it was cancelled, or its
/// source server has no sessions to spare: then it waits, queued, and says why), executes it through
/// <see cref="RunExecutor"/>, and records the outcome. When the instance shuts down mid-run the firing is handed
/// back to Quartz (<c>RecoverFiringsCancelledByShutdown</c>), and when it dies Quartz's cluster recovery re-fires
/// it elsewhere; either way the next firing resumes from the run's checkpoint.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RunJob(
    IDbContextFactory<PgCloneDbContext> factory,
    RunScheduler scheduler,
    RunExecutor executor,
    RunProgressPublisher publisher,
    RunTargets targets,
    IEnumerable<IRunOutcomeListener> listeners,
    IOptions<RunsOptions> options,
    TimeProvider clock,
    ILogger<RunJob> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var runId = long.Parse(context.MergedJobDataMap.GetString(RunScheduler.RunIdKey)!, CultureInfo.InvariantCulture);
        var instance = context.Scheduler.SchedulerInstanceId;
        // The target first: while another run writes the same database, this one does not even take source sessions.
        var target = await TargetAsync(runId, ct);
        await using var lease = target?.Key is { } key ? await targets.TryAcquireAsync(key, ct) : null;
        if (target?.Key is not null && lease is null)
        {
            await TargetBusyAsync(runId, target, ct);
            return;
        }
        var claim = await ClaimAsync(runId, instance, ct);
        switch (claim)
        {
            case Claim.Gone:
                return;
            case Claim.Cancelled:
                await publisher.PublishStateAsync(runId, ct);
                return;
            case Claim.Busy:
                await scheduler.RetryLaterAsync(runId, options.Value.QueueRetryInterval, ct);
                await publisher.PublishStateAsync(runId, ct);
                return;
        }
        log.LogInformation("run {RunId} starts on {Instance}{Recovering}", runId, instance, context.Recovering ? " (recovered)" : "");
        await publisher.PublishStateAsync(runId, ct);
        await executor.ExecuteAsync(runId, ct);
        await NotifyAsync(runId);
    }

    private sealed record Target(string? Key, string? Overlap);

    private async Task<Target?> TargetAsync(long runId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => new Target(r.TargetKey, r.Overlap)).SingleOrDefaultAsync(ct);
    }

    /// <summary>
    /// Another run holds the target database: wait (queued, saying which run, and try again later) or, when the
    /// run's overlap policy says skip, end it as cancelled with the reason.
    /// </summary>
    private async Task TargetBusyAsync(long runId, Target target, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var holder = await db.Runs.AsNoTracking()
            .Where(r => r.TargetKey == target.Key && r.Id != runId && r.Status == RunStatus.Running.Name())
            .Select(r => (long?)r.Id).FirstOrDefaultAsync(ct);
        var by = holder is { } h ? $"run #{h}" : "another run";
        var queued = db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Queued.Name());
        if (target.Overlap == OverlapSkip)
        {
            var skipped = await queued.ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Cancelled.Name())
                .SetProperty(r => r.Error, $"skipped: target {target.Key} is in use by {by} (overlap policy: skip)")
                .SetProperty(r => r.QueueReason, (string?)null)
                .SetProperty(r => r.FinishedAt, clock.GetUtcNow()), ct);
            await publisher.PublishStateAsync(runId, ct);
            if (skipped > 0) await NotifyAsync(runId);
            return;
        }
        await queued.ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Instance, (string?)null)
            .SetProperty(r => r.QueueReason, $"waiting: target {target.Key} is in use by {by}"), ct);
        await scheduler.RetryLaterAsync(runId, options.Value.QueueRetryInterval, ct);
        await publisher.PublishStateAsync(runId, ct);
    }

    /// <summary>The overlap policy that skips a run instead of waiting (a schedule's choice; others wait).</summary>
    public const string OverlapSkip = "skip";

    private async Task NotifyAsync(long runId)
    {
        foreach (var listener in listeners)
        {
            try { await listener.RunFinishedAsync(runId, CancellationToken.None); }
            catch (Exception e) { log.LogWarning(e, "run {RunId}: a finish notification failed", runId); }
        }
    }

    private enum Claim { Started, Busy, Cancelled, Gone }

    /// <summary>
    /// Marks the run running on this instance, in one transaction that holds an advisory lock on its source server,
    /// so two instances never both take the last sessions of one server.
    /// </summary>
    private async Task<Claim> ClaimAsync(long runId, string instance, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var run = await db.Runs.FromSql($"SELECT * FROM runs WHERE \"Id\" = {runId} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (run is null || RunStatuses.Parse(run.Status).IsFinished()) return Claim.Gone;
        var now = clock.GetUtcNow();
        if (run.CancelRequested)
        {
            run.Status = RunStatus.Cancelled.Name();
            run.Error = $"cancelled by {run.CancelledBy ?? "a user"} before it started";
            run.QueueReason = null;
            run.FinishedAt = now;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Claim.Cancelled;
        }
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext('pgclone-source:' || {run.SourceServer}))", ct);
        var used = await db.Runs.Where(r => r.Status == RunStatus.Running.Name() && r.SourceServer == run.SourceServer && r.Id != runId)
            .SumAsync(r => r.SourceSessions, ct);
        var limit = options.Value.MaxSessionsPerSource;
        var needs = Math.Min(run.SourceSessions, limit);
        if (used > 0 && used + needs > limit)
        {
            run.Status = RunStatus.Queued.Name();
            run.Instance = null;
            run.QueueReason = $"waiting: source server {run.SourceServer} has {used} of {limit} sessions in use by other runs";
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Claim.Busy;
        }
        run.Status = RunStatus.Running.Name();
        run.Instance = instance;
        run.QueueReason = null;
        run.SourceSessions = needs;
        run.StartedAt ??= now;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Claim.Started;
    }
}
