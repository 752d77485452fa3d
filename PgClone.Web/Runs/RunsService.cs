using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Roles;
using PgClone.Web.Audit;
using PgClone.Web.Data;

namespace PgClone.Web.Runs;

/// <summary>
/// The one path of a run: the wizard, a profile, the API and schedules all submit here. A submission is checked
/// (operation and scope, options, the user's rights on both connections, the production confirmation), stored
/// as a queued <see cref="Run"/> with the connections' names and environments as they are now, and scheduled as a
/// Quartz job (<see cref="RunScheduler"/>) that any console instance of the cluster may execute.
/// </summary>
public sealed class RunsService(
    IDbContextFactory<PgCloneDbContext> factory,
    RunAdmission admission,
    RunScheduler scheduler,
    RunProgressPublisher publisher,
    AuditLog audit,
    PgClone.Web.Masking.MaskPoliciesService policies,
    EfCheckpointStore checkpoints,
    TimeProvider clock)
{
    /// <summary>Queues a run and returns its id at once; watch it through <see cref="RunProgressFeed"/> or the hub.</summary>
    public async Task<long> SubmitAsync(RunRequest request, ClaimsPrincipal user, CancellationToken ct = default) =>
        await SubmitAsync(request, user, profileId: null, resumedFrom: null, ct);

    /// <summary>Runs a saved profile as it is now.</summary>
    public async Task<long> StartProfileAsync(int profileId, ClaimsPrincipal user, bool confirmProductionWithoutMasking = false, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var profile = await db.CloneProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.Id == profileId, ct)
            ?? throw new RunRejectedException(RunRejection.NotFound, $"profile #{profileId} does not exist");
        // A profile that points at a masking policy runs with its newest version (ToRequest names the policy).
        var request = ProfilesService.ToRequest(profile) with { ConfirmProductionWithoutMasking = confirmProductionWithoutMasking };
        return await SubmitAsync(request, user, profile.Id, resumedFrom: null, ct);
    }

    /// <summary>
    /// Runs a profile for a schedule, as its owner (<paramref name="owner"/> carries the schedule's name, which the run
    /// records as who started it): the masking gate on unless the schedule switched it off, its overlap policy, and a
    /// zero-downtime refresh when the schedule asks for one.
    /// </summary>
    public async Task<long> StartScheduledAsync(int profileId, ClaimsPrincipal owner, ScheduledStart start, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var profile = await db.CloneProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.Id == profileId, ct)
            ?? throw new RunRejectedException(RunRejection.NotFound, $"profile #{profileId} does not exist");
        var request = ProfilesService.ToRequest(profile);
        if (start.RequireMasking && RunOperations.ToClone(request.Operation) is not null)
            request = request with { Options = (request.Options ?? new CloneOptions()) with { RequireMasking = true } };
        return await SubmitAsync(request, owner, profile.Id, resumedFrom: null, ct, run =>
        {
            run.ScheduleId = start.ScheduleId;
            run.Overlap = start.Overlap;
            run.RefreshJson = start.RefreshJson;
        });
    }

    /// <summary>
    /// Starts a new run that finishes a failed, cancelled or interrupted one from its checkpoint: copied tables
    /// are kept, the rest is done. Returns the new run's id.
    /// </summary>
    public async Task<long> ResumeAsync(long runId, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var old = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct)
            ?? throw new RunRejectedException(RunRejection.NotFound, $"run #{runId} does not exist");
        var status = RunStatuses.Parse(old.Status);
        if (!status.IsResumable())
            throw new RunRejectedException(RunRejection.Conflict, $"run #{runId} is {old.Status}: only a failed, cancelled or interrupted run can be resumed");
        var request = RequestOf(old)
            ?? throw new RunRejectedException(RunRejection.Conflict, $"run #{runId}: its source or target connection was deleted, so it cannot be resumed");
        // The old run stored its policy's rules as its mask: the same version applies them again.
        if (old.MaskPolicyVersionId is not null && request.Options is { } options) request = request with { Options = options with { Mask = null } };
        return await SubmitAsync(request, user, old.ProfileId, old.Id, ct);
    }

    /// <summary>
    /// A run's request for the wizard to clone again (changed or not): a masking policy's version becomes its policy,
    /// whose newest version the new run applies, and production without masking must be confirmed anew. Null when
    /// the run does not exist or its source or target connection was deleted.
    /// </summary>
    public async Task<RunRequest?> RequestOfAsync(long runId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var old = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (old is null || RequestOf(old) is not { } request) return null;
        request = request with { ConfirmProductionWithoutMasking = false, MaskPolicyVersionId = null };
        // A deleted policy leaves the run's stored rules, typed rules to the wizard.
        return old.MaskPolicyVersionId is { } version && await policies.GetVersionAsync(version, ct) is { } applied
            ? request with { MaskPolicyId = applied.PolicyId, Options = request.Options! with { Mask = null } }
            : request;
    }

    /// <summary>The request a stored run was submitted with; null when its source or target connection was deleted.</summary>
    private static RunRequest? RequestOf(Run old) =>
        old.SourceConnectionId is { } source && old.TargetConnectionId is { } target
            ? new RunRequest(old.Operation, source, target, old.Schema, old.Table,
                old.OptionsJson is null ? null : CloneOptions.Parse(old.OptionsJson),
                old.RolesJson is null ? null : JsonSerializer.Deserialize<RoleCloneOptions>(old.RolesJson, ProfilesService.Json),
                old.ProductionConfirmed, old.MaskPolicyVersionId)
            : null;

    /// <summary>
    /// Cancels a run from any instance: a queued run is cancelled here and now; a running one gets a cancel request
    /// (stored, and announced with NOTIFY) that the instance executing it acts on within a second.
    /// </summary>
    public async Task<RunSummary> CancelAsync(long runId, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var by = RunActor.From(user).Name;
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, ct)
            ?? throw new RunRejectedException(RunRejection.NotFound, $"run #{runId} does not exist");
        if (RunStatuses.Parse(run.Status).IsFinished())
            throw new RunRejectedException(RunRejection.Conflict, $"run #{runId} is already {run.Status}");
        run.CancelRequested = true;
        run.CancelledBy = by;
        await db.SaveChangesAsync(ct);
        if (run.Status == RunStatus.Queued.Name() && await scheduler.UnscheduleAsync(runId, ct))
        {
            // Never started (or waiting to retry): nobody else will finish it.
            var done = await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Queued.Name())
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Cancelled.Name())
                    .SetProperty(r => r.Error, $"cancelled by {by} before it started")
                    .SetProperty(r => r.QueueReason, (string?)null)
                    .SetProperty(r => r.FinishedAt, clock.GetUtcNow()), ct);
            if (done > 0) await publisher.PublishStateAsync(runId, ct);
        }
        else
        {
            await publisher.RequestCancelAsync(runId, ct);
        }
        await audit.RecordAsync(AuditActions.RunCancelled, $"run #{runId}", RunAudit.Details(run), run.SourceConnectionId, audit.ActorFor(user), ct);
        return (await GetAsync(runId, ct))!.Run;
    }

    public async Task<RunPage> ListAsync(RunFilter filter, Paging paging, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.Runs.AsNoTracking();
        if (filter.Status is { } status) q = q.Where(r => r.Status == status.Name());
        if (filter.User is { Length: > 0 } user) q = q.Where(r => r.StartedBy == user);
        if (filter.ConnectionId is { } c) q = q.Where(r => r.SourceConnectionId == c || r.TargetConnectionId == c);
        if (filter.From is { } from) q = q.Where(r => r.SubmittedAt >= from);
        if (filter.To is { } to) q = q.Where(r => r.SubmittedAt < to);
        var total = await q.CountAsync(ct);
        var items = await q.OrderByDescending(r => r.SubmittedAt).ThenByDescending(r => r.Id)
            .Skip(Math.Max(0, paging.Skip)).Take(Math.Clamp(paging.Take, 1, 500))
            .Select(RunMapping.Summary).ToListAsync(ct);
        return new RunPage(items, total);
    }

    /// <summary>
    /// A run with its per-table results; null when it does not exist. A run still going has them only in its
    /// checkpoints: the tables it has copied so far.
    /// </summary>
    public async Task<RunDetail?> GetAsync(long runId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await db.Runs.AsNoTracking().Include(r => r.Tables).SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null) return null;
        if (run.Tables.Count == 0 && run.EngineJobId is { } job && !RunStatuses.Parse(run.Status).IsFinished())
            run.Tables = [.. (await checkpoints.CopiedTablesAsync(job, ct)).Select(t => RunMapping.CopiedTable(run.Id, t, job))];
        return RunMapping.Detail(run);
    }

    /// <summary>Runs, rows, bytes and failures of the runs submitted since a moment (the dashboard's week).</summary>
    public async Task<RunTotals> TotalsAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.Runs.AsNoTracking().Where(r => r.SubmittedAt >= since);
        return new RunTotals(
            await q.CountAsync(ct),
            await q.SumAsync(r => r.Rows, ct),
            await q.SumAsync(r => r.Bytes, ct),
            await q.CountAsync(r => r.Status == RunStatus.Failed.Name(), ct));
    }

    /// <summary>Deletes finished runs (with their per-table results and checkpoints); returns how many.</summary>
    public async Task<int> ClearFinishedAsync(CancellationToken ct = default)
    {
        string[] finished = [.. Enum.GetValues<RunStatus>().Where(s => s.IsFinished()).Select(s => s.Name())];
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var runs = db.Runs.Where(r => finished.Contains(r.Status));
        var jobs = runs.Where(r => r.EngineJobId != null).Select(r => r.EngineJobId!);
        await db.RunCheckpoints.Where(c => jobs.Contains(c.JobId)).ExecuteDeleteAsync(ct);
        var count = await runs.ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        await audit.RecordAsync(AuditActions.RunsCleared, "finished runs", new { deleted = count }, ct: ct);
        return count;
    }

    private async Task<long> SubmitAsync(RunRequest request, ClaimsPrincipal user, int? profileId, long? resumedFrom, CancellationToken ct,
        Action<Run>? scheduled = null)
    {
        request = await policies.ApplyAsync(request, ct);
        var admitted = await admission.AdmitAsync(request, user, ct);
        var actor = RunActor.From(user);
        var run = new Run
        {
            StartedByKind = actor.Kind,
            StartedBy = actor.Name,
            ProfileId = profileId,
            SubmittedAt = clock.GetUtcNow(),
            SourceConnectionId = request.SourceConnectionId,
            SourceName = admitted.Source.Name,
            SourceEnvironment = admitted.SourceEnvironment,
            SourceServer = $"{admitted.Source.Host}:{admitted.Source.Port}",
            TargetConnectionId = request.TargetConnectionId,
            TargetName = admitted.Target.Name,
            TargetEnvironment = admitted.TargetEnvironment,
            Operation = request.Operation,
            Schema = admitted.Schema,
            Table = request.Table,
            OptionsJson = admitted.Options?.ToJson(),
            RolesJson = request.Roles is null ? null : JsonSerializer.Serialize(request.Roles, ProfilesService.Json),
            Masked = admitted.Options?.Mask is { Count: > 0 },
            MaskPolicyVersionId = request.MaskPolicyVersionId,
            ProductionConfirmed = admitted.ProductionConfirmed,
            SourceSessions = (admitted.Options?.Parallel ?? 1) + 1,
            Status = RunStatus.Queued.Name(),
            QueueReason = "waiting for a free run slot",
            ResumedFromRunId = resumedFrom,
            TargetKey = TargetKey(request, admitted),
        };
        scheduled?.Invoke(run);
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            db.Runs.Add(run);
            await db.SaveChangesAsync(ct);
        }
        try
        {
            await scheduler.ScheduleAsync(run.Id, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
            await db.Runs.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Failed.Name())
                .SetProperty(r => r.Error, $"run #{run.Id} could not be scheduled: {e.Message}")
                .SetProperty(r => r.FinishedAt, clock.GetUtcNow()), CancellationToken.None);
            throw new PgCloneException($"run #{run.Id} could not be scheduled: {e.Message}", e);
        }
        await audit.RecordAsync(resumedFrom is null ? AuditActions.RunStarted : AuditActions.RunResumed, $"run #{run.Id}",
            RunAudit.Details(run), run.SourceConnectionId, audit.ActorFor(user), ct);
        await publisher.PublishStateAsync(run.Id, ct);
        return run.Id;
    }

    private static string TargetKey(RunRequest request, AdmittedRun admitted)
    {
        try { return RunTargets.Key(request.Operation, admitted.Source, admitted.Target, admitted.Schema, request.Table, admitted.Options); }
        catch (PgCloneException e) { throw new RunRejectedException(RunRejection.Invalid, e.Message); }
    }
}
