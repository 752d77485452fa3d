using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using PgClone.Core;
using PgClone.Core.Refresh;
using PgClone.Web.Data;
using PgClone.Web.Runs;

namespace PgClone.Web.Schedules;

/// <summary>
/// Schedules (<see cref="Schedule"/>): list, read, create, edit, delete, pause, resume, run now, history. Saving
/// checks the cron expression and time zone, the refresh mode against the profile's operation, the webhooks, and the
/// user's rights on the profile's connections (the user becomes the owner whose rights the runs use); then the
/// Quartz trigger follows the row (<see cref="ScheduleTriggers"/>).
/// </summary>
public sealed class SchedulesService(
    IDbContextFactory<PgCloneDbContext> factory,
    ScheduleTriggers triggers,
    RunAdmission admission,
    IDataProtectionProvider protection,
    TimeProvider clock)
{
    private readonly IDataProtector _secrets = protection.CreateProtector(WebhookSecrets.Purpose);

    public async Task<List<ScheduleInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var all = await db.Schedules.AsNoTracking().Include(s => s.Webhooks).OrderBy(s => s.Name).ToListAsync(ct);
        var result = new List<ScheduleInfo>();
        foreach (var s in all) result.Add(await InfoAsync(db, s, ct));
        return result;
    }

    public async Task<ScheduleInfo?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var s = await db.Schedules.AsNoTracking().Include(x => x.Webhooks).SingleOrDefaultAsync(x => x.Id == id, ct);
        return s is null ? null : await InfoAsync(db, s, ct);
    }

    /// <summary>The expression in words and its next five firings in the zone (for the editor, before saving).</summary>
    public CronPreview Preview(string cron, string timeZone) => ScheduleClock.Preview(cron, timeZone, clock.GetUtcNow());

    public async Task<ScheduleInfo> CreateAsync(ScheduleDraft draft, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var by = RunActor.From(user).Name;
        var schedule = new Schedule
        {
            Name = "", Cron = "", TimeZone = "", Misfire = "", Overlap = "", OwnerId = "", Owner = "", UpdatedBy = by, CreatedAt = now,
        };
        await ApplyAsync(db, schedule, draft, user, ct);
        db.Schedules.Add(schedule);
        await db.SaveChangesAsync(ct);
        await SyncTriggerAsync(schedule, ct);
        return await InfoAsync(db, schedule, ct);
    }

    public async Task<ScheduleInfo> UpdateAsync(int id, ScheduleDraft draft, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var schedule = await LoadAsync(db, id, ct);
        await ApplyAsync(db, schedule, draft, user, ct);
        await db.SaveChangesAsync(ct);
        await SyncTriggerAsync(schedule, ct);
        return await InfoAsync(db, schedule, ct);
    }

    /// <summary>Deletes a schedule and its trigger; its runs stay as history. False when it does not exist.</summary>
    public async Task<bool> DeleteAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var deleted = await db.Schedules.Where(s => s.Id == id).ExecuteDeleteAsync(ct) > 0;
        await triggers.DeleteAsync(id, ct);
        return deleted;
    }

    public Task<ScheduleInfo> PauseAsync(int id, ClaimsPrincipal user, CancellationToken ct = default) => SetEnabledAsync(id, false, user, ct);

    public Task<ScheduleInfo> ResumeAsync(int id, ClaimsPrincipal user, CancellationToken ct = default) => SetEnabledAsync(id, true, user, ct);

    /// <summary>Fires the schedule once now (paused or not), through the same Quartz job as its cron firings.</summary>
    public async Task RunNowAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var schedule = await LoadAsync(db, id, ct);
        if (!await triggers.ExistsAsync(id, ct)) await triggers.SaveAsync(schedule, ct);
        await triggers.RunNowAsync(id, ct);
    }

    /// <summary>The runs this schedule started, newest first.</summary>
    public async Task<RunPage> HistoryAsync(int id, Paging paging, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await LoadAsync(db, id, ct);
        var q = db.Runs.AsNoTracking().Where(r => r.ScheduleId == id);
        var total = await q.CountAsync(ct);
        var items = await q.OrderByDescending(r => r.SubmittedAt).ThenByDescending(r => r.Id)
            .Skip(Math.Max(0, paging.Skip)).Take(Math.Clamp(paging.Take, 1, 500)).Select(RunMapping.Summary).ToListAsync(ct);
        return new RunPage(items, total);
    }

    private async Task<ScheduleInfo> SetEnabledAsync(int id, bool enabled, ClaimsPrincipal user, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var schedule = await LoadAsync(db, id, ct);
        schedule.Enabled = enabled;
        schedule.UpdatedAt = clock.GetUtcNow();
        schedule.UpdatedBy = RunActor.From(user).Name;
        await db.SaveChangesAsync(ct);
        if (!await triggers.ExistsAsync(id, ct)) await triggers.SaveAsync(schedule, ct);
        else if (enabled) await triggers.ResumeAsync(id, ct);
        else await triggers.PauseAsync(id, ct);
        return await InfoAsync(db, schedule, ct);
    }

    private async Task SyncTriggerAsync(Schedule schedule, CancellationToken ct)
    {
        try { await triggers.SaveAsync(schedule, ct); }
        catch (Quartz.SchedulerException e)
        {
            throw new PgCloneException($"schedule '{schedule.Name}' was saved but its trigger could not be: {e.Message}", e);
        }
    }

    private static async Task<Schedule> LoadAsync(PgCloneDbContext db, int id, CancellationToken ct) =>
        await db.Schedules.Include(s => s.Webhooks).SingleOrDefaultAsync(s => s.Id == id, ct)
        ?? throw new RunRejectedException(RunRejection.NotFound, $"schedule #{id} does not exist");

    private async Task ApplyAsync(PgCloneDbContext db, Schedule s, ScheduleDraft draft, ClaimsPrincipal user, CancellationToken ct)
    {
        // Every problem of the form at once, not the first one per save.
        var problems = new List<string>();
        var name = draft.Name?.Trim() ?? "";
        if (name.Length == 0) problems.Add("schedule name is empty");
        var profile = await db.CloneProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.Id == draft.ProfileId, ct);
        if (profile is null) problems.Add($"profile #{draft.ProfileId} does not exist");
        var timeZone = string.IsNullOrWhiteSpace(draft.TimeZone) ? "UTC" : draft.TimeZone.Trim();
        try { ScheduleClock.Preview(draft.Cron ?? "", timeZone, clock.GetUtcNow(), count: 1); }
        catch (PgCloneException e) { problems.Add(e.Message); }
        if (draft.Refresh is { } refresh)
        {
            if (profile is not null && profile.Operation is not ("database" or "database-create"))
                problems.Add($"profile '{profile.Name}' clones a {profile.Operation}: a zero-downtime refresh needs a database or database-create profile");
            try { refresh.Validated(); }
            catch (PgCloneException e) { problems.Add(e.Message); }
        }
        var hooks = ValidatedWebhooks(s, draft.Webhooks ?? [], problems);
        if (problems.Count > 0) throw new RunRejectedException(RunRejection.Invalid, string.Join("; ", problems));
        if (await db.Schedules.AnyAsync(x => x.Name == name && x.Id != s.Id, ct))
            throw new RunRejectedException(RunRejection.Conflict, $"schedule '{name}' already exists");
        // The runs use the owner's rights: whoever saves the schedule must be able to run the profile now.
        await admission.CheckAsync(ProfilesService.ToRequest(profile!), user, ct);
        var actor = RunActor.From(user).Name;
        s.Name = name;
        s.ProfileId = profile!.Id;
        s.Cron = draft.Cron!.Trim();
        s.TimeZone = timeZone;
        s.Enabled = draft.Enabled;
        s.Misfire = draft.Misfire.Name();
        s.Overlap = draft.Overlap.Name();
        s.RequireMasking = draft.RequireMasking;
        s.RefreshJson = draft.Refresh?.ToJson();
        s.OwnerId = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new RunRejectedException(RunRejection.Forbidden, "only a signed-in user can own a schedule");
        s.Owner = actor;
        s.UpdatedAt = clock.GetUtcNow();
        s.UpdatedBy = actor;
        s.Webhooks.RemoveAll(w => !hooks.Contains(w));
        foreach (var hook in hooks.Where(h => !s.Webhooks.Contains(h))) s.Webhooks.Add(hook);
    }

    /// <summary>The draft's webhooks as the schedule will keep them (existing ones updated in place); each problem is added to <paramref name="problems"/>.</summary>
    private List<ScheduleWebhook> ValidatedWebhooks(Schedule s, IReadOnlyList<WebhookDraft> drafts, List<string> problems)
    {
        var kept = new List<ScheduleWebhook>();
        foreach (var d in drafts)
        {
            if (!Uri.TryCreate(d.Url?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                problems.Add($"webhook URL '{d.Url}' is not an absolute http(s) URL");
                continue;
            }
            var events = (d.Events ?? []).Select(e => e.Trim().ToLowerInvariant()).Distinct().ToList();
            if (events.Count == 0 || events.Any(e => !WebhookEvents.All.Contains(e)))
                problems.Add($"webhook {url}: events must be some of {string.Join(", ", WebhookEvents.All)}");
            var existing = d.Id is { } id ? s.Webhooks.SingleOrDefault(w => w.Id == id) : null;
            if (existing is null && string.IsNullOrEmpty(d.Secret))
                problems.Add($"webhook {url}: a secret is needed to sign its calls");
            if (problems.Count > 0) continue;
            var hook = existing ?? new ScheduleWebhook { Url = "", SecretEncrypted = "", Events = "" };
            hook.Url = url.ToString();
            hook.Events = string.Join(",", events);
            if (!string.IsNullOrEmpty(d.Secret)) hook.SecretEncrypted = _secrets.Protect(d.Secret);
            kept.Add(hook);
        }
        return kept;
    }

    private async Task<ScheduleInfo> InfoAsync(PgCloneDbContext db, Schedule s, CancellationToken ct)
    {
        var profile = await db.CloneProfiles.AsNoTracking().Where(p => p.Id == s.ProfileId).Select(p => p.Name).SingleOrDefaultAsync(ct) ?? "";
        var last = await db.Runs.AsNoTracking().Where(r => r.ScheduleId == s.Id).OrderByDescending(r => r.SubmittedAt).ThenByDescending(r => r.Id)
            .Select(r => new { r.Id, r.SubmittedAt, r.Status }).FirstOrDefaultAsync(ct);
        var next = s.Enabled ? await triggers.NextFireAsync(s.Id, ct) : null;
        var zone = ScheduleClock.Zone(s.TimeZone);
        return new ScheduleInfo(s.Id, s.Name, s.ProfileId, profile, s.Cron, CronDescriber.Describe(s.Cron), s.TimeZone, s.Enabled,
            SchedulePolicies.ParseMisfire(s.Misfire), SchedulePolicies.ParseOverlap(s.Overlap), s.RequireMasking,
            s.RefreshJson is null ? null : RefreshOptions.Parse(s.RefreshJson), s.Owner,
            next is { } n ? TimeZoneInfo.ConvertTime(n, zone) : null,
            last is null ? null : TimeZoneInfo.ConvertTime(last.SubmittedAt, zone), last?.Id, last is null ? null : RunStatuses.Parse(last.Status),
            [.. s.Webhooks.OrderBy(w => w.Id).Select(w => new WebhookInfo(w.Id, w.Url, w.Events.Split(',')))],
            s.CreatedAt, s.UpdatedAt, s.UpdatedBy);
    }
}
