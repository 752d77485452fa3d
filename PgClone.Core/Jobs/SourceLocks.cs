using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Jobs;

/// <summary>
/// The run's hold on the source tables it reads, as pg_dump takes it: ACCESS SHARE on each, in the snapshot's own
/// transaction, until the snapshot ends. It conflicts only with ACCESS EXCLUSIVE, so writes go on while DROP,
/// TRUNCATE, a rewriting ALTER TABLE, VACUUM FULL or CLUSTER wait for the run: without it a table dropped mid-run
/// failed its COPY after the target was half written, and one truncated read as empty in the snapshot.
/// </summary>
internal static class SourceLocks
{
    /// <summary>Names per LOCK statement: a database of 100,000 tables does not make one statement of megabytes.</summary>
    private const int NamesPerStatement = 1000;

    private const string Savepoint = "pgclone_locks";

    /// <summary>
    /// How long a source session of the run waits for a table's lock, for the rest of its transaction: the snapshot's
    /// is under it from its start, since its catalog reads lock tables too (pg_relation_size opens each one), and a
    /// session holding one in ACCESS EXCLUSIVE would otherwise hold the run before its first write for as long.
    /// </summary>
    public static string WaitAtMost(int seconds) => $"SET LOCAL lock_timeout = {Sql.Literal(seconds + "s")}";

    /// <summary>
    /// Locks <paramref name="tables"/> (each ONLY: a copy reads a table's own rows) in one round trip after one reading
    /// the lock table's size, then checks in
    /// another that each is still the snapshot's: a table dropped, renamed, truncated or rewritten between the
    /// snapshot and the lock fails the run before anything is written, as does a lock not granted in
    /// <paramref name="waitSeconds"/>. Returns a note for the run's result when the tables are not locked: more of them
    /// than half the server's lock table (max_locks_per_transaction × sessions), which the run's other sessions and the
    /// server's share. pg_dump takes them anyway and fails with "out of shared memory", as would every other session
    /// of the server wanting a lock meanwhile; and Npgsql ends a session on that error, the snapshot's with it. The run
    /// is not refused for it, having gone without locks until now.
    /// </summary>
    public static async Task<string?> TakeAsync(SourceSnapshot snapshot, ServerEndpoint source, IEnumerable<QualifiedName> tables, int waitSeconds, CancellationToken ct)
    {
        var wanted = tables.Select(t => t.Quoted).Distinct().ToArray();
        return await snapshot.OnCoordinatorAsync(async conn =>
        {
            var (slots, unreadable) = (await ReadQuery.RowsAsync(conn, source, null, $"SELECT {LockSlots}, {Unreadable}", r => (r.GetInt64(0), r.GetFieldValue<string[]>(1)), ct, (object)wanted))[0];
            var names = wanted.Except(unreadable).ToArray();
            if (names.Length > slots / 2)
            {
                await JobSession.ExecAsync(conn, source, null, WaitForever, ct);
                return $"the source's tables were not locked during the run, as pg_dump locks them: {Words.Count(names.Length, "table")} are more than half " +
                       $"of the {Words.Count(slots, "lock")} its lock table holds (max_locks_per_transaction × sessions), which its other sessions share; " +
                       "raise max_locks_per_transaction there to have them locked. A table dropped, truncated or rewritten on the source before its copy fails the run";
            }
            var failed = await TryLockAsync(conn, source, names, waitSeconds, ct);
            switch (failed?.SqlState)
            {
                case null:
                    if (names.Length > 0) await snapshot.EnsureUnchangedAsync(conn, names, wroteNothing: true, ct);
                    snapshot.Hold(names);
                    return null;
                case PostgresErrorCodes.LockNotAvailable:
                    throw Held(source, await HeldAsync(conn, source, names, ct), waitSeconds, failed);
                case PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName:
                    await snapshot.EnsureUnchangedAsync(conn, names, wroteNothing: true, ct);
                    throw PgCloneException.FromDriver(source, null, failed);
                default:
                    throw PgCloneException.FromDriver(source, null, failed);
            }
        });
    }

    /// <summary>
    /// Runs the reads that plan the run under <see cref="WaitAtMost"/>: a table's lock not granted in time fails them
    /// as it fails <see cref="TakeAsync"/>, naming the table, which a session of its own looks up (the snapshot's
    /// transaction is aborted).
    /// </summary>
    public static async Task<T> PlanningAsync<T>(JobSession session, ServerEndpoint source, int waitSeconds, Func<Task<T>> planning, CancellationToken ct)
    {
        try { return await planning(); }
        catch (PgCloneException e) when (e.Server?.Role == ServerRole.Source && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } pg)
        {
            var conn = await session.OpenAsync(source, "locks", ct);
            try { throw Held(source, await HeldAsync(conn, source, null, ct), waitSeconds, pg); }
            finally { await session.CloseAsync(conn); }
        }
    }

    private static PgCloneException Held(ServerEndpoint source, string? table, int waitSeconds, PostgresException error) =>
        PgCloneException.For(source, table is null ? null : $"table {table}",
            $"another session holds a lock on {(table is null ? "a source table" : "it")} that blocks reading it (waited {waitSeconds} s for ACCESS SHARE); " +
            "the clone wrote nothing: run it again once that session ends, or raise \"lock_wait_timeout\"", error);

    /// <summary>
    /// The LOCK statements in a savepoint; the server's error when one failed, its savepoint rolled back (releasing
    /// the locks it took) so that the snapshot's transaction goes on. The locks taken, later statements wait as long
    /// as they must, as they did before the run's locks were taken.
    /// </summary>
    private static async Task<PostgresException?> TryLockAsync(NpgsqlConnection conn, ServerEndpoint source, string[] names, int waitSeconds, CancellationToken ct)
    {
        IEnumerable<string> locks = names.Chunk(NamesPerStatement)
            .Select(chunk => $"LOCK TABLE {string.Join(", ", chunk.Select(n => "ONLY " + n))} IN ACCESS SHARE MODE");
        string[] statements = [$"SAVEPOINT {Savepoint}", WaitAtMost(waitSeconds), .. locks, $"RELEASE SAVEPOINT {Savepoint}", WaitForever];
        await using var batch = new NpgsqlBatch(conn);
        foreach (var s in statements) batch.BatchCommands.Add(new NpgsqlBatchCommand(s));
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
            return null;
        }
        catch (PostgresException e) when (conn.FullState == System.Data.ConnectionState.Open)
        {
            await JobSession.ExecAsync(conn, source, null, $"ROLLBACK TO SAVEPOINT {Savepoint}; RELEASE SAVEPOINT {Savepoint}; {WaitForever}", ct);
            return e;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            throw PgCloneException.FromDriver(source, null, e);
        }
    }

    private const string WaitForever = "SET LOCAL lock_timeout = 0";

    /// <summary>
    /// The tables the user may not SELECT, which LOCK refuses to lock (PostgreSQL 15 asks for SELECT) with a message
    /// that names no schema: left to their read, which fails naming the table (the preflight refuses them first). A
    /// name that resolves to nothing is left to the check after the lock.
    /// </summary>
    private const string Unreadable =
        "ARRAY(SELECT n FROM pg_catalog.unnest($1::pg_catalog.text[]) AS n WHERE pg_catalog.to_regclass(n) IS NOT NULL " +
        "AND NOT pg_catalog.has_table_privilege(pg_catalog.to_regclass(n), 'SELECT'))";

    /// <summary>The lock table's size: each backend's share (PostgreSQL's MaxBackends, as of version 12) and the prepared transactions'.</summary>
    private static readonly string LockSlots =
        "pg_catalog.current_setting('max_locks_per_transaction')::int8 * (" + string.Join(" + ",
            new[] { "max_connections", "max_prepared_transactions", "autovacuum_max_workers", "max_worker_processes", "max_wal_senders" }
                .Select(g => $"pg_catalog.current_setting('{g}')::int8")) + " + 1)";

    /// <summary>
    /// The first of <paramref name="names"/> (of every table, when null, by name) another session holds or waits
    /// for in ACCESS EXCLUSIVE (a waiting request blocks those queued after it too); null when none does any more.
    /// The server's lock timeout error names no relation.
    /// </summary>
    private static async Task<string?> HeldAsync(NpgsqlConnection conn, ServerEndpoint source, string[]? names, CancellationToken ct) =>
        (await ReadQuery.RowsAsync(conn, source, null, HeldExclusively, r => r.GetString(0), ct, names is null ? DBNull.Value : (object)names)).FirstOrDefault();

    /// <summary>Quoted as <see cref="Sql.Qualified"/> quotes, to be found among the names the run reads.</summary>
    private const string HeldExclusively =
        "SELECT x.n FROM (SELECT '\"' || pg_catalog.replace(ns.nspname, '\"', '\"\"') || '\".\"' || pg_catalog.replace(c.relname, '\"', '\"\"') || '\"' AS n " +
        "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_class c ON c.oid = l.relation JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace " +
        "WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid IS DISTINCT FROM pg_catalog.pg_backend_pid() " +
        "AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())) x " +
        "WHERE $1::pg_catalog.text[] IS NULL OR x.n = ANY ($1) ORDER BY pg_catalog.array_position($1, x.n), x.n LIMIT 1";
}
