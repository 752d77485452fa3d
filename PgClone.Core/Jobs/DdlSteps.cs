using System.Collections.Concurrent;
using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>
/// Runs the plan's DDL on the target: PreData in order in a few transactions, independent steps (indexes,
/// constraints, ANALYZE) on the load's target sessions as <see cref="DataCopyPhase"/> hands them out, PostData in
/// order. Every step commits durably before it is checkpointed (<see cref="StepCommit"/>), and steps a resumed job
/// already did are skipped.
/// </summary>
internal sealed class DdlSteps(JobContext job, TargetPool targets, IReadOnlySet<string> done)
{
    /// <summary>PreData statements per transaction: bounded lock table use, and a resume restarts at most this many.</summary>
    private const int PreDataTransaction = 200;
    /// <summary>Single statements sent together in one round trip.</summary>
    private const int RoundTrip = 50;

    public async Task PreDataAsync(IReadOnlyList<DdlStatement> statements, int alreadyDone, CancellationToken ct)
    {
        job.Progress.Phase(JobPhase.Schema, statements.Count);
        for (var i = 0; i < alreadyDone; i++) job.Progress.StepDone();
        for (var start = alreadyDone; start < statements.Count; start += PreDataTransaction)
        {
            var end = Math.Min(statements.Count, start + PreDataTransaction);
            var step = JobCheckpoint.Step("pre-data", end);
            var conn = targets.Main;
            await StepCommit.RunAsync(job, conn, targets.Server, $"schema step {start + 1}-{end}", async () =>
            {
                var i = start;
                while (i < end)
                {
                    var group = Group(statements, i, end);
                    await ExecGroupAsync(conn, group, ct);
                    for (var k = 0; k < group.Count; k++) job.Progress.StepDone();
                    i += group.Count;
                }
                return 0;
            }, _ => new PendingStep(step, 0), ct);
            await job.StepDoneAsync(step);
        }
    }

    /// <summary>The checkpoint key of a table created before its load (<see cref="CreateTableAsync"/>).</summary>
    public static string CreateStep(TableData t) => $"create:{t.Target.Quoted}";

    /// <summary>
    /// Creates a table the plan left to its copy (<see cref="TableData.Create"/>) ahead of the load, committed
    /// durably and checkpointed: a table loaded in ranges, by several sessions at once, each range committing alone.
    /// </summary>
    public async Task CreateTableAsync(TableData t, CancellationToken ct)
    {
        var step = CreateStep(t);
        await StepCommit.RunAsync(job, targets.Main, targets.Server, $"table {t.Target}", () => Task.FromResult(0),
            _ => new PendingStep(step, 0), ct, t.Create);
        await job.StepDoneAsync(step);
    }

    /// <summary>
    /// The next statements to send in one round trip: consecutive single statements (no semicolon, which a batch
    /// command cannot hold), or one statement on its own.
    /// </summary>
    private static List<DdlStatement> Group(IReadOnlyList<DdlStatement> statements, int from, int end)
    {
        var group = new List<DdlStatement> { statements[from] };
        if (!JobSession.Batchable([statements[from].Sql])) return group;
        for (var i = from + 1; i < end && group.Count < RoundTrip && JobSession.Batchable([statements[i].Sql]); i++) group.Add(statements[i]);
        return group;
    }

    private async Task ExecGroupAsync(NpgsqlConnection conn, List<DdlStatement> group, CancellationToken ct)
    {
        // Replayed one by one when the batch fails, so the error names the statement the server rejected.
        if (group.Count > 1 && await TryBatchAsync(conn, group, ct)) return;
        foreach (var s in group) await JobSession.ExecAsync(conn, targets.Server, s.ToString(), s.Sql, ct);
    }

    /// <summary>
    /// Runs statements in one round trip inside the transaction open on <paramref name="conn"/>, behind a savepoint:
    /// false, with the transaction as it was before them, when they cannot go in one (<see cref="JobSession.TryBatchAsync"/>).
    /// A broken connection fails, named <paramref name="objectName"/> (default: the first statement's object).
    /// </summary>
    private async Task<bool> TryBatchAsync(NpgsqlConnection conn, IReadOnlyList<DdlStatement> statements, CancellationToken ct, string? objectName = null)
    {
        string[] sql = ["SAVEPOINT pgclone_batch", .. statements.Select(s => s.Sql), "RELEASE SAVEPOINT pgclone_batch"];
        if (!JobSession.Batchable(sql)) return false;
        if (await JobSession.TryBatchAsync(conn, targets.Server, objectName ?? statements[0].ToString(), sql, ct)) return true;
        await JobSession.ExecAsync(conn, targets.Server, null, "ROLLBACK TO SAVEPOINT pgclone_batch", ct);
        return false;
    }

    /// <summary>
    /// Runs a small table's own steps (<see cref="LoadScheduler{TCopy}.Claim"/>) in its copy's open transaction, in one
    /// round trip: false, with nothing of them done, when the server rejected one (they then run as steps, which name
    /// the error). Recorded with <see cref="ClaimedCommittedAsync"/> once the transaction commits.
    /// </summary>
    public Task<bool> TryInTransactionAsync(NpgsqlConnection conn, string table, IReadOnlyList<PostDataStep> steps, CancellationToken ct) =>
        TryBatchAsync(conn, KeysInOne([.. steps.Select(s => s.Statement)]), ct, table);

    /// <summary>
    /// The statements with each key that is built as a unique index, then attached, added by its own ADD CONSTRAINT
    /// when both are among them: in one transaction the two-step build gains nothing, and the attach is one more
    /// statement per table (300 tiny tables, replayed: the target's CPU 0.54 -> 0.48 s).
    /// </summary>
    private static List<DdlStatement> KeysInOne(List<DdlStatement> statements)
    {
        var attached = statements.Where(s => s.UsingIndex).Select(s => s.ObjectName).ToHashSet();
        var merged = statements.Where(s => s.AsKey is not null && attached.Contains(s.ObjectName)).Select(s => s.ObjectName).ToHashSet();
        return [.. statements.Where(s => !(s.UsingIndex && merged.Contains(s.ObjectName)))
            .Select(s => s.AsKey is { } key && merged.Contains(s.ObjectName) ? s with { ObjectKind = "constraint", Sql = key } : s)];
    }

    /// <summary>Records claimed steps done, together: a checkpoint file writes them in one or two synced writes.</summary>
    public async Task ClaimedCommittedAsync(IReadOnlyList<PostDataStep> steps)
    {
        await Task.WhenAll(steps.Where(s => s.StepKind != PostDataGates.Analyze).Select(s => job.StepDoneAsync(s.Key)));
        foreach (var _ in steps) job.Progress.StepDone();
    }

    /// <summary>
    /// One index or constraint step, committed durably. Two foreign keys forming a cycle, added at once by two
    /// workers, lock their tables in opposite orders; PostgreSQL aborts one as a deadlock victim, whose statement
    /// rolled back whole and runs again. A step whose object already exists with the same definition is done.
    /// </summary>
    private async Task RunDurablyAsync(NpgsqlConnection conn, DdlStatement statement, string step, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StepCommit.RunStatementAsync(job, conn, targets.Server, statement.ToString(), statement.Sql, new PendingStep(step, 0), ct);
                return;
            }
            catch (PgCloneException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected } && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt * Random.Shared.Next(1, 4)), ct);
            }
            catch (PgCloneException e) when (e.InnerException is PostgresException { SqlState: not PostgresErrorCodes.DeadlockDetected })
            {
                if (await ExistingDefinitions.AlreadyDoneAsync(conn, targets.Server, statement, e, ct)) return;
                if (UnresolvedName(e) && await WithExtensionSchemasAsync(conn, statement,
                        () => StepCommit.RunStatementAsync(job, conn, targets.Server, statement.ToString(), statement.Sql, new PendingStep(step, 0), ct), ct)) return;
                throw Explained(e, statement, masked: Masked, resumed: Resumed);
            }
        }
    }

    /// <summary>Whether the run masks columns (a broken key may then be the masks', not the source's).</summary>
    private bool Masked => job.Request.EffectiveOptions.Mask is { Count: > 0 };

    /// <summary>The run resumes another: tables it copied were read in that job's snapshot, the others in this one's.</summary>
    private bool Resumed => job.Options.ResumeFrom is not null;

    private static bool UnresolvedName(PgCloneException e) => e.InnerException is PostgresException
        { SqlState: PostgresErrorCodes.UndefinedObject or PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.UndefinedTable };

    /// <summary>
    /// An index or constraint calling an extension's SQL function whose body names the extension's objects unqualified
    /// (earthdistance's ll_to_earth in a GiST index: "type earth does not exist"; the table's ANALYZE then evaluates it
    /// too) runs only with the extension's schema on the search path, as the source's session had it (pg_dump's restore
    /// fails on it and goes on without the index): <paramref name="run"/> is tried once more so, noted; false when that
    /// fails too (the first error stands).
    /// </summary>
    private async Task<bool> WithExtensionSchemasAsync(NpgsqlConnection conn, DdlStatement statement, Func<Task> run, CancellationToken ct)
    {
        if (conn.FullState != System.Data.ConnectionState.Open) return false;
        var schemas = await JobSession.ScalarAsync<string>(conn, targets.Server,
            "SELECT coalesce(string_agg(DISTINCT quote_ident(n.nspname), ', '), '') FROM pg_catalog.pg_extension e " +
            "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname <> 'pg_catalog'", ct);
        if (schemas.Length == 0) return false;
        var saved = await JobSession.ScalarAsync<string>(conn, targets.Server, "SELECT pg_catalog.current_setting('search_path')", ct);
        await SetSearchPathAsync(conn, saved.Length == 0 ? schemas : $"{saved}, {schemas}", ct);
        try { await run(); }
        catch (PgCloneException) { return false; }
        finally { await SetSearchPathAsync(conn, saved, CancellationToken.None); }
        job.Notes.Enqueue($"{statement}: run with the extensions' schemas ({schemas}) on the search path, as a function it calls names their objects unqualified");
        return true;
    }

    private Task SetSearchPathAsync(NpgsqlConnection conn, string path, CancellationToken ct) =>
        JobSession.ExecAsync(conn, targets.Server, null, $"SELECT pg_catalog.set_config('search_path', {Sql.Literal(path)}, false)", ct);

    /// <summary>
    /// What the copied rows break, said with its cause: a foreign key (they are the source's rows, so the source
    /// breaks it too: rows written while its triggers were disabled), or a materialized view's unique index (the
    /// post-data's only unique builds: the view's rows, computed anew from the copied tables, repeat a key, where
    /// the source's view still holds the rows of an earlier REFRESH).
    /// </summary>
    private static PgCloneException Explained(PgCloneException e, DdlStatement statement, bool inPostData = false, bool masked = false, bool resumed = false) => e.InnerException switch
    {
        // Masks can break a key the source keeps: a key's columns masked with different rules, or under a
        // nondeterministic collation, where values equal to the key differ byte for byte and hash apart.
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } when statement.ReferencesTargetOwn =>
            new PgCloneException(e.Message + $": the table it references{(statement.References is { } r ? $", {r.Quoted}," : "")} is the target's own (this run " +
                                 "did not clone it) and lacks rows the copied rows reference; clone it too, or load those rows first", e.InnerException),
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } when statement.References is not null && masked =>
            new PgCloneException(e.Message + ": the mask rules may have given the referencing and the referenced columns different values (each needs the same " +
                                 "keyed rule, and values equal only under a nondeterministic collation hash apart); or the source's rows break it too " +
                                 "(written while its triggers were disabled, or under session_replication_role = replica), unless a filter or subset left out the rows they reference", e.InnerException),
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } when statement.References is not null && resumed =>
            new PgCloneException(e.Message + ": this run resumed one whose tables were read in an earlier snapshot, and the source changed between them " +
                                 "(or its rows break the key too: written while its triggers were disabled); run the clone afresh", e.InnerException),
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } when statement.References is not null =>
            new PgCloneException(e.Message + ": the source's rows break it too (written while its triggers were disabled, or under " +
                                 "session_replication_role = replica), unless a filter or subset left out the rows they reference; mend them on the source", e.InnerException),
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } when masked && !inPostData =>
            new PgCloneException(e.Message + ": masked values collide in it: a mask rule on one of its columns gave different values the same mask " +
                                 "(the source's values are distinct); use keyed_hash, keep_format or hash there, on a column long enough for distinct values " +
                                 "(a keyed_hash cut to a short column repeats)", e.InnerException),
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } when inPostData && statement.ObjectKind == "index" =>
            new PgCloneException(e.Message + ": the materialized view's rows, computed from the copied tables, repeat its key; the source's view " +
                                 "holds the rows of a REFRESH before its tables changed (REFRESH MATERIALIZED VIEW on the source fails the same way)", e.InnerException),
        _ => e,
    };

    public async Task InOrderAsync(JobPhase phase, string stepKind, IReadOnlyList<DdlStatement> statements, CancellationToken ct)
    {
        job.Progress.Phase(phase, statements.Count);
        // The session's maintenance_work_mem, the run's cap (TargetPool) until an index here is sized otherwise.
        var memory = job.Options.MaxBuildMemory;
        for (var i = 0; i < statements.Count; i++)
        {
            var step = JobCheckpoint.Step(stepKind, i);
            if (!done.Contains(step))
            {
                var s = statements[i];
                var wanted = s.ObjectKind == "index" && s.Table is { } on ? await BuildMemoryForAsync(on, ct) : job.Options.MaxBuildMemory;
                if (wanted != memory) await SetBuildMemoryAsync(memory = wanted, s.ToString(), ct);
                try { await StepCommit.RunStatementAsync(job, targets.Main, targets.Server, s.ToString(), s.Sql, new PendingStep(step, 0), ct); }
                catch (PgCloneException e) { throw Explained(e, s, inPostData: stepKind == "post-data", masked: Masked, resumed: Resumed); }
                await job.StepDoneAsync(step);
            }
            job.Progress.StepDone();
        }
        if (memory != job.Options.MaxBuildMemory) await SetBuildMemoryAsync(job.Options.MaxBuildMemory, null, ct);
    }

    /// <summary>
    /// The memory of an index built in order (a materialized view's, after its REFRESH): what <see cref="BuildMemory"/>
    /// sizes to its relation, as the builds after a load get; its size is the target's own by then.
    /// </summary>
    private async Task<long> BuildMemoryForAsync(Catalog.QualifiedName on, CancellationToken ct)
    {
        var bytes = await JobSession.ScalarAsync<long>(targets.Main, targets.Server,
            "SELECT coalesce(pg_catalog.pg_relation_size(pg_catalog.to_regclass($1)), 0)", ct, on.Quoted);
        return BuildMemory.For(bytes, job.Options.MaxBuildMemory, job.Options.MaxParallelMaintenanceWorkers);
    }

    private Task SetBuildMemoryAsync(long bytes, string? objectName, CancellationToken ct) =>
        JobSession.ExecAsync(targets.Main, targets.Server, objectName, BuildMemory.Set(bytes), ct);

    /// <summary>
    /// Runs <paramref name="work"/> while reporting the progress of index builds from pg_stat_progress_create_index;
    /// the work tells which statement each target session (by worker number) is running, null when it ends. The
    /// monitor's own session opens once <paramref name="startWhen"/> completes (when the copy's source sessions are
    /// closed, so it never adds to the copy's 2N+1 sessions).
    /// </summary>
    public async Task MonitoringIndexesAsync(Func<Action<int, DdlStatement?>, Task> work, Task startWhen, CancellationToken ct)
    {
        var building = new ConcurrentDictionary<int, DdlStatement>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var monitor = MonitorIndexesAsync(building, startWhen, stop.Token);
        try
        {
            await work((w, s) =>
            {
                if (s is null) building.TryRemove(w, out _);
                else building[w] = s;
            });
        }
        finally
        {
            await stop.CancelAsync();
            await monitor;
        }
    }

    /// <summary>
    /// One index, constraint or ANALYZE step on worker <paramref name="worker"/>'s target session. ANALYZE is not
    /// checkpointed: it is cheap, and a resume must run it again to describe the final data.
    /// </summary>
    public async Task RunStepAsync(int worker, PostDataStep step, CancellationToken ct)
    {
        var conn = targets[worker];
        if (step.StepKind == PostDataGates.Analyze)
            await AnalyzeAsync(conn, step.Statement, ct);
        else
        {
            await RunDurablyAsync(conn, step.Statement, step.Key, ct);
            await job.StepDoneAsync(step.Key);
        }
        job.Progress.StepDone();
    }

    /// <summary>
    /// ANALYZE only gathers statistics (a restore of pg_dump's output runs none): one the server refuses for the data
    /// (PostgreSQL 15 fails on a numrange bound beyond double precision, on the source too) leaves the table without
    /// statistics, noted, rather than failing a run whose rows are all in.
    /// </summary>
    private async Task AnalyzeAsync(NpgsqlConnection conn, DdlStatement statement, CancellationToken ct)
    {
        Task Analyze() => JobSession.ExecAsync(conn, targets.Server, statement.ToString(), statement.Sql, ct);
        try { await Analyze(); }
        catch (PgCloneException e) when (UnresolvedName(e))
        {
            if (!await WithExtensionSchemasAsync(conn, statement, Analyze, ct)) throw;
        }
        catch (PgCloneException e) when (e.InnerException is PostgresException { SqlState: var state } p && (state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("54", StringComparison.Ordinal))
                                         && conn.FullState == System.Data.ConnectionState.Open)
        {
            // The message may quote a value of a thousand digits.
            var reason = p.MessageText.Length <= 200 ? p.MessageText : p.MessageText[..100] + "…" + p.MessageText[^60..];
            job.Notes.Enqueue($"{statement.Sql}: no statistics gathered: {reason}");
        }
    }

    private async Task MonitorIndexesAsync(ConcurrentDictionary<int, DdlStatement> building, Task startWhen, CancellationToken ct)
    {
        NpgsqlConnection? conn = null;
        try
        {
            await startWhen.WaitAsync(ct);
            conn = await job.Session.OpenAsync(targets.Server, "monitor", ct);
            using var ticker = new Ticker(TimeSpan.FromMilliseconds(500), ct);
            while (await ticker.NextAsync())
            {
                var byPid = building.ToDictionary(kv => targets[kv.Key].ProcessID, kv => kv.Value.ToString());
                if (byPid.Count == 0) { job.Progress.IndexBuilds([]); continue; }
                await using var cmd = new NpgsqlCommand(
                    "SELECT pid, phase, blocks_done, blocks_total, tuples_done, tuples_total FROM pg_catalog.pg_stat_progress_create_index WHERE pid = ANY($1)", conn);
                cmd.Parameters.Add(new NpgsqlParameter { Value = byPid.Keys.ToArray() });
                var builds = new List<IndexBuildProgress>();
                await using (var r = await cmd.ExecuteReaderAsync(ct))
                    while (await r.ReadAsync(ct))
                        if (byPid.TryGetValue(r.GetInt32(0), out var name))
                            builds.Add(new IndexBuildProgress(name, r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5)));
                job.Progress.IndexBuilds(builds);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is NpgsqlException or PgCloneException) { /* progress detail only: never fails the run */ }
        finally
        {
            if (conn is not null) await job.Session.CloseAsync(conn);
        }
    }
}
