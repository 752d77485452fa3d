using Quartz;

namespace PgClone.Web.Runs;

/// <summary>
/// Runs as Quartz jobs in the clustered persistent store: one job per run (key <c>runs.run-{id}</c>, its id in the
/// job data, recovery requested so that another instance re-fires it when the one running it dies).
/// </summary>
public sealed class RunScheduler(ISchedulerFactory schedulers, TimeProvider clock)
{
    public const string Group = "runs";
    public const string RunIdKey = "runId";

    public static JobKey Key(long runId) => new($"run-{runId}", Group);

    public async Task<IScheduler> SchedulerAsync(CancellationToken ct) => await schedulers.GetScheduler(ct);

    public async Task ScheduleAsync(long runId, CancellationToken ct)
    {
        var job = JobBuilder.Create<RunJob>()
            .WithIdentity(Key(runId))
            .UsingJobData(RunIdKey, runId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create().WithIdentity($"run-{runId}", Group).StartNow().Build();
        await (await SchedulerAsync(ct)).ScheduleJob(job, trigger, default, ct);
    }

    /// <summary>Fires the run's job again after a while (it did not fit on its source server yet).</summary>
    public async Task RetryLaterAsync(long runId, TimeSpan delay, CancellationToken ct)
    {
        var at = clock.GetUtcNow() + delay;
        var trigger = TriggerBuilder.Create()
            .WithIdentity($"run-{runId}-retry-{at.ToUnixTimeMilliseconds()}", Group)
            .ForJob(Key(runId))
            .StartAt(at)
            .Build();
        await (await SchedulerAsync(ct)).ScheduleJob(trigger, default, ct);
    }

    /// <summary>Removes a run's job and triggers (a queued run cancelled); false when it had none.</summary>
    public async Task<bool> UnscheduleAsync(long runId, CancellationToken ct) =>
        await (await SchedulerAsync(ct)).DeleteJob(Key(runId), ct);

    public async Task<bool> ExistsAsync(long runId, CancellationToken ct) =>
        await (await SchedulerAsync(ct)).Exists(Key(runId), ct);

    public async Task<string> InstanceIdAsync(CancellationToken ct) => (await SchedulerAsync(ct)).SchedulerInstanceId;
}
