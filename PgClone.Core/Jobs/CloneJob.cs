using System.Diagnostics;
using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;
using PgClone.Core.Masking;

namespace PgClone.Core.Jobs;

/// <summary>
/// One run of a clone request, top to bottom: connect, snapshot, plan, masking gate, schema, then the load (data,
/// with each table's indexes, constraints and ANALYZE overlapping the copy of the others), post-data, masking proof.
/// Sessions: the source coordinator, N source workers and N target sessions (the first of which also runs the
/// ordered DDL), all opened while the run plans; the first source worker's session reads half the catalog for the
/// planner first; once the data is in, the index progress monitor opens one more (after the source workers closed).
/// </summary>
internal sealed class CloneJob(CloneRequest request, CloneRunOptions options, IColumnMasker? masker)
{
    public async Task<CloneResult> RunAsync(ProgressTracker progress, string jobId, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var session = new JobSession(jobId);
        if (request.Operation != CloneOperation.DatabaseCreate) return await RunOnAsync(session, request.Target, clock, progress, jobId, ct);
        var (target, created) = await CreateDatabaseAsync(session, ct);
        try { return await RunOnAsync(session, target, clock, progress, jobId, ct); }
        catch when (created && !_written)
        {
            // Refused or failed before its first write: the database this run created goes too, as if never asked for.
            await DropCreatedDatabaseAsync(session, target);
            throw;
        }
    }

    /// <summary>Set when the run starts changing the target database (its schema step); until then a refusal leaves nothing.</summary>
    private volatile bool _written;

    private async Task<CloneResult> RunOnAsync(JobSession session, ServerEndpoint target, Stopwatch clock, ProgressTracker progress, string jobId, CancellationToken ct)
    {
        var resume = options.ResumeFrom;
        var job = new JobContext(jobId, request, target, options, progress, session);

        var targets = new TargetPool(session, target, options);
        // The load's sessions start while the run plans (see SourceSnapshot.BeginAsync and TargetPool.OpenAsync).
        var loadSessions = request.EffectiveOptions.IncludeData ? job.Parallel : 0;
        // The target's first session starts while the source's snapshot begins: each is a connection's start-up
        // (authentication, the server's types). The source failing, its error is reported at once, as before: the
        // target's start is not waited for (a stalled host would hold the error until its connect_timeout, and
        // Npgsql does not cancel a start-up waiting for the server); a session it opens late the ended job closes.
        var targetOpen = targets.OpenAsync(loadSessions, ct);
        SourceSnapshot snapshot;
        try
        {
            snapshot = await SourceSnapshot.BeginAsync(session, request.Source, request.EffectiveOptions.Consistent, request.EffectiveOptions.LockWaitTimeout,
                catalogHelper: PlansWithPreflight(resume), loadSessions, ct);
        }
        catch
        {
            _ = targetOpen.Observed();
            throw;
        }
        await targetOpen;
        if (resume is not null) resume = await PendingSteps.ResolveAsync(job, targets.Main, resume, ct);

        var wait = request.EffectiveOptions.LockWaitTimeout;
        var (plan, checkedPlan) = await SourceLocks.PlanningAsync(session, request.Source, wait, () => PlanAsync(snapshot, targets, target, resume, loadSessions > 0, ct), ct);
        // The tables this run reads are locked before anything else reads their rows (the masking gate, the subset)
        // and before the plan is recorded: a run refused here wrote nothing, and its resume plans again.
        var earlier = resume?.Tables ?? [];
        var unlocked = await SourceLocks.TakeAsync(snapshot, request.Source, plan.Tables.Where(t => !earlier.ContainsKey(t.Target.Quoted)).Select(t => t.Source), wait, ct);
        if (options.Checkpoints is not null && resume?.Plan is null)
            await options.Checkpoints.SavePlanAsync(jobId, plan, CancellationToken.None);
        if (masker is not null && checkedPlan is null) await snapshot.OnCoordinatorAsync(async c => { await masker.EnsureCoverageAsync(c, plan, ct); return 0; });
        // The subset narrows what is copied, in this run's snapshot (a resume chooses again in its own).
        Subsetting.SubsetReport? subset = null;
        if (request.EffectiveOptions.Subset is not null && request.EffectiveOptions.IncludeData)
            (plan, subset) = await snapshot.OnCoordinatorAsync(c => Subsetting.SubsetPlanner.ApplyAsync(request, plan, c, ct));
        await snapshot.OnCoordinatorAsync(async c => { await WhereFunctions.CheckAsync(c, request.Source, snapshot.Warmup, plan.Tables, ct); return 0; });
        // The preflight, when it ran, read the same rows in this snapshot: its anti-joins are not run twice.
        if (checkedPlan is null) await snapshot.OnCoordinatorAsync(async c => { await WhereForeignKeys.CheckAsync(c, request.Source, snapshot.Warmup, plan, ct); return 0; });

        var doneSteps = resume?.Steps ?? [];
        var ddl = new DdlSteps(job, targets, doneSteps);
        _written = true;
        await ddl.PreDataAsync(plan.PreData, resume?.PreDataDone ?? 0, ct);

        var toCopy = plan.Tables.Where(t => !earlier.ContainsKey(t.Target.Quoted)).ToList();
        progress.Phase(JobPhase.CopyingData);
        progress.Tables(plan.Tables.Count, toCopy.Sum(t => Math.Max(0, t.EstimatedBytes)), 0);
        var results = new List<TableResult>();
        foreach (var t in plan.Tables.Where(t => earlier.ContainsKey(t.Target.Quoted)))
        {
            var e = earlier[t.Target.Quoted];
            progress.TableAlreadyDone(e.Rows, e.Bytes);
            results.Add(new TableResult(t.Target, e.Rows, e.Bytes, TimeSpan.FromSeconds(e.Seconds)) { CopiedByJob = e.CopiedByJob });
        }
        // Tables the plan left to their copy, which no earlier job created ahead of a load in ranges: their COPY's
        // transaction creates them (so a failed one leaves no table behind).
        var toCreate = toCopy.Where(t => t.Create.Count > 0 && !doneSteps.Contains(DdlSteps.CreateStep(t))).Select(t => t.Target.Quoted).ToHashSet();
        // A resumed job empties the tables it created and may have left half-loaded. (A table it did not create
        // was loaded by one COPY that either committed, and is checkpointed, or left nothing.)
        var mustTruncate = resume is null ? new HashSet<string>()
            : toCopy.Where(t => t.CreatedInRun && !toCreate.Contains(t.Target.Quoted)).Select(t => t.Target.Quoted).ToHashSet();
        // Indexes, constraints and ANALYZE overlap the load: each starts as soon as the tables it needs are in.
        var steps = PostDataGates.Steps(plan, doneSteps);
        // Without a masking proof to run, the source snapshot has served its purpose once the data is in: release
        // it (and its session) then rather than hold back the source's vacuum during the remaining index builds.
        // Large objects are read under the snapshot after the tables, so it is kept for them. The masking proof runs
        // after the index builds: it finds its sampled rows through the target's primary key in a few milliseconds,
        // where beside the builds it had to scan and hash every masked table, taking CPU from them (benchmark's
        // masked case: 1.5 s of target CPU beside the builds, the run 0.4-0.6 s longer).
        Func<Task>? onLoaded = masker is null && plan.LargeObjects.Count == 0 ? () => snapshot.EndAsync(ct) : null;
        var copied = await new DataCopyPhase(job, snapshot, targets, mustTruncate, toCreate, ddl, masker).RunAsync(toCopy, steps, doneSteps, onLoaded, ct);
        results.AddRange(copied.Select(r => r with { CopiedByJob = jobId }));
        if (plan.LargeObjects.Count > 0)
        {
            await snapshot.OnCoordinatorAsync(c => Copying.LargeObjectCopier.CopyAsync(c, request.Source, targets.Main, target, plan.LargeObjects, ct));
            if (masker is null) await snapshot.EndAsync(ct);
        }

        await ddl.InOrderAsync(JobPhase.Triggers, "post-data", plan.PostData, ct);

        progress.Phase(JobPhase.Verifying);
        var notes = new List<string>();
        if (masker is not null)
        {
            var proof = await snapshot.OnCoordinatorAsync(c => masker.ProveAsync(c, targets.Main, plan, ct));
            if (proof is not null) notes.Add(proof);
            await snapshot.EndAsync(ct);
        }
        notes.AddRange(ConsistencyNotes(plan, results, jobId, snapshot.Id));
        if (plan.UnreadOnStandby.Count > 0) notes.Add(StandbyNote(plan.UnreadOnStandby));
        if (unlocked is not null) notes.Add(unlocked);
        notes.AddRange(job.Notes);
        notes.AddRange(_notes);
        notes.AddRange(plan.Notes);

        var byTable = results.GroupBy(r => r.Table).ToDictionary(g => g.Key, g => g.First());
        var ordered = plan.Tables.Select(t => byTable[t.Target]).ToList();
        return new CloneResult(request.Operation, ordered, [.. _skipped, .. plan.Skipped], clock.Elapsed) { Notes = notes, JobId = jobId, Phases = progress.PhaseTimings(), Subset = subset };
    }

    /// <summary>The run's plan (a resume's is recorded), and the preflight's when the preflight made it.</summary>
    /// <param name="load">Whether the run loads data: its load's first worker reads on the planner's catalog helper.</param>
    private async Task<(ClonePlan Plan, ClonePlan? Checked)> PlanAsync(SourceSnapshot snapshot, TargetPool targets, ServerEndpoint target, JobCheckpoint? resume,
        bool load, CancellationToken ct)
    {
        // The preflight, on the run's own sessions, before anything changes: a blocker stops the run with the list.
        // Its plan is the run's plan when the default planner makes it (same snapshot, same target state). A resume
        // of a run that ended before its plan was recorded (refused, or failed while planning) wrote nothing: it is
        // checked as a new run is, rather than fail on its first statement.
        ClonePlan? checkedPlan = null;
        if (PlansWithPreflight(resume))
        {
            var helper = snapshot.TakeCatalogHelper();
            List<Preflight.PreflightCheck> checks;
            ClonePlan? preview;
            try
            {
                (checks, preview) = await snapshot.OnCoordinatorAsync(c => Preflight.PreflightRunner.CheckAsync(request, c, targets.Main, target, masker,
                    new Preflight.PreflightOptions { PreviewSubset = false }, ct, catalogHelper: helper));
            }
            catch
            {
                await snapshot.CloseAsync(helper);
                throw;
            }
            var report = new Preflight.PreflightReport(checks);
            await snapshot.ReturnCatalogHelperAsync(helper, forLoad: load && report.Status != Preflight.PreflightStatus.Blocker);
            if (report.Status == Preflight.PreflightStatus.Blocker) throw report.Refusal();
            checkedPlan = preview;
        }
        return (resume?.Plan ?? checkedPlan ?? await snapshot.OnCoordinatorAsync(c => options.Planner(PlanRequest(request), c, targets.Main, masker, ct)), checkedPlan);
    }

    /// <summary>Whether the run's plan is the preflight's (<see cref="PlanAsync"/>), made with a second source session reading half the catalog.</summary>
    private bool PlansWithPreflight(JobCheckpoint? resume) =>
        resume?.Plan is null && options.Preflight && options.Planner == (PlanProvider)ClonePlanner.PlanAsync;

    /// <summary>What database-create left out of CREATE DATABASE itself (with skip_unsupported).</summary>
    private readonly List<string> _skipped = [];

    /// <summary>What database-create says of the database it cloned into (<see cref="DatabaseDdl.KeptLocale"/>).</summary>
    private readonly List<string> _notes = [];

    /// <summary>database-create's target_name named the database; the planner reads it as a table's new name.</summary>
    internal static CloneRequest PlanRequest(CloneRequest request) => request.Operation == CloneOperation.DatabaseCreate
        ? request with { Options = request.EffectiveOptions with { TargetName = null } }
        : request;

    /// <summary>
    /// database-create: CREATE DATABASE on the target server (through its maintenance database) unless it exists;
    /// whether this run created it.
    /// </summary>
    private async Task<(ServerEndpoint Target, bool Created)> CreateDatabaseAsync(JobSession session, CancellationToken ct)
    {
        var name = TargetDatabaseName(request);
        var conn = await session.OpenAsync(request.Target, "create-database", ct, database: "postgres");
        try
        {
            var exists = await JobSession.ScalarAsync<bool>(conn, request.Target,
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)", ct, name);
            if (exists)
            {
                Catalog.DatabaseProperties kept;
                try { kept = await Catalog.CatalogReader.ReadDatabasePropertiesAsync(conn, ct, name); }
                catch (NpgsqlException e) { throw PgCloneException.FromDriver(request.Target, $"database {Sql.Ident(name)}", e); }
                if (DatabaseDdl.KeptLocale(name, kept, await SourcePropertiesAsync(session, ct)) is { } note) _notes.Add(note);
            }
            else
            {
                var properties = await SourcePropertiesAsync(session, ct);
                if (properties.Tablespace is { } space && !await JobSession.ScalarAsync<bool>(conn, request.Target,
                        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tablespace WHERE spcname = $1)", ct, space))
                {
                    PlanScope.RefuseOrSkip(request, [PlanScope.TablespaceMissing($"database {Sql.Ident(request.Source.Database ?? name)}", space)], _skipped);
                    properties = properties with { Tablespace = null };
                }
                await JobSession.ExecAsync(conn, request.Target, $"database {Sql.Ident(name)}", DatabaseDdl.Create(name, properties), ct);
            }
            return (request.Target.WithDatabase(name), !exists);
        }
        finally { await session.CloseAsync(conn); }
    }

    /// <summary>
    /// Drops the database this run created and never wrote to, ending the run's own sessions to it (FORCE); a failure
    /// to drop it is not the run's error, which is the one reported.
    /// </summary>
    private async Task DropCreatedDatabaseAsync(JobSession session, ServerEndpoint target)
    {
        try
        {
            var conn = await session.OpenAsync(request.Target, "drop-database", CancellationToken.None, database: "postgres");
            try { await JobSession.ExecAsync(conn, request.Target, null, $"DROP DATABASE IF EXISTS {Sql.Ident(target.Database!)} WITH (FORCE)", CancellationToken.None); }
            finally { await session.CloseAsync(conn); }
        }
        catch (Exception e) when (e is PgCloneException or NpgsqlException or OperationCanceledException) { /* the run's own error is reported */ }
    }

    /// <summary>The source database's encoding, locale, connection limit and tablespace, which the new database takes.</summary>
    private async Task<Catalog.DatabaseProperties> SourcePropertiesAsync(JobSession session, CancellationToken ct)
    {
        var conn = await session.OpenAsync(request.Source, "database-properties", ct);
        try { return await Catalog.CatalogReader.ReadDatabasePropertiesAsync(conn, ct); }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(request.Source, null, e); }
        finally { await session.CloseAsync(conn); }
    }

    /// <summary>The database database-create makes: target_name, else the target conninfo's dbname, else the source's.</summary>
    public static string TargetDatabaseName(CloneRequest request)
    {
        var name = request.EffectiveOptions.TargetName
            ?? (request.Target.Database is { Length: > 0 } d && d != "postgres" ? d : null)
            ?? request.Source.Database;
        if (request.EffectiveOptions.TargetName is { } chosen) PgName.CheckTargetName(chosen);
        return name is { Length: > 0 } ? name : throw new PgCloneException("database-create: no database name: give target_name or a dbname in the target connection");
    }

    /// <summary>What a run from a hot standby left empty, and how to get it.</summary>
    private static string StandbyNote(IReadOnlyList<string> unread) =>
        $"the source is a hot standby, which holds no rows of unlogged tables and no state of unlogged sequences: " +
        $"{string.Join(", ", unread)} created empty (clone from the primary to copy them)";

    private static IEnumerable<string> ConsistencyNotes(ClonePlan plan, List<TableResult> results, string jobId, string? snapshotId)
    {
        if (plan.Tables.Count == 0) yield break;
        // The snapshot id is evidence of what the run read: every table as of the instant it names (a resumed run's,
        // those this job copied; the earlier job's were read at another instant, and the source may have changed since).
        var earlier = results.Where(r => r.CopiedByJob != jobId).ToList();
        yield return snapshotId is null
            ? "consistent=false: each table was read in its own snapshot, not as of one instant"
            : $"{CloneResult.SnapshotNote}{snapshotId}: every table {(earlier.Count > 0 ? "this job copied " : "")}was read as of this one instant";
        if (earlier.Count > 0)
            yield return $"resumed: {Words.Count(earlier.Count, "table")} {(earlier.Count == 1 ? "was" : "were")} copied by an earlier job under a different snapshot: " +
                         string.Join(", ", earlier.Select(r => $"{r.Table} (job {r.CopiedByJob})")) +
                         "; if the source changed between the jobs, they hold its earlier rows (pgclone verify compares them with the source now)";
    }
}
