using System.Collections.Concurrent;
using Npgsql;
using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>
/// Runs the plan's DDL on the target: PreData in order in a few transactions, independent steps (indexes,
/// constraints, ANALYZE) on all target sessions at once, PostData in order. Every step commits durably before it
/// is checkpointed (<see cref="StepCommit"/>), and steps a resumed job already did are skipped.
/// </summary>
internal sealed class DdlSteps(JobContext job, TargetPool targets, IReadOnlySet<string> done, ClonePlan plan)
{
    /// <summary>Estimated bytes per target table: independent steps start with the biggest tables' (longest first).</summary>
    private readonly Dictionary<Catalog.QualifiedName, long> _tableBytes = plan.Tables
        .GroupBy(t => t.Target).ToDictionary(g => g.Key, g => g.Sum(t => t.EstimatedBytes));

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

    /// <summary>
    /// The next statements to send in one round trip: consecutive single statements (no semicolon, which a batch
    /// command cannot hold), or one statement on its own.
    /// </summary>
    private static List<DdlStatement> Group(IReadOnlyList<DdlStatement> statements, int from, int end)
    {
        var group = new List<DdlStatement> { statements[from] };
        if (statements[from].Sql.Contains(';')) return group;
        for (var i = from + 1; i < end && group.Count < RoundTrip && !statements[i].Sql.Contains(';'); i++) group.Add(statements[i]);
        return group;
    }

    private async Task ExecGroupAsync(NpgsqlConnection conn, List<DdlStatement> group, CancellationToken ct)
    {
        if (group.Count > 1)
        {
            await JobSession.ExecAsync(conn, targets.Server, null, "SAVEPOINT pgclone_batch", ct);
            await using var batch = new NpgsqlBatch(conn);
            foreach (var s in group) batch.BatchCommands.Add(new NpgsqlBatchCommand(s.Sql));
            try
            {
                await batch.ExecuteNonQueryAsync(ct);
                await JobSession.ExecAsync(conn, targets.Server, null, "RELEASE SAVEPOINT pgclone_batch", ct);
                return;
            }
            catch (PostgresException)
            {
                // Replay one by one so the error names the statement the server rejected.
                await JobSession.ExecAsync(conn, targets.Server, null, "ROLLBACK TO SAVEPOINT pgclone_batch", ct);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
            {
                throw PgCloneException.FromDriver(targets.Server, group[0].ToString(), e);
            }
        }
        foreach (var s in group) await JobSession.ExecAsync(conn, targets.Server, s.ToString(), s.Sql, ct);
    }

    /// <summary>
    /// Independent statements on every target session; the first failure stops the others from starting more.
    /// A <paramref name="checkpointed"/> step commits durably and is recorded (ANALYZE is not: it is cheap to redo).
    /// </summary>
    public async Task ParallelAsync(JobPhase phase, string stepKind, IReadOnlyList<DdlStatement> statements, CancellationToken ct,
        Action<int, DdlStatement?>? running = null, bool checkpointed = true)
    {
        job.Progress.Phase(phase, statements.Count);
        var pending = new List<(int Index, DdlStatement Statement)>();
        for (var i = 0; i < statements.Count; i++)
        {
            if (done.Contains(JobCheckpoint.Step(stepKind, i))) job.Progress.StepDone();
            else pending.Add((i, statements[i]));
        }
        var queue = new ConcurrentQueue<(int Index, DdlStatement Statement)>(
            pending.OrderByDescending(p => p.Statement.Table is { } t ? _tableBytes.GetValueOrDefault(t) : 0));
        if (queue.IsEmpty) return;
        var workers = Math.Min(job.Parallel, queue.Count);
        await targets.EnsureAsync(workers, ct);
        PgCloneException? failure = null;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            while (Volatile.Read(ref failure) is null && queue.TryDequeue(out var item))
            {
                running?.Invoke(w, item.Statement);
                var step = JobCheckpoint.Step(stepKind, item.Index);
                try
                {
                    if (checkpointed) await RunStepAsync(targets[w], item.Statement, step, ct);
                    else await JobSession.ExecAsync(targets[w], targets.Server, item.Statement.ToString(), item.Statement.Sql, ct);
                }
                catch (PgCloneException e) { Interlocked.CompareExchange(ref failure, e, null); return; }
                finally { running?.Invoke(w, null); }
                job.Progress.StepDone();
                if (checkpointed) await job.StepDoneAsync(step);
            }
        }));
        if (failure is not null) throw failure;
    }

    /// <summary>
    /// One index or constraint step, committed durably. Two foreign keys forming a cycle, added at once by two
    /// workers, lock their tables in opposite orders; PostgreSQL aborts one as a deadlock victim, whose statement
    /// rolled back whole and runs again. A step whose object already exists with the same definition is done.
    /// </summary>
    private async Task RunStepAsync(NpgsqlConnection conn, DdlStatement statement, string step, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StepCommit.RunAsync(job, conn, targets.Server, statement.ToString(), async () =>
                {
                    await JobSession.ExecAsync(conn, targets.Server, statement.ToString(), statement.Sql, ct);
                    return 0;
                }, _ => new PendingStep(step, 0), ct);
                return;
            }
            catch (PgCloneException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected } && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt * Random.Shared.Next(1, 4)), ct);
            }
            catch (PgCloneException e) when (e.InnerException is PostgresException { SqlState: not PostgresErrorCodes.DeadlockDetected })
            {
                if (await ExistingDefinitions.AlreadyDoneAsync(conn, targets.Server, statement, e, ct)) return;
                throw;
            }
        }
    }

    public async Task InOrderAsync(JobPhase phase, string stepKind, IReadOnlyList<DdlStatement> statements, CancellationToken ct)
    {
        job.Progress.Phase(phase, statements.Count);
        for (var i = 0; i < statements.Count; i++)
        {
            var step = JobCheckpoint.Step(stepKind, i);
            if (!done.Contains(step))
            {
                var s = statements[i];
                await StepCommit.RunAsync(job, targets.Main, targets.Server, s.ToString(), async () =>
                {
                    await JobSession.ExecAsync(targets.Main, targets.Server, s.ToString(), s.Sql, ct);
                    return 0;
                }, _ => new PendingStep(step, 0), ct);
                await job.StepDoneAsync(step);
            }
            job.Progress.StepDone();
        }
    }

    /// <summary>Index builds, with their progress read from pg_stat_progress_create_index while they run.</summary>
    public async Task IndexesAsync(IReadOnlyList<DdlStatement> statements, CancellationToken ct)
    {
        var building = new ConcurrentDictionary<int, DdlStatement>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var monitor = statements.Count == 0 ? Task.CompletedTask : MonitorIndexesAsync(building, stop.Token);
        try
        {
            await ParallelAsync(JobPhase.Indexes, "index", statements, ct, (w, s) =>
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

    private async Task MonitorIndexesAsync(ConcurrentDictionary<int, DdlStatement> building, CancellationToken ct)
    {
        NpgsqlConnection? conn = null;
        try
        {
            conn = await job.Session.OpenAsync(targets.Server, "monitor", ct);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
            while (await timer.WaitForNextTickAsync(ct))
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
