using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PgClone.Web.Data;
using PgClone.Web.Runs;
using Quartz;

namespace PgClone.Web.Schedules;

/// <summary>
/// One firing of a schedule, on the one instance the clustered store gave it to: submits the schedule's profile to
/// <see cref="RunsService"/> (the one path of a run) as the schedule's owner, with the schedule's gate, overlap
/// policy and refresh mode. Not recoverable on purpose: a firing re-fired after a crash could start the run twice.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ScheduleJob(
    IDbContextFactory<PgCloneDbContext> factory,
    RunsService runs,
    ScheduleOwner owners,
    ILogger<ScheduleJob> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var id = int.Parse(context.MergedJobDataMap.GetString(ScheduleTriggers.ScheduleIdKey)!, CultureInfo.InvariantCulture);
        await using var db = await factory.CreateDbContextAsync(ct);
        var schedule = await db.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (schedule is null)
        {
            // Deleted with its profile (a cascade the trigger does not see): the trigger goes too.
            await context.Scheduler.DeleteJob(context.JobDetail.Key, ct);
            return;
        }
        try
        {
            var owner = await owners.PrincipalAsync(schedule, ct);
            var runId = await runs.StartScheduledAsync(schedule.ProfileId, owner,
                new ScheduledStart(schedule.Id, schedule.Overlap, schedule.RequireMasking, schedule.RefreshJson), ct);
            // The firing's own time, not the hour it ran: a firing held back (the previous one still running, a busy
            // machine) runs late, and only this time tells it from a second run of the same firing.
            log.LogInformation("schedule {Schedule} fired on {Instance} for {FireTime:O}: run {RunId}", schedule.Name,
                context.Scheduler.SchedulerInstanceId, context.ScheduledFireTimeUtc, runId);
        }
        catch (RunRejectedException e)
        {
            // Nothing was queued: the refusal is the schedule's to show (its owner's rights, a missing connection).
            log.LogWarning("schedule {Schedule}: the run was refused: {Reason}", schedule.Name, e.Message);
        }
    }
}
