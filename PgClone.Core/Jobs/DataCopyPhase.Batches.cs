using System.Diagnostics;
using Npgsql;
using PgClone.Core.Copying;
using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>
/// Small tables sharing a transaction (<see cref="CloneRunOptions.TablesPerTransaction"/>): a worker creating and
/// loading such a table keeps its transaction open for the next one, each table under a savepoint of its own. What
/// a table's landing sets off (its counts, its checkpoint, its steps done, the steps and copies waiting for it) waits
/// for the commit, when other sessions can see it. The worker commits before it takes other work, and before it
/// would wait for work: what it waits for may wait for its tables. A table that fails is rolled back to its
/// savepoint and the ones before it commit, as each alone did; so do they when the run ends early (a failure
/// elsewhere, a cancel). Only tables the copy creates whole qualify (plain ones: a partition or child would lock its
/// parent until the commit), so a shared transaction holds strong locks on its own tables only.
/// </summary>
internal sealed partial class DataCopyPhase
{
    /// <summary>A table loaded in a worker's open transaction, its landing waiting for the commit.</summary>
    private sealed record Batched(CopyTask Task, CopyCount Count, IReadOnlyList<PostDataStep> Own);

    private const string TableSavepoint = "pgclone_table";

    /// <summary>Per worker: the tables loaded in its open transaction, or null when it has none open.</summary>
    private List<Batched>?[] _batches = [];

    /// <summary>Per worker: a table of its open transaction is being loaded (under <see cref="TableSavepoint"/>).</summary>
    private bool[] _tableInFlight = [];

    /// <summary>Per worker: when its open transaction began (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    private long[] _batchBegun = [];

    private bool SharesTransaction(CopyTask task) =>
        job.Options.TablesPerTransaction > 1 && task.Create && task.Range is null && !task.TruncateAndFreeze
        && task.EstimatedBytes <= Math.Min(job.Options.StepsInCopyTransactionUpTo, job.Options.FreezeTablesLargerThan);

    /// <summary>
    /// The worker's next work, or null when there is none left. With tables in its open transaction it takes work at
    /// once only when the work joins them (while the transaction has room and time left); otherwise it commits them
    /// first (null when that fails).
    /// </summary>
    private async Task<object?> NextAsync(int worker, CancellationToken ct)
    {
        if (_batches[worker] is not { } open) return await _scheduler.NextAsync(ct);
        var now = _scheduler.TryNextNow(out var work);
        if (now && work is CopyTask next && SharesTransaction(next) && open.Count < job.Options.TablesPerTransaction
            && Stopwatch.GetElapsedTime(_batchBegun[worker]) < job.Options.TablesShareTransactionFor) return work;
        if (!await CommitBatchAsync(worker, ct)) return null;
        return now ? work : await _scheduler.NextAsync(ct);
    }

    /// <summary>Creates and loads a small table in the worker's open transaction (opened for it when none is); a failure is <see cref="CopyOneAsync"/>'s to handle.</summary>
    private async Task<CopyCount> CopyIntoBatchAsync(int worker, NpgsqlConnection source, CopyTask task, Action<CopyCount> progress, CancellationToken ct)
    {
        var target = targets[worker];
        await OpenTableAsync(worker, target, task, ct);
        var count = await StreamAsync(source, target, task, freeze: false, progress, ct);
        var own = await OwnStepsAsync(target, task, count.Rows, ct);
        _batches[worker]!.Add(new Batched(task, count, own));
        _tableInFlight[worker] = false;
        return count;
    }

    /// <summary>
    /// The table's savepoint (after BEGIN for the transaction's first table, after releasing the previous table's
    /// otherwise) and its CREATE statements, in one round trip; one statement at a time when they cannot go in one,
    /// so that an error names the statement.
    /// </summary>
    private async Task OpenTableAsync(int worker, NpgsqlConnection target, CopyTask task, CancellationToken ct)
    {
        string[] begin = _batches[worker] is null ? ["BEGIN", $"SAVEPOINT {TableSavepoint}"] : [$"RELEASE SAVEPOINT {TableSavepoint}", $"SAVEPOINT {TableSavepoint}"];
        if (_batches[worker] is null) _batchBegun[worker] = Stopwatch.GetTimestamp();
        _batches[worker] ??= [];
        _tableInFlight[worker] = true;
        var create = task.Table.Data.Create;
        string[] sql = [.. begin, .. create.Select(s => s.Sql)];
        if (JobSession.Batchable(sql) && await JobSession.TryBatchAsync(target, targets.Server, task.Table.Name, sql, ct)) return;
        if (JobSession.Batchable(sql)) await JobSession.ExecAsync(target, targets.Server, task.Table.Name, $"ROLLBACK TO SAVEPOINT {TableSavepoint}", ct);
        else await JobSession.TryBatchAsync(target, targets.Server, task.Table.Name, begin, ct);
        foreach (var s in create) await JobSession.ExecAsync(target, targets.Server, s.ToString(), s.Sql, ct);
    }

    /// <summary>Commits the worker's open transaction, then lands its tables; false when the commit failed (the failure is recorded).</summary>
    private async Task<bool> CommitBatchAsync(int worker, CancellationToken ct)
    {
        var batch = _batches[worker]!;
        _batches[worker] = null;
        var target = targets[worker];
        try { await StepCommit.CommitAsync(job, target, targets.Server, null, [.. batch.Select(b => Pending(b.Task, b.Count, b.Own))], ct); }
        catch (PgCloneException e)
        {
            await StepCommit.RollBackAsync(target, targets.Server, batch[0].Task.Table.Name);
            Fail(e);
            return false;
        }
        foreach (var b in batch)
        {
            await OwnStepsCommittedAsync(b.Own);
            await LandedAsync(b.Task, target, b.Count);
        }
        if (_scheduler.AllLoaded) await LoadedAsync();
        return true;
    }

    /// <summary>
    /// The worker stops with its transaction open: the table being loaded is rolled back to its savepoint and the
    /// tables before it commit (none: the transaction rolls back). Nothing is kept when the session broke.
    /// </summary>
    private async Task KeepBatchAsync(int worker)
    {
        var target = targets[worker];
        var batch = _batches[worker];
        var inFlight = _tableInFlight[worker];
        _tableInFlight[worker] = false;
        if (batch is [var first, ..] && target.FullState == System.Data.ConnectionState.Open)
        {
            try
            {
                if (inFlight) await JobSession.ExecAsync(target, targets.Server, first.Task.Table.Name, $"ROLLBACK TO SAVEPOINT {TableSavepoint}", CancellationToken.None);
                await CommitBatchAsync(worker, CancellationToken.None);
                return;
            }
            catch (PgCloneException) { /* the session broke meanwhile: the server rolls back on its own */ }
        }
        _batches[worker] = null;
        await StepCommit.RollBackAsync(target, targets.Server, batch is [var any, ..] ? any.Task.Table.Name : "");
    }
}
