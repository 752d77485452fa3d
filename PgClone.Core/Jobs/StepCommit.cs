using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>
/// The commit of one checkpointed step (a table's data, a PreData transaction, an index, a constraint, a post-data
/// statement). Loading sessions run with synchronous_commit = off for speed, so a plain COMMIT can be lost when
/// the target server crashes, and a client killed between COMMIT and the checkpoint write leaves a step done but
/// unrecorded. Here the step runs in its own transaction: its id is recorded as pending in the checkpoint before
/// COMMIT (so a resume can ask the target with txid_status whether it committed), and that one COMMIT is
/// synchronous (flushed to the target's WAL) before the step is recorded done.
/// </summary>
internal static class StepCommit
{
    /// <summary>
    /// Runs <paramref name="opening"/>, then <paramref name="work"/> in a transaction and commits it durably;
    /// <paramref name="pending"/> describes the step.
    /// </summary>
    public static async Task<T> RunAsync<T>(JobContext job, NpgsqlConnection conn, ServerEndpoint server, string objectName,
        Func<Task<T>> work, Func<T, PendingStep> pending, CancellationToken ct, IReadOnlyList<DdlStatement>? opening = null)
    {
        opening ??= [];
        var begun = opening.Count > 0 && await TryBeginWithAsync(conn, server, objectName, opening, ct);
        if (!begun) await JobSession.ExecAsync(conn, server, objectName, "BEGIN", ct);
        try
        {
            if (!begun) foreach (var s in opening) await JobSession.ExecAsync(conn, server, s.ToString(), s.Sql, ct);
            var result = await work();
            await CommitAsync(job, conn, server, objectName, [pending(result)], ct);
            return result;
        }
        catch
        {
            await RollBackAsync(conn, server, objectName);
            throw;
        }
    }

    /// <summary>
    /// Commits the open transaction of <paramref name="steps"/> (one, or the tables sharing it): with a checkpoint
    /// store, each recorded pending under the transaction's id first, and the COMMIT synchronous.
    /// </summary>
    public static async Task CommitAsync(JobContext job, NpgsqlConnection conn, ServerEndpoint server, string? objectName,
        IReadOnlyList<PendingStep> steps, CancellationToken ct)
    {
        if (job.Checkpoints is not { } store)
        {
            await JobSession.ExecAsync(conn, server, objectName, "COMMIT", ct);
            return;
        }
        var xid = await JobSession.ScalarAsync<long>(conn, server, "SELECT pg_catalog.txid_current()", ct);
        await Task.WhenAll(steps.Select(s => store.StepPendingAsync(job.Id, s with { TransactionId = xid }, CancellationToken.None)));
        await JobSession.ExecAsync(conn, server, objectName, "SET LOCAL synchronous_commit = local; COMMIT", ct);
    }

    /// <summary>
    /// BEGIN and the transaction's first statements in one round trip (a tiny table's whole cost is a few round
    /// trips): false, with no transaction open, when they cannot go in one (then run one by one, so an error names
    /// the statement).
    /// </summary>
    private static async Task<bool> TryBeginWithAsync(NpgsqlConnection conn, ServerEndpoint server, string objectName,
        IReadOnlyList<DdlStatement> opening, CancellationToken ct)
    {
        string[] sql = ["BEGIN", .. opening.Select(s => s.Sql)];
        if (!JobSession.Batchable(sql)) return false;
        try
        {
            if (await JobSession.TryBatchAsync(conn, server, objectName, sql, ct)) return true;
        }
        catch
        {
            // Whatever ended it (the connection, a cancel), no transaction may stay open.
            await RollBackAsync(conn, server, objectName);
            throw;
        }
        await RollBackAsync(conn, server, objectName);
        return false;
    }

    /// <summary>
    /// One statement as a step. Without a checkpoint store nothing is recorded between the statement and its commit,
    /// so it runs on its own, in the implicit transaction of its one round trip, instead of BEGIN, it, COMMIT.
    /// </summary>
    public static async Task RunStatementAsync(JobContext job, NpgsqlConnection conn, ServerEndpoint server, string objectName,
        string sql, PendingStep pending, CancellationToken ct)
    {
        if (job.Checkpoints is null)
        {
            await JobSession.ExecAsync(conn, server, objectName, sql, ct);
            return;
        }
        await RunAsync(job, conn, server, objectName, async () =>
        {
            await JobSession.ExecAsync(conn, server, objectName, sql, ct);
            return 0;
        }, _ => pending, ct);
    }

    /// <summary>Ends an open transaction after a failure; a broken connection has none left.</summary>
    public static async Task RollBackAsync(NpgsqlConnection conn, ServerEndpoint server, string objectName)
    {
        if (conn.FullState != System.Data.ConnectionState.Open) return;
        try { await JobSession.ExecAsync(conn, server, objectName, "ROLLBACK", CancellationToken.None); }
        catch (PgCloneException) { /* the connection broke: the server rolls back on its own */ }
    }

    /// <summary>
    /// Makes every commit this server acknowledged so far durable, for steps that commit in several transactions
    /// (a table loaded in ranges): a synchronous commit of a transaction with an id flushes the WAL up to its
    /// commit record, which lies after the earlier commits.
    /// </summary>
    public static Task FlushAsync(NpgsqlConnection conn, ServerEndpoint server, string objectName, CancellationToken ct) =>
        JobSession.ExecAsync(conn, server, objectName,
            "BEGIN; SET LOCAL synchronous_commit = local; SELECT pg_catalog.txid_current(); COMMIT", ct);
}
