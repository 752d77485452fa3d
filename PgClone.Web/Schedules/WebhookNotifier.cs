using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PgClone.Web.Data;
using PgClone.Web.Runs;
using Quartz;

namespace PgClone.Web.Schedules;

/// <summary>The JSON a webhook receives.</summary>
public sealed record WebhookPayload(
    string Event, long RunId, string Status, string? Error, string Url,
    int ScheduleId, string Schedule, string Profile, string Target, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long Rows, long Bytes);

/// <summary>
/// When a schedule's run ends, queues one <see cref="WebhookJob"/> per webhook that wants the event (success, failure,
/// or gate: the masking coverage gate refused the run). Delivery is a Quartz job in the clustered store, so it
/// neither holds up the run nor is lost when this instance stops.
/// </summary>
public sealed class WebhookNotifier(
    IDbContextFactory<PgCloneDbContext> factory,
    ISchedulerFactory schedulers,
    IOptions<SchedulesOptions> options) : IRunOutcomeListener
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task RunFinishedAsync(long runId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run?.ScheduleId is not { } scheduleId || !RunStatuses.Parse(run.Status).IsFinished()) return;
        var schedule = await db.Schedules.AsNoTracking().Include(s => s.Webhooks).SingleOrDefaultAsync(s => s.Id == scheduleId, ct);
        if (schedule is null) return;
        var ev = EventOf(run);
        var hooks = schedule.Webhooks.Where(w => w.Events.Split(',').Contains(ev)).ToList();
        if (hooks.Count == 0) return;
        var profile = await db.CloneProfiles.AsNoTracking().Where(p => p.Id == schedule.ProfileId).Select(p => p.Name).SingleOrDefaultAsync(ct) ?? "";
        var payload = new WebhookPayload(ev, run.Id, run.Status, run.Error, RunUrl(run.Id), schedule.Id, schedule.Name, profile,
            run.TargetKey ?? run.TargetName, run.StartedAt, run.FinishedAt, run.Rows, run.Bytes);
        var body = JsonSerializer.Serialize(payload, Json);
        var scheduler = await schedulers.GetScheduler(ct);
        foreach (var hook in hooks) await WebhookJob.QueueAsync(scheduler, hook.Id, runId, body, attempt: 1, DateTimeOffset.UtcNow, ct);
    }

    /// <summary>gate when the masking coverage gate refused the run, else success or failure (a skipped or cancelled run is a failure to refresh).</summary>
    public static string EventOf(Run run) => RunStatuses.Parse(run.Status) switch
    {
        RunStatus.Succeeded => WebhookEvents.Success,
        _ when run.Error?.Contains("require_masking:", StringComparison.Ordinal) == true => WebhookEvents.Gate,
        _ => WebhookEvents.Failure,
    };

    private string RunUrl(long runId)
    {
        var root = options.Value.PublicBaseUrl is { Length: > 0 } b ? b.TrimEnd('/') : "";
        return $"{root}/jobs/{runId.ToString(CultureInfo.InvariantCulture)}";
    }
}
