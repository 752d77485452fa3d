using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Core.Refresh;
using PgClone.Core.Roles;
using PgClone.Web.Audit;
using PgClone.Web.Connections;
using PgClone.Web.Data;

namespace PgClone.Web.Runs;

/// <summary>
/// Executes one claimed run with the engine, on this instance: endpoints from the connection service, the
/// checkpoint to resume from (this run's previous attempt, or the run it resumes), progress to the publisher,
/// and every second the totals to the database and a look at the cancel flag. Records the outcome and the
/// per-table results. A shutdown of the instance rethrows the cancellation, so Quartz hands the run back.
/// </summary>
public sealed class RunExecutor(
    IDbContextFactory<PgCloneDbContext> factory,
    ConnectionService connections,
    EfCheckpointStore checkpoints,
    RunProgressPublisher publisher,
    RunningRuns running,
    ConsoleMaskingSecret maskingSecret,
    AuditLog audit,
    IOptions<RunsOptions> options,
    TimeProvider clock,
    ILogger<RunExecutor> log)
{
    public async Task ExecuteAsync(long runId, CancellationToken shutdown)
    {
        Run run;
        await using (var db = await factory.CreateDbContextAsync(shutdown))
            run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId, shutdown);
        var cancel = running.Add(runId);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown, cancel.Token);
        string? jobId = null;
        try
        {
            var source = await EndpointAsync(run.SourceConnectionId, ServerRole.Source, run.SourceName, linked.Token);
            var target = await EndpointAsync(run.TargetConnectionId, ServerRole.Target, run.TargetName, linked.Token);
            if (RunOperations.ToClone(run.Operation) is not { } operation)
            {
                await RunRolesAsync(run, source, target, linked.Token);
                return;
            }
            var resumeFrom = await ResumePointAsync(run, linked.Token);
            jobId = CloneRunOptions.NewJobId();
            await UpdateAsync(runId, s => s.SetProperty(r => r.EngineJobId, jobId), linked.Token);
            var cloneOptions = CloneOptions.Parse(run.OptionsJson);
            var parallel = Math.Max(1, Math.Min(cloneOptions.Parallel, options.Value.MaxSessionsPerSource - 1));
            var request = new CloneRequest(operation, source, target, run.Schema, run.Table, cloneOptions with { Parallel = parallel });
            JobProgress? latest = null;
            var runOptions = new CloneRunOptions
            {
                JobId = jobId,
                Checkpoints = checkpoints,
                ResumeFrom = resumeFrom,
                OnProgress = p =>
                {
                    Volatile.Write(ref latest, p);
                    publisher.Report(runId, p);
                },
            };
            Func<CloneRequest, IColumnMasker?> masker = r => MaskingFactory.Create(r, maskingSecret.Get);
            // A zero-downtime refresh clones into a shadow database and swaps it in; a plain run writes the target.
            var clone = run.RefreshJson is { } refresh
                ? new ZeroDowntimeRefresh(masker, clock).RunAsync(request, RefreshOptions.Parse(refresh), runOptions, linked.Token)
                : new CloneEngine(masker).RunAsync(request, runOptions, linked.Token);
            await WatchAsync(runId, clone, () => Volatile.Read(ref latest), cancel, linked.Token);
            var result = await clone;
            await FinishAsync(runId, RunStatus.Succeeded, null, result, jobId);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            // This instance stops: the run goes back to the queue and Quartz re-fires it, here or elsewhere.
            await UpdateAsync(runId, s => s.SetProperty(r => r.Status, RunStatus.Queued.Name()).SetProperty(r => r.Instance, (string?)null)
                .SetProperty(r => r.QueueReason, "interrupted by a console shutdown; resumes from its checkpoint on the next instance"), CancellationToken.None);
            await publisher.PublishStateAsync(runId, CancellationToken.None);
            throw;
        }
        catch (Exception e) when (cancel.IsCancellationRequested)
        {
            _ = e;
            var by = await CancelledByAsync(runId);
            await FinishAsync(runId, RunStatus.Cancelled, $"cancelled by {by}", null, jobId);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "run {RunId} failed", runId);
            await FinishAsync(runId, RunStatus.Failed, e is PgCloneException ? e.Message : $"unexpected error: {e.Message}", null, jobId, (e as PgCloneException)?.ObjectName);
        }
        finally
        {
            running.Remove(runId);
        }
    }

    /// <summary>While the engine runs: store its totals and look for a cancel request, once per interval.</summary>
    private async Task WatchAsync(long runId, Task clone, Func<JobProgress?> latest, CancellationTokenSource cancel, CancellationToken ct)
    {
        var every = options.Value.StateSaveInterval;
        while (!clone.IsCompleted)
        {
            await Task.WhenAny(clone, Task.Delay(every, clock, ct));
            if (clone.IsCompleted || ct.IsCancellationRequested) return;
            var p = latest();
            await using var db = await factory.CreateDbContextAsync(ct);
            var q = db.Runs.Where(r => r.Id == runId);
            if (p is not null)
                await q.ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Phase, JobProgress.PhaseName(p.Phase))
                    .SetProperty(r => r.TablesTotal, p.TablesTotal)
                    .SetProperty(r => r.TablesCompleted, p.TablesCompleted)
                    .SetProperty(r => r.TablesFailed, p.TablesFailed)
                    .SetProperty(r => r.Rows, p.RowsCopied)
                    .SetProperty(r => r.Bytes, p.BytesCopied)
                    .SetProperty(r => r.BytesEstimated, p.BytesEstimated), ct);
            // The NOTIFY of a cancel may be missed while the relay reconnects; the flag is not.
            if (await q.AnyAsync(r => r.CancelRequested, ct)) await cancel.CancelAsync();
        }
    }

    private async Task<ServerEndpoint> EndpointAsync(int? connectionId, ServerRole role, string name, CancellationToken ct) =>
        connectionId is { } id
            ? await connections.GetEndpointAsync(id, role, ct)
            : throw new PgCloneException($"{(role == ServerRole.Source ? "source" : "target")}: connection '{name}' was deleted");

    /// <summary>
    /// Where this attempt starts: the checkpoint of this run's previous attempt (a recovered or re-fired run), else
    /// that of the run it resumes, else nothing.
    /// </summary>
    private async Task<JobCheckpoint?> ResumePointAsync(Run run, CancellationToken ct)
    {
        if (run.EngineJobId is { } previous && await checkpoints.LoadAsync(previous, ct) is { } own)
            return own.Status == JobStatus.Completed ? own with { Status = JobStatus.Failed } : own;
        if (run.ResumedFromRunId is not { } from) return null;
        await using var db = await factory.CreateDbContextAsync(ct);
        var job = await db.Runs.AsNoTracking().Where(r => r.Id == from).Select(r => r.EngineJobId).SingleOrDefaultAsync(ct);
        return job is null ? null : await checkpoints.LoadAsync(job, ct);
    }

    private async Task RunRolesAsync(Run run, ServerEndpoint source, ServerEndpoint target, CancellationToken ct)
    {
        var roleOptions = run.RolesJson is null ? new RoleCloneOptions() : JsonSerializer.Deserialize<RoleCloneOptions>(run.RolesJson, ProfilesService.Json)!;
        publisher.Publish(new RunProgress { RunId = run.Id, Status = RunStatus.Running, Phase = RunOperations.Roles, At = clock.GetUtcNow().ToUnixTimeMilliseconds() });
        var result = await new RoleCloner().CloneAsync(source, target, roleOptions, ct);
        var notes = new List<string> { result.Summary };
        notes.AddRange(result.Created.Select(a => $"created: {a.Kind} {a.Name}"));
        notes.AddRange(result.Updated.Select(a => $"updated: {a.Kind} {a.Name}"));
        notes.AddRange(result.Skipped.Select(s => $"skipped: {s.Statement} ({s.Reason})"));
        await UpdateAsync(run.Id, s => s.SetProperty(r => r.NotesJson, JsonSerializer.Serialize(notes)), CancellationToken.None);
        await audit.RecordAsync(AuditActions.RolesCloned, $"run #{run.Id}", new
        {
            source = run.SourceName, target = run.TargetName, options = roleOptions,
            created = result.Created.Select(a => a.Name), updated = result.Updated.Select(a => a.Name),
            grants = result.Grants.Count, skipped = result.Skipped.Count,
        }, run.SourceConnectionId, new AuditActor(run.StartedByKind, run.StartedBy, null), CancellationToken.None);
        await FinishAsync(run.Id, RunStatus.Succeeded, null, null, null);
    }

    private async Task<string> CancelledByAsync(long runId)
    {
        await using var db = await factory.CreateDbContextAsync();
        return await db.Runs.Where(r => r.Id == runId).Select(r => r.CancelledBy).SingleOrDefaultAsync() ?? "a user";
    }

    /// <summary>Records the outcome: status, totals, phases, notes and one row per table (from the result, else the checkpoint).</summary>
    private async Task FinishAsync(long runId, RunStatus status, string? error, CloneResult? result, string? jobId, string? failedObject = null)
    {
        var ct = CancellationToken.None;
        var tables = new List<RunTable>();
        if (result is not null)
            tables.AddRange(result.Tables.Select(t => new RunTable
            {
                RunId = runId, Table = t.Table.ToString(), Rows = t.Rows, Bytes = t.Bytes, Seconds = Math.Round(t.Elapsed.TotalSeconds, 3),
                Status = t.CopiedByJob is { } by && by != jobId ? "kept" : "copied", CopiedByJob = t.CopiedByJob ?? jobId,
            }));
        else if (jobId is not null && await checkpoints.LoadAsync(jobId, ct) is { } checkpoint)
            tables.AddRange(checkpoint.Tables.Values.Select(t => RunMapping.CopiedTable(runId, t, jobId)));
        if (status == RunStatus.Failed && failedObject is not null && tables.All(t => t.Table != failedObject))
            tables.Add(new RunTable { RunId = runId, Table = failedObject, Status = "failed", Error = error });
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.RunTables.Where(t => t.RunId == runId).ExecuteDeleteAsync(ct);
        db.RunTables.AddRange(tables);
        await db.SaveChangesAsync(ct);
        var run = await db.Runs.SingleAsync(r => r.Id == runId, ct);
        run.Status = status.Name();
        run.Error = error;
        run.QueueReason = null;
        run.FinishedAt = clock.GetUtcNow();
        run.TablesCompleted = tables.Count(t => t.Status != "failed");
        run.TablesFailed = tables.Count(t => t.Status == "failed");
        run.TablesTotal = Math.Max(run.TablesTotal, tables.Count);
        run.Rows = tables.Sum(t => t.Rows);
        run.Bytes = tables.Sum(t => t.Bytes);
        if (result is not null)
        {
            run.Phase = null;
            run.PhaseSecondsJson = JsonSerializer.Serialize(result.Phases
                .GroupBy(p => JobProgress.PhaseName(p.Phase)).ToDictionary(g => g.Key, g => Math.Round(g.Sum(p => p.Elapsed.TotalSeconds), 3)));
            run.NotesJson = JsonSerializer.Serialize(result.Skipped.Select(s => $"skipped: {s}").Concat(result.Notes).ToList());
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await RecordFinishedAsync(run);
        await publisher.PublishStateAsync(runId, ct);
    }

    /// <summary>The run's outcome in the audit trail, attributed to whoever started it; a failure to record is logged, not fatal to the run.</summary>
    private async Task RecordFinishedAsync(Run run)
    {
        try
        {
            await audit.RecordAsync(AuditActions.RunFinished, $"run #{run.Id}", RunAudit.Details(run), run.SourceConnectionId,
                new AuditActor(run.StartedByKind, run.StartedBy, null), CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogError(e, "run {RunId}: its outcome could not be written to the audit trail", run.Id);
        }
    }

    private async Task UpdateAsync(long runId,
        Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Run>> set, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(set, ct);
    }
}
