using System.Globalization;
using PgClone.Web.Data;
using Quartz;

namespace PgClone.Web.Schedules;

/// <summary>
/// Schedules as Quartz cron triggers in the clustered store the runs use: one durable job per schedule
/// (<c>schedules.schedule-{id}</c>) with one cron trigger in the schedule's time zone. The store fires each firing on
/// exactly one instance, keeps triggers across restarts, and applies the misfire policy after downtime.
/// </summary>
public sealed class ScheduleTriggers(ISchedulerFactory schedulers)
{
    public const string Group = "schedules";
    public const string ScheduleIdKey = "scheduleId";

    public static JobKey Key(int id) => new($"schedule-{id}", Group);
    private static TriggerKey TriggerKeyOf(int id) => new($"schedule-{id}", Group);

    /// <summary>Creates or replaces the schedule's job and trigger; a disabled schedule's trigger is stored paused.</summary>
    public async Task SaveAsync(Schedule s, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var job = JobBuilder.Create<ScheduleJob>()
            .WithIdentity(Key(s.Id))
            .UsingJobData(ScheduleIdKey, s.Id.ToString(CultureInfo.InvariantCulture))
            .StoreDurably()
            .Build();
        var zone = ScheduleClock.Zone(s.TimeZone);
        var trigger = TriggerBuilder.Create()
            .WithIdentity(TriggerKeyOf(s.Id))
            .ForJob(job)
            .WithCronSchedule(s.Cron, b =>
            {
                b.InTimeZone(zone);
                b.WithMisfireInstruction(SchedulePolicies.ParseMisfire(s.Misfire) == MisfirePolicy.Skip
                    ? CronTriggerMisfireInstruction.DoNothing
                    : CronTriggerMisfireInstruction.FireAndProceed);
            })
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, ct);
        if (!s.Enabled) await scheduler.PauseJob(job.Key, ct);
    }

    public async Task DeleteAsync(int id, CancellationToken ct) => await (await schedulers.GetScheduler(ct)).DeleteJob(Key(id), ct);

    public async Task PauseAsync(int id, CancellationToken ct) => await (await schedulers.GetScheduler(ct)).PauseJob(Key(id), ct);

    public async Task ResumeAsync(int id, CancellationToken ct) => await (await schedulers.GetScheduler(ct)).ResumeJob(Key(id), ct);

    /// <summary>Fires the schedule's job once now, on whichever instance picks it up.</summary>
    public async Task RunNowAsync(int id, CancellationToken ct) => await (await schedulers.GetScheduler(ct)).TriggerJob(Key(id), ct);

    public async Task<DateTimeOffset?> NextFireAsync(int id, CancellationToken ct) =>
        (await (await schedulers.GetScheduler(ct)).GetTrigger(TriggerKeyOf(id), ct))?.NextFireTimeUtc;

    public async Task<bool> ExistsAsync(int id, CancellationToken ct) => await (await schedulers.GetScheduler(ct)).Exists(Key(id), ct);
}
