using System.Collections.Concurrent;
using Npgsql;
using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>
/// Runs the plan's DDL on the target: PreData in order in a few transactions, independent steps (indexes,
/// constraints, ANALYZE) on all target sessions at once, PostData in order. Every step done is checkpointed,
/// and steps a resumed job already did are skipped.
/// </summary>
internal sealed class DdlSteps(JobContext job, TargetPool targets, IReadOnlySet<string> done)
{
    /// <summary>PreData statements per transaction: few round trips of locks, bounded lock table use.</summary>
    private const int PreDataBatch = 200;

    public async Task PreDataAsync(IReadOnlyList<DdlStatement> statements, int alreadyDone, CancellationToken ct)
    {
        job.Progress.Phase(JobPhase.Schema, statements.Count);
        for (var i = 0; i < alreadyDone; i++) job.Progress.StepDone();
        for (var start = alreadyDone; start < statements.Count; start += PreDataBatch)
        {
            var end = Math.Min(statements.Count, start + PreDataBatch);
            var conn = targets.Main;
            await using (var tx = await conn.BeginTransactionAsync(ct))
            {
                for (var i = start; i < end; i++)
                {
                    await JobSession.ExecAsync(conn, targets.Server, statements[i].ToString(), statements[i].Sql, ct);
                    job.Progress.StepDone();
                }
                await tx.CommitAsync(ct);
            }
            await job.StepDoneAsync(JobCheckpoint.Step("pre-data", end));
        }
    }

    /// <summary>Independent statements on every target session; the first failure stops the others from starting more.</summary>
    public async Task ParallelAsync(JobPhase phase, string stepKind, IReadOnlyList<DdlStatement> statements, CancellationToken ct,
        Action<int, DdlStatement?>? running = null)
    {
        job.Progress.Phase(phase, statements.Count);
        var queue = new ConcurrentQueue<(int Index, DdlStatement Statement)>();
        for (var i = 0; i < statements.Count; i++)
        {
            if (done.Contains(JobCheckpoint.Step(stepKind, i))) job.Progress.StepDone();
            else queue.Enqueue((i, statements[i]));
        }
        if (queue.IsEmpty) return;
        var workers = Math.Min(job.Parallel, queue.Count);
        await targets.EnsureAsync(workers, ct);
        PgCloneException? failure = null;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            while (Volatile.Read(ref failure) is null && queue.TryDequeue(out var item))
            {
                running?.Invoke(w, item.Statement);
                try { await JobSession.ExecAsync(targets[w], targets.Server, item.Statement.ToString(), item.Statement.Sql, ct); }
                catch (PgCloneException e) { Interlocked.CompareExchange(ref failure, e, null); return; }
                finally { running?.Invoke(w, null); }
                job.Progress.StepDone();
                await job.StepDoneAsync(JobCheckpoint.Step(stepKind, item.Index));
            }
        }));
        if (failure is not null) throw failure;
    }

    public async Task InOrderAsync(JobPhase phase, string stepKind, IReadOnlyList<DdlStatement> statements, CancellationToken ct)
    {
        job.Progress.Phase(phase, statements.Count);
        for (var i = 0; i < statements.Count; i++)
        {
            if (!done.Contains(JobCheckpoint.Step(stepKind, i)))
            {
                await JobSession.ExecAsync(targets.Main, targets.Server, statements[i].ToString(), statements[i].Sql, ct);
                await job.StepDoneAsync(JobCheckpoint.Step(stepKind, i));
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
