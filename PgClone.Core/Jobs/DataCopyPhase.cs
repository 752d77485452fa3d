using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Copying;
using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>
/// Copies the plan's tables with N workers pulling from one queue, largest first. Each worker has a source
/// session in the run's snapshot and a target session. A table above the split size becomes several ranges
/// copied by several workers at once. A table loaded whole is truncated and loaded with COPY FREEZE in one
/// transaction when it was created by this run and is not tiny, or is re-copied by a resume.
/// </summary>
internal sealed class DataCopyPhase(
    JobContext job, SourceSnapshot snapshot, TargetPool targets, IReadOnlyCollection<string> mustTruncate)
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

    private sealed record CopyTask(TableState Table, string? Range, bool TruncateAndFreeze, long EstimatedBytes);

    private readonly ConcurrentBag<TableResult> _results = [];
    private PgCloneException? _failure;

    public async Task<IReadOnlyList<TableResult>> RunAsync(IReadOnlyList<TableData> tables, CancellationToken ct)
    {
        var tasks = new List<CopyTask>();
        foreach (var t in tables)
        {
            var truncate = mustTruncate.Contains(t.Target.Quoted);
            var ranges = await RangesAsync(t, ct);
            var state = new TableState(t, Math.Max(1, ranges.Count));
            if (ranges.Count == 0)
            {
                tasks.Add(new CopyTask(state, null, truncate || t.CreatedInRun && t.EstimatedBytes > job.Options.FreezeTablesLargerThan, t.EstimatedBytes));
                continue;
            }
            // Ranges load side by side, so the table cannot be truncated per range: empty it once, up front.
            if (truncate) await JobSession.ExecAsync(targets.Main, targets.Server, state.Name, $"TRUNCATE {t.Target.Quoted}", ct);
            tasks.AddRange(ranges.Select(r => new CopyTask(state, r, false, t.EstimatedBytes / ranges.Count)));
        }
        var queue = new ConcurrentQueue<CopyTask>(tasks.OrderByDescending(t => t.EstimatedBytes));
        var workers = Math.Min(job.Parallel, Math.Max(1, tasks.Count));
        job.Progress.Tables(job.Progress.Current.TablesTotal, job.Progress.Current.BytesEstimated, workers);
        await targets.EnsureAsync(workers, ct);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkerAsync(w, queue, ct)));
        job.Progress.DataEnded();
        if (_failure is not null) throw _failure;
        return [.. _results];
    }

    private async Task WorkerAsync(int worker, ConcurrentQueue<CopyTask> queue, CancellationToken ct)
    {
        if (queue.IsEmpty) return;
        NpgsqlConnection source;
        try { source = await snapshot.OpenWorkerAsync(worker + 1, ct); }
        catch (PgCloneException e) { Fail(e); return; }
        try
        {
            var target = targets[worker];
            while (Volatile.Read(ref _failure) is null && queue.TryDequeue(out var task))
            {
                ct.ThrowIfCancellationRequested();
                var display = task.Table.Data.Target.ToString();
                job.Progress.Copying(worker, display, default);
                CopyCount count;
                try
                {
                    lock (task.Table.Clock) if (!task.Table.Clock.IsRunning) task.Table.Clock.Start();
                    count = await CopyAsync(source, target, task, c => job.Progress.Copying(worker, display, c), ct);
                }
                catch (PgCloneException e)
                {
                    job.Progress.CopyEnded(worker, null);
                    if (Interlocked.Exchange(ref task.Table.Failed, 1) == 0) job.Progress.TableEnded(false);
                    Fail(e);
                    return;
                }
                job.Progress.CopyEnded(worker, count);
                Interlocked.Add(ref task.Table.Rows, count.Rows);
                Interlocked.Add(ref task.Table.Bytes, count.Bytes);
                if (Interlocked.Decrement(ref task.Table.PartsLeft) == 0) await TableDoneAsync(task.Table);
            }
        }
        finally
        {
            // The worker's source snapshot is no longer needed: free the session (and the server's snapshot).
            await job.Session.CloseAsync(source);
        }
    }

    private async Task<CopyCount> CopyAsync(NpgsqlConnection source, NpgsqlConnection target, CopyTask task, Action<CopyCount> progress, CancellationToken ct)
    {
        var t = task.Table.Data;
        var name = task.Table.Name;
        var copyOut = CopyStatements.CopyOut(t, task.Range);
        if (!task.TruncateAndFreeze)
            return await TableCopier.CopyAsync(source, job.Source, copyOut, target, targets.Server, CopyStatements.CopyIn(t, freeze: false), name, progress, ct);
        // FREEZE is allowed because the table is emptied in the same transaction.
        await JobSession.ExecAsync(target, targets.Server, name, $"BEGIN; TRUNCATE {t.Target.Quoted}", ct);
        try
        {
            var count = await TableCopier.CopyAsync(source, job.Source, copyOut, target, targets.Server, CopyStatements.CopyIn(t, freeze: true), name, progress, ct);
            await JobSession.ExecAsync(target, targets.Server, name, "COMMIT", ct);
            return count;
        }
        catch
        {
            if (target.FullState == System.Data.ConnectionState.Open)
                try { await JobSession.ExecAsync(target, targets.Server, name, "ROLLBACK", CancellationToken.None); } catch (PgCloneException) { }
            throw;
        }
    }

    private async Task TableDoneAsync(TableState table)
    {
        table.Clock.Stop();
        var result = new TableResult(table.Data.Target, table.Rows, table.Bytes, table.Clock.Elapsed);
        _results.Add(result);
        if (job.Checkpoints is not null)
            await job.Checkpoints.TableCopiedAsync(job.Id,
                new TableCheckpoint(table.Data.Target.Quoted, result.Rows, result.Bytes, result.Elapsed.TotalSeconds, job.Id), CancellationToken.None);
        job.Progress.TableEnded(true);
    }

    private void Fail(PgCloneException e) => Interlocked.CompareExchange(ref _failure, e, null);

    /// <summary>
    /// The ranges of a table above the split size: on its integer key when it has one, otherwise on ctid blocks.
    /// The first and last ranges are open-ended, so rows outside the bounds read in the snapshot still belong to one.
    /// Empty when the table is copied whole.
    /// </summary>
    private async Task<IReadOnlyList<string>> RangesAsync(TableData t, CancellationToken ct)
    {
        if (t.Ranges is { } given) return given;
        // Ranges commit one by one; only a table this run created can be emptied and reloaded if one fails.
        if (t.EstimatedBytes <= job.Options.SplitTablesLargerThan || job.Parallel < 2 || !t.CreatedInRun) return [];
        var wanted = (int)Math.Clamp((t.EstimatedBytes + job.Options.SplitTablesLargerThan - 1) / Math.Max(1, job.Options.SplitTablesLargerThan), 2, job.Options.MaxRangesPerTable);
        if (t.IntegerKeyColumn is { } key)
        {
            var bounds = await snapshot.OnCoordinatorAsync(async c =>
            {
                try
                {
                    await using var cmd = new NpgsqlCommand($"SELECT min({Sql.Ident(key)})::int8, max({Sql.Ident(key)})::int8 FROM {t.Source.Quoted}", c);
                    await using var r = await cmd.ExecuteReaderAsync(ct);
                    await r.ReadAsync(ct);
                    return r.IsDBNull(0) ? ((long, long)?)null : (r.GetInt64(0), r.GetInt64(1));
                }
                catch (NpgsqlException e) { throw PgCloneException.FromDriver(job.Source, $"table {t.Source}", e); }
            });
            if (bounds is not { } b) return [];
            var width = (decimal)b.Item2 - b.Item1 + 1;
            var parts = (int)Math.Min(wanted, width);
            var cuts = Enumerable.Range(1, parts - 1).Select(i => (long)(b.Item1 + Math.Floor(width * i / parts))).Distinct().ToList();
            return Bounded(cuts, v => $"{Sql.Ident(key)} >= {Sql.Literal(v)}", v => $"{Sql.Ident(key)} < {Sql.Literal(v)}");
        }
        var blocks = await snapshot.OnCoordinatorAsync(c => JobSession.ScalarAsync<long>(c, job.Source,
            "SELECT CASE WHEN c.relkind IN ('r', 'm') THEN pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int8 ELSE 0 END " +
            "FROM pg_catalog.pg_class c WHERE c.oid = $1::pg_catalog.regclass", ct, t.Source.Quoted));
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
