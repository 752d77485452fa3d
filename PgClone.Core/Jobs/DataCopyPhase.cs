using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Copying;
using PgClone.Core.Ddl;
using PgClone.Core.Masking;

namespace PgClone.Core.Jobs;

/// <summary>
/// Loads the plan's tables and, overlapping the load, builds each table's indexes and constraints as soon as what
/// they need is in (<see cref="PostDataGates"/>, <see cref="LoadScheduler{TCopy}"/>). N workers, each with a target
/// session and, while it copies, a source session in the run's snapshot: the same sessions as without overlap.
/// Copies start largest first (a table with a slow index counts as larger, so that build starts early); the first
/// of them, when it has a slow index, is loaded by every worker at once, so its build (the run's critical path)
/// starts as early as it can. A table above the split size becomes several ranges copied by several workers at
/// once. A table the plan left to its copy is created by the worker that loads it, in its COPY's transaction (then
/// with FREEZE unless tiny; small ones share one, see DataCopyPhase.Batches.cs), or before the load when it is loaded in ranges. Another table loaded whole is truncated
/// and loaded with COPY FREEZE in one transaction when it was created by this run and is not tiny, or is re-copied by
/// a resume.
/// </summary>
/// <param name="toCreate">Tables the copy creates (<see cref="TableData.Create"/>, not created by an earlier job).</param>
internal sealed partial class DataCopyPhase(
    JobContext job, SourceSnapshot snapshot, TargetPool targets, IReadOnlyCollection<string> mustTruncate, IReadOnlySet<string> toCreate,
    DdlSteps ddl, IColumnMasker? masker)
{
    private sealed class TableState(TableData data, int parts)
    {
        public readonly TableData Data = data;
        public readonly string Name = $"table {data.Target}";
        public int PartsLeft = parts;
        public long Rows, Bytes;
        public readonly Stopwatch Clock = new();
        public int Failed;
    }

    /// <summary>How much larger a table with a slow index counts when ordering the copies (its build starts earlier).</summary>
    private const int SlowWeight = 4;

    /// <summary>Why a table is copied in ranges by several workers beside its size.</summary>
    private enum Spread { None, Masked, Lead }

    /// <summary>Copies a worker's source transaction holds the locks of before it starts another in the snapshot.</summary>
    private const int CopiesPerSourceTransaction = 32;

    /// <param name="Create">Whether the copy creates the table in its transaction.</param>
    private sealed record CopyTask(TableState Table, string? Range, bool TruncateAndFreeze, long EstimatedBytes, bool Create = false);

    private readonly ConcurrentBag<TableResult> _results = [];
    private PgCloneException? _failure;
    private LoadScheduler<CopyTask> _scheduler = null!;
    private CopyWatch _watch = null!;
    private Func<Task>? _onLoaded;
    private int _loadedReported, _openSources;
    /// <summary>Each worker's session's max_parallel_maintenance_workers and maintenance_work_mem.</summary>
    private (int Workers, long Memory)[] _build = [];
    private readonly TaskCompletionSource _monitorStart = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>The tables this load copies, by target name.</summary>
    private readonly Dictionary<Catalog.QualifiedName, TableState> _tables = [];
    /// <summary>The target's autovacuum_analyze_threshold (see <see cref="LeftUnanalyzed"/>).</summary>
    private long _analyzeFrom;

    /// <param name="steps">The index and constraint steps to run as their tables land.</param>
    /// <param name="done">Steps an earlier job already did.</param>
    /// <param name="onLoaded">Called once, when the last table's data is in.</param>
    public async Task<IReadOnlyList<TableResult>> RunAsync(IReadOnlyList<TableData> tables, IReadOnlyList<PostDataStep> steps,
        IEnumerable<string> done, Func<Task>? onLoaded, CancellationToken ct)
    {
        _onLoaded = onLoaded;
        var slow = steps.Where(s => s.StepKind == "index" && PostDataGates.IsSlowIndex(s.Statement) && s.Statement.Table is not null)
            .Select(s => s.Statement.Table!.Value).ToHashSet();
        var tasks = new List<CopyTask>();
        long Weight(long bytes, Catalog.QualifiedName table) => bytes * (slow.Contains(table) ? SlowWeight : 1);
        var lead = tables.MaxBy(t => Weight(t.EstimatedBytes, t.Target)) is { } first && slow.Contains(first.Target) ? first : null;
        foreach (var t in tables)
        {
            var truncate = mustTruncate.Contains(t.Target.Quoted);
            var ranges = await RangesAsync(t, ReferenceEquals(t, lead) ? Spread.Lead : t.StreamMasks.Count > 0 ? Spread.Masked : Spread.None, ct);
            var state = new TableState(t, Math.Max(1, ranges.Count));
            _tables[t.Target] = state;
            var create = toCreate.Contains(t.Target.Quoted);
            if (ranges.Count == 0)
            {
                tasks.Add(create ? new CopyTask(state, null, false, t.EstimatedBytes, Create: true)
                    : new CopyTask(state, null, truncate || t.CreatedInRun && t.EstimatedBytes > job.Options.FreezeTablesLargerThan, t.EstimatedBytes));
                continue;
            }
            // Ranges load side by side, each committing on its own: the table must exist first.
            if (create) await ddl.CreateTableAsync(t, ct);
            // Ranges load side by side, so the table cannot be truncated per range: empty it once, up front.
            if (truncate) await JobSession.ExecAsync(targets.Main, targets.Server, state.Name, $"TRUNCATE {t.Target.Quoted}", ct);
            tasks.AddRange(ranges.Select(r => new CopyTask(state, r, false, t.EstimatedBytes / ranges.Count)));
        }
        var ordered = tasks.OrderByDescending(t => Weight(t.EstimatedBytes, t.Table.Data.Target));
        var workers = Math.Min(job.Parallel, Math.Max(1, tasks.Count + steps.Count));
        _scheduler = new LoadScheduler<CopyTask>(ordered, tasks.GroupBy(t => t.Table.Data.Target).ToDictionary(g => g.Key, g => g.Count()), steps, done,
            t => t.Table.Data.Target, tables.Where(t => t.LoadAfter.Count > 0).ToDictionary(t => t.Target, t => t.LoadAfter), workers);
        job.Progress.Tables(job.Progress.Current.TablesTotal, job.Progress.Current.BytesEstimated, workers);
        await targets.EnsureAsync(workers, ct);
        _analyzeFrom = await JobSession.ScalarAsync<long>(targets.Main, targets.Server, "SELECT pg_catalog.current_setting('autovacuum_analyze_threshold')::int8", ct);
        _build = [.. Enumerable.Repeat(SessionBuild, workers)];
        _batches = new List<Batched>?[workers];
        _tableInFlight = new bool[workers];
        _batchBegun = new long[workers];
        await using (_watch = new CopyWatch(job, targets.Server))
        {
            if (tasks.Count == 0) await LoadedAsync();
            await ddl.MonitoringIndexesAsync(running => Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkerAsync(w, running, ct))), _monitorStart.Task, ct);
        }
        if (_failure is not null) throw _failure;
        return [.. _results];
    }

    private async Task WorkerAsync(int worker, Action<int, DdlStatement?> running, CancellationToken ct)
    {
        NpgsqlConnection? source = null;
        var copies = 0;
        // The tables read in the source session's current transaction, checked before it ends.
        var read = new HashSet<string>();
        try
        {
            while (await NextAsync(worker, ct) is { } work)
            {
                ct.ThrowIfCancellationRequested();
                if (work is CopyTask task)
                {
                    if (source is null)
                    {
                        Interlocked.Increment(ref _openSources);
                        try { source = await snapshot.OpenWorkerAsync(worker + 1, ct); }
                        catch (PgCloneException e) { Interlocked.Decrement(ref _openSources); Fail(e); return; }
                    }
                    else if (++copies % CopiesPerSourceTransaction == 0)
                    {
                        try { await snapshot.RenewAsync(source, read, ct); }
                        catch (PgCloneException e) { Fail(e); return; }
                        read.Clear();
                    }
                    if (!await CopyOneAsync(worker, source, task, ct)) return;
                    read.Add(task.Table.Data.Source.Quoted);
                    if (_scheduler.NoCopiesLeft)
                    {
                        // Nothing left to copy: free the source session (and the server's snapshot) now.
                        if (!await EnsureUnchangedAsync(source, read, ct)) return;
                        await CloseSourceAsync(source);
                        source = null;
                    }
                    if (_scheduler.AllLoaded) await LoadedAsync();
                    continue;
                }
                var step = (PostDataStep)work;
                if (LeftUnanalyzed(step))
                {
                    job.Progress.StepDone();
                    _scheduler.StepEnded(step);
                    continue;
                }
                running(worker, step.Statement);
                try
                {
                    if (step.StepKind == "index") await SetBuildAsync(worker, BuildFor(step), step.Statement.ToString(), ct);
                    await ddl.RunStepAsync(worker, step, ct);
                }
                catch (PgCloneException e)
                {
                    FailStep(e);
                    // The worker goes on with the copies left, unless the failure took its target session down.
                    if (targets[worker].State != System.Data.ConnectionState.Open) return;
                    continue;
                }
                finally { running(worker, null); }
                _scheduler.StepEnded(step);
            }
            if (source is not null && !await EnsureUnchangedAsync(source, read, ct)) return;
            // The session builds post-data indexes (materialized views') after the load, sized from the session's setting.
            if (_failure is null)
            {
                try { await SetBuildAsync(worker, SessionBuild, null, ct); }
                catch (PgCloneException e) { Fail(e); }
            }
        }
        catch
        {
            // Anything else (the checkpoint store failing, cancellation) ends the run: the other workers must not wait
            // for this one's work to end.
            _scheduler.Stop();
            throw;
        }
        finally
        {
            // Ended early (a failure, a cancel): the tables its open transaction holds whole are kept, as each alone was.
            if (_batches[worker] is not null) await KeepBatchAsync(worker);
            if (source is not null) await CloseSourceAsync(source);
        }
    }

    /// <summary>
    /// A build's parallel workers (<see cref="LoadScheduler{TCopy}.WorkersFor"/>: all of them alone, else only for the
    /// job's idle sessions, and none beside a build that outweighs it) and its memory, sized to its table
    /// (<see cref="BuildMemory"/>). Set per session only when they change.
    /// </summary>
    private (int Workers, long Memory) BuildFor(PostDataStep step)
    {
        var workers = _scheduler.WorkersFor(step, job.Options.MaxParallelMaintenanceWorkers);
        return (workers, BuildMemory.For(step.TableBytes, job.Options.MaxBuildMemory, workers));
    }

    /// <summary>What a target session starts with (<see cref="TargetPool"/>), and has again after the load: the post-data builds (materialized views') are sized from it (<see cref="DdlSteps.InOrderAsync"/>).</summary>
    private (int Workers, long Memory) SessionBuild => (job.Options.MaxParallelMaintenanceWorkers, job.Options.MaxBuildMemory);

    private async Task SetBuildAsync(int worker, (int Workers, long Memory) wanted, string? objectName, CancellationToken ct)
    {
        if (_build[worker] == wanted) return;
        await JobSession.ExecAsync(targets[worker], targets.Server, objectName,
            $"SET max_parallel_maintenance_workers = {wanted.Workers}; {BuildMemory.Set(wanted.Memory)}", ct);
        _build[worker] = wanted;
    }

    /// <summary>Checks the tables a source transaction read before it ends (<see cref="SourceSnapshot.EnsureUnchangedAsync"/>); false when the run failed.</summary>
    private async Task<bool> EnsureUnchangedAsync(NpgsqlConnection source, HashSet<string> read, CancellationToken ct)
    {
        try { await snapshot.EnsureUnchangedAsync(source, read, ct); }
        catch (PgCloneException e) { Fail(e); return false; }
        read.Clear();
        return true;
    }

    private async Task CloseSourceAsync(NpgsqlConnection source)
    {
        await job.Session.CloseAsync(source);
        if (Interlocked.Decrement(ref _openSources) == 0 && Volatile.Read(ref _loadedReported) == 2) _monitorStart.TrySetResult();
    }

    /// <summary>Copies one table or range; false when it failed (the failure is recorded).</summary>
    private async Task<bool> CopyOneAsync(int worker, NpgsqlConnection source, CopyTask task, CancellationToken ct)
    {
        var target = targets[worker];
        var display = task.Table.Data.Target.ToString();
        job.Progress.Copying(worker, display, default);
        var shared = SharesTransaction(task);
        CopyCount count;
        try
        {
            lock (task.Table.Clock) if (!task.Table.Clock.IsRunning) task.Table.Clock.Start();
            Action<CopyCount> progress = c => job.Progress.Copying(worker, display, c);
            count = shared ? await CopyIntoBatchAsync(worker, source, task, progress, ct) : await CopyAsync(source, target, task, progress, ct);
        }
        catch (PgCloneException e)
        {
            job.Progress.CopyEnded(worker, null);
            if (Interlocked.Exchange(ref task.Table.Failed, 1) == 0) job.Progress.TableEnded(false);
            if (shared) await KeepBatchAsync(worker);
            Fail(snapshot.Explain(e, task.Table.Data.Source));
            return false;
        }
        job.Progress.CopyEnded(worker, count);
        // A table in the worker's open transaction lands when it commits (CommitBatchAsync).
        if (!shared) await LandedAsync(task, target, count);
        return true;
    }

    /// <summary>A copy is in (committed): its counts, its table done when it was the last part, what waits for it ready.</summary>
    private async Task LandedAsync(CopyTask task, NpgsqlConnection target, CopyCount count)
    {
        Interlocked.Add(ref task.Table.Rows, count.Rows);
        Interlocked.Add(ref task.Table.Bytes, count.Bytes);
        if (Interlocked.Decrement(ref task.Table.PartsLeft) == 0) await TableDoneAsync(task.Table, target, task.Range is not null);
        _scheduler.CopyEnded(task.Table.Data.Target);
    }

    /// <summary>The last table is in: the rest of the index and constraint steps is the "indexes" phase.</summary>
    private async Task LoadedAsync()
    {
        if (Interlocked.Exchange(ref _loadedReported, 1) != 0) return;
        job.Progress.DataEnded();
        job.Progress.Phase(JobPhase.Indexes, _scheduler.StepsLeft);
        await _watch.StopAsync();
        if (_onLoaded is not null) await _onLoaded();
        Volatile.Write(ref _loadedReported, 2);
        if (Volatile.Read(ref _openSources) == 0) _monitorStart.TrySetResult();
    }

    /// <summary>
    /// The schemas a row filter's read prints names on, in their order (the user's search_path, see
    /// <see cref="PlannedRead.UserSearchPath"/>, with pg_catalog where it falls): a reg* value naming an object on them
    /// travels bare, which the target resolves as its row lands, so it must look on the same schemas, not on its own
    /// search_path (where it named another object, or nothing).
    /// </summary>
    private Task<string> UserSchemasAsync(NpgsqlConnection source, CancellationToken ct) =>
        JobSession.ScalarAsync<string>(source, job.Source,
            "SELECT pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(n) FROM pg_catalog.unnest(pg_catalog.current_schemas(true)) n), ', ') " +
            $"FROM ({PlannedRead.UserSearchPath}) AS u; {PlannedRead.RunSearchPath}", ct);

    /// <summary>Sets the target session's search_path to <paramref name="schemas"/> for a filtered copy (<see cref="UserSchemasAsync"/>), or back to its own (null).</summary>
    private Task SearchPathAsync(NpgsqlConnection target, string? schemas, CancellationToken ct) =>
        JobSession.ExecAsync(target, targets.Server, null, schemas is null ? "RESET search_path" : $"SELECT pg_catalog.set_config('search_path', {Sql.Literal(schemas)}, false)", ct);

    /// <summary>
    /// A whole table loads in one transaction committed durably with its pending record (<see cref="StepCommit"/>):
    /// when it commits, the checkpoint learns so even if the client or the target dies right after. A range
    /// commits on its own; its table is recorded once every range is in and flushed.
    /// </summary>
    private async Task<CopyCount> CopyAsync(NpgsqlConnection source, NpgsqlConnection target, CopyTask task, Action<CopyCount> progress, CancellationToken ct)
    {
        var t = task.Table.Data;
        var name = task.Table.Name;
        Task<CopyCount> Stream(bool freeze) => StreamAsync(source, target, task, freeze, progress, ct);
        // A range, or a whole table with nothing to create, record or truncate: COPY commits on its own (two round
        // trips fewer per table than BEGIN, COPY, COMMIT, which is most of a tiny table's cost).
        if (task.Range is not null || job.Checkpoints is null && !task.TruncateAndFreeze && !task.Create) return await Stream(freeze: false);
        IReadOnlyList<PostDataStep> own = [];
        // FREEZE is allowed because the table is created or emptied in the same transaction.
        IReadOnlyList<DdlStatement> opening = task.Create ? t.Create
            : task.TruncateAndFreeze ? [new DdlStatement("table", t.Target.ToString(), $"TRUNCATE {t.Target.Quoted}")] : [];
        // FREEZE writes a visibility map fork too: for a tiny table that new file costs more than freezing saves.
        var freeze = task.TruncateAndFreeze || task.Create && task.EstimatedBytes > job.Options.FreezeTablesLargerThan;
        var count = await StepCommit.RunAsync(job, target, targets.Server, name, async () =>
        {
            var copied = await Stream(freeze);
            own = await OwnStepsAsync(target, task, copied.Rows, ct);
            return copied;
        }, count => Pending(task, count, own), ct, opening);
        await OwnStepsCommittedAsync(own);
        return count;
    }

    /// <summary>A small table's own steps (<see cref="OwnStepsAsync"/>) committed with its data: recorded done, and what waits for them ready.</summary>
    private async Task OwnStepsCommittedAsync(IReadOnlyList<PostDataStep> own)
    {
        if (own.Count == 0) return;
        await ddl.ClaimedCommittedAsync(own);
        _scheduler.ClaimEnded(own, done: true);
    }

    /// <summary>The rows of a table or range, streamed from the source session into the target session's COPY.</summary>
    private async Task<CopyCount> StreamAsync(NpgsqlConnection source, NpgsqlConnection target, CopyTask task, bool freeze, Action<CopyCount> progress, CancellationToken ct)
    {
        var t = task.Table.Data;
        var name = task.Table.Name;
        var copyOut = CopyStatements.CopyOut(t, task.Range);
        // A filter may read other tables in subqueries: ready them all. A whole table's COPY plans nothing.
        var planned = CopyStatements.IsQuery(t, task.Range) ? snapshot.Read(source, t.Where is null ? t.Source.Quoted : null, userNames: t.Where is not null) : null;
        var rewriter = masker?.RewriterFor(t);
        Func<ITargetCopyWatch>? watch = task.EstimatedBytes > job.Options.WatchCopiesLargerThan ? () => _watch.Watch(target.ProcessID) : null;
        var userSchemas = t.Where is not null && t.TextFormat ? await UserSchemasAsync(source, ct) : null;
        if (userSchemas is not null) await SearchPathAsync(target, userSchemas, ct);
        var copied = t.TextFormat
            ? await TableCopier.CopyTextAsync(source, job.Source, copyOut, target, targets.Server, CopyStatements.CopyIn(t, freeze), name, progress, ct, watch, planned)
            : await TableCopier.CopyAsync(source, job.Source, copyOut, target, targets.Server, CopyStatements.CopyIn(t, freeze), name, progress, ct, rewriter, watch, planned);
        if (planned is not null) await planned.EndAsync(ct);
        if (userSchemas is not null) await SearchPathAsync(target, null, ct);
        return copied;
    }

    /// <summary>A whole table's load as its checkpoint records it while its transaction commits (<see cref="StepCommit"/>), with the steps it ran.</summary>
    private PendingStep Pending(CopyTask task, CopyCount count, IReadOnlyList<PostDataStep> own) =>
        new(TableStep(task.Table.Data), 0, Checkpoint(task.Table.Data, count.Rows, count.Bytes, task.Table.Clock.Elapsed))
            { With = own.Count == 0 ? null : [.. own.Where(s => s.StepKind != PostDataGates.Analyze).Select(s => s.Key)] };

    /// <summary>
    /// A small table's own indexes, keys and ANALYZE (<see cref="LoadScheduler{TCopy}.Claim"/>), run in its copy's
    /// transaction in one round trip: its steps cost as many round trips and commits as the table's data otherwise.
    /// None when one fails: they go back to the scheduler and run as steps, like a larger table's.
    /// </summary>
    private async Task<IReadOnlyList<PostDataStep>> OwnStepsAsync(NpgsqlConnection target, CopyTask task, long rows, CancellationToken ct)
    {
        if (task.EstimatedBytes > job.Options.StepsInCopyTransactionUpTo) return [];
        var own = _scheduler.Claim(task.Table.Data.Target);
        var run = own.Where(s => !LeftUnanalyzed(s, rows)).ToList();
        if (run.Count == 0 || await ddl.TryInTransactionAsync(target, task.Table.Name, run, ct)) return own;
        _scheduler.ClaimEnded(own, done: false);
        return [];
    }

    /// <summary>
    /// Whether <paramref name="step"/> is the ANALYZE of a table this load copied fewer rows into (<paramref name="rows"/>,
    /// when its count is not added up yet) than the target's
    /// autovacuum_analyze_threshold (50 by default): autovacuum never analyzes such a table, nor does a restore of
    /// pg_dump's output, and the planner estimates it from its size (and from the row count its index builds record).
    /// Analyzing them was a third of the target's extra work over pg_dump | psql on 300 tables of 20 rows
    /// (its CPU 1.11 s against 1.02 s without, the run 1.30 s against 1.23 s).
    /// </summary>
    private bool LeftUnanalyzed(PostDataStep step, long? rows = null) =>
        step.StepKind == PostDataGates.Analyze && step.Statement.Table is { } t && _tables.TryGetValue(t, out var table)
        && (rows ?? Interlocked.Read(ref table.Rows)) < _analyzeFrom;

    private static string TableStep(TableData t) => $"table:{t.Target.Quoted}";

    private TableCheckpoint Checkpoint(TableData t, long rows, long bytes, TimeSpan elapsed) =>
        new(t.Target.Quoted, rows, bytes, elapsed.TotalSeconds, job.Id);

    private async Task TableDoneAsync(TableState table, NpgsqlConnection target, bool ranged)
    {
        table.Clock.Stop();
        var result = new TableResult(table.Data.Target, table.Rows, table.Bytes, table.Clock.Elapsed);
        _results.Add(result);
        if (job.Checkpoints is not null)
        {
            // Ranges committed with synchronous_commit = off, on several sessions: make them durable first.
            if (ranged) await StepCommit.FlushAsync(target, targets.Server, table.Name, CancellationToken.None);
            await job.Checkpoints.TableCopiedAsync(job.Id, Checkpoint(table.Data, result.Rows, result.Bytes, result.Elapsed), CancellationToken.None);
        }
        job.Progress.TableEnded(true);
    }

    private void Fail(PgCloneException e)
    {
        Interlocked.CompareExchange(ref _failure, Explained(e), null);
        _scheduler.Stop();
    }

    /// <summary>
    /// A row a constraint or domain refuses in a masked run: the masks are the likely cause (the fit probe sampled only
    /// the first rows). A value the target database's encoding cannot hold (the server names the character): only
    /// another target database, or other values, can help.
    /// </summary>
    private PgCloneException Explained(PgCloneException e) => e.InnerException switch
    {
        PostgresException { SqlState: PostgresErrorCodes.CheckViolation } when masker is not null && job.Request.EffectiveOptions.Mask is { Count: > 0 } =>
            new PgCloneException(e.Message + ": a mask rule likely gave a value the constraint refuses (the sample checked before the run, the table's " +
                                 $"first {Masking.MaskFitProbe.SampleRows} rows, passed); choose rules whose values it accepts", e.InnerException),
        PostgresException { SqlState: PostgresErrorCodes.UntranslatableCharacter } =>
            new PgCloneException(e.Message + ": a value of the table has a character the target database's encoding cannot hold; clone into a " +
                                 "database whose encoding holds it (database-create makes one in the source's encoding), or change such values on the source",
                e.InnerException),
        _ => e,
    };

    /// <summary>A failed index or constraint step ends the run once the copies still to do are in (and checkpointed).</summary>
    private void FailStep(PgCloneException e)
    {
        Interlocked.CompareExchange(ref _failure, e, null);
        _scheduler.StopSteps();
    }

    /// <summary>
    /// The ranges of a table above the split size: on ctid blocks (a TID range scan reads only its range's pages), or
    /// on its integer key when the source cannot scan a block range (before PostgreSQL 14, or a table access method
    /// other than heap) and the table has one. A range on the key reads through the key's index, a heap fetch per
    /// row: a half of the benchmark's 411 MB events table took 1.25-1.38 s that way against 0.65-0.67 s by blocks.
    /// Every range reads in the run's one snapshot, so each row version is in exactly one; a resumed run reloads a
    /// table whose ranges did not all land whole, with ranges of its own snapshot. The first and last ranges are
    /// open-ended, so rows outside the bounds read in the snapshot still belong to one. Empty when the table is copied
    /// whole. A <paramref name="spread"/> table gets at least one range per worker.
    /// </summary>
    private async Task<IReadOnlyList<string>> RangesAsync(TableData t, Spread spread, CancellationToken ct)
    {
        if (t.Ranges is { } given) return given;
        // Ranges commit one by one; only a table this run created can be emptied and reloaded if one fails.
        var options = job.Options;
        var split = spread == Spread.None ? options.SplitTablesLargerThan : Math.Min(options.SplitTablesLargerThan, options.SpreadTablesLargerThan);
        if (t.EstimatedBytes <= split || job.Parallel < 2 || !t.CreatedInRun) return [];
        // Masking spreads in small ranges (every worker's CPU masks, whatever else runs); the lead table in one range
        // per worker (unless large enough for more), which all start first and end together.
        var size = spread == Spread.Lead ? options.SplitTablesLargerThan : split;
        var wanted = (int)Math.Clamp(Math.Max(spread == Spread.None ? 2 : job.Parallel, (t.EstimatedBytes + size - 1) / Math.Max(1, size)), 2, options.MaxRangesPerTable);
        var (blocks, blockScan) = await snapshot.OnCoordinatorAsync(async c =>
        {
            var read = await ReadQuery.RowsAsync(c, job.Source, $"table {t.Source}",
                "SELECT CASE WHEN c.relkind IN ('r', 'm') THEN pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int8 ELSE 0 END, " +
                "coalesce(a.amname = 'heap', false) FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_am a ON a.oid = c.relam WHERE c.oid = $1::pg_catalog.regclass",
                r => (r.GetInt64(0), r.GetBoolean(1) && c.PostgreSqlVersion.Major >= 14), ct, t.Source.Quoted);
            return read[0];
        });
        if (!blockScan && t.IntegerKeyColumn is { } key)
        {
            var bounds = await snapshot.OnCoordinatorAsync(async c =>
            {
                var read = await snapshot.Warmup.ReadAsync(c, job.Source, t.Source.Quoted, () => ReadQuery.RowsAsync(c, job.Source, $"table {t.Source}",
                    $"SELECT min({Sql.Ident(key)})::int8, max({Sql.Ident(key)})::int8 FROM {t.Source.Quoted}",
                    r => r.IsDBNull(0) ? ((long, long)?)null : (r.GetInt64(0), r.GetInt64(1)), ct), ct);
                return read[0];
            });
            if (bounds is not { } b) return [];
            var width = (decimal)b.Item2 - b.Item1 + 1;
            var parts = (int)Math.Min(wanted, width);
            var cuts = Enumerable.Range(1, parts - 1).Select(i => (long)(b.Item1 + Math.Floor(width * i / parts))).Distinct().ToList();
            return Bounded(cuts, v => $"{Sql.Ident(key)} >= {Sql.Literal(v)}", v => $"{Sql.Ident(key)} < {Sql.Literal(v)}");
        }
        var blockParts = (int)Math.Min(wanted, blocks);
        if (blockParts < 2) return [];
        var blockCuts = Enumerable.Range(1, blockParts - 1).Select(i => blocks * i / blockParts).Distinct().ToList();
        return Bounded(blockCuts, v => $"ctid >= {Sql.Literal($"({v},0)")}::tid", v => $"ctid < {Sql.Literal($"({v},0)")}::tid");
    }

    private static List<string> Bounded(List<long> cuts, Func<long, string> atLeast, Func<long, string> below)
    {
        if (cuts.Count == 0) return [];
        var ranges = new List<string> { below(cuts[0]) };
        for (var i = 1; i < cuts.Count; i++) ranges.Add($"{atLeast(cuts[i - 1])} AND {below(cuts[i])}");
        ranges.Add(atLeast(cuts[^1]));
        return ranges;
    }
}
