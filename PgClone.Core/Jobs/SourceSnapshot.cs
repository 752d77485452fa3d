using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Jobs;

/// <summary>
/// The source side of a run: a coordinator session in REPEATABLE READ READ ONLY that exports its snapshot,
/// and worker sessions that import it, so every table is read as of the same instant. The coordinator must live
/// until the workers have imported the snapshot; when it dies the snapshot is gone and the run cannot go on.
/// </summary>
internal sealed class SourceSnapshot
{
    private readonly JobSession _session;
    private readonly ServerEndpoint _source;

    private SourceSnapshot(JobSession session, ServerEndpoint source, NpgsqlConnection coordinator, string? id, PlannerWarmup warmup)
    {
        _session = session;
        _source = source;
        Coordinator = coordinator;
        Id = id;
        Warmup = warmup;
    }

    public NpgsqlConnection Coordinator { get; }
    /// <summary>The exported snapshot, or null when the run is not consistent.</summary>
    public string? Id { get; }
    /// <summary>What every source session of the run does before planning a read of a table (see <see cref="PlannerWarmup"/>).</summary>
    public PlannerWarmup Warmup { get; }

    /// <param name="lockWaitSeconds">How long its reads wait for a table's lock until the run's locks are taken (<see cref="SourceLocks.WaitAtMost"/>).</param>
    public static async Task<SourceSnapshot> BeginAsync(JobSession session, ServerEndpoint source, bool consistent, int lockWaitSeconds, CancellationToken ct)
    {
        var conn = await session.OpenAsync(source, "coordinator", ct);
        await JobSession.ExecAsync(conn, source, null,
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL idle_in_transaction_session_timeout = 0; " +
            $"SET LOCAL statement_timeout = 0; {SourceLocks.WaitAtMost(lockWaitSeconds)}; {Catalog.CatalogReader.ReadSettings}", ct);
        var id = consistent ? await JobSession.ScalarAsync<string>(conn, source, "SELECT pg_catalog.pg_export_snapshot()", ct) : null;
        return new SourceSnapshot(session, source, conn, id, await PlannerWarmup.LoadAsync(conn, source, ct));
    }

    /// <summary>A worker's source session, reading in the run's snapshot (or in its own when not consistent).</summary>
    public Task<NpgsqlConnection> OpenWorkerAsync(int worker, CancellationToken ct) => OpenAsync($"w{worker}-source", ct);

    /// <summary>
    /// A second session for the planner's catalog reads, which run beside the coordinator's (a catalog of 300 tables:
    /// about 0.3 s of queries on one session); null when the run is not consistent: its reads would see another instant.
    /// </summary>
    public Task<NpgsqlConnection>? OpenCatalogHelper(CancellationToken ct) => Id is null ? null : OpenAsync("catalog", ct, catalog: true);

    /// <summary>Closes a session of <see cref="OpenCatalogHelper"/> (one that failed to open has nothing to close).</summary>
    public async Task CloseAsync(Task<NpgsqlConnection>? helper)
    {
        if (helper is null) return;
        NpgsqlConnection conn;
        try { conn = await helper; }
        catch (Exception e) when (e is PgCloneException or OperationCanceledException) { return; }
        await _session.CloseAsync(conn);
    }

    /// <param name="catalog">Reads the catalog only (<see cref="Catalog.CatalogReader.ReadSettings"/>); a worker's reads of tables keep the server's JIT setting.</param>
    private async Task<NpgsqlConnection> OpenAsync(string role, CancellationToken ct, bool catalog = false)
    {
        var conn = await _session.OpenAsync(_source, role, ct);
        try { await ImportAsync(conn, Id is null ? "SET statement_timeout = 0; SET search_path = pg_catalog" : catalog ? $"{Import}; {Catalog.CatalogReader.ReadSettings}" : Import, ct); }
        catch (PgCloneException)
        {
            await _session.CloseAsync(conn);
            throw;
        }
        return conn;
    }

    /// <summary>
    /// Ends a worker's transaction and starts another in the same snapshot, releasing the locks its reads took (one
    /// or more per table): over thousands of tables they would fill the server's lock table
    /// (max_locks_per_transaction × max_connections) and fail the run with "out of shared memory".
    /// </summary>
    /// <param name="read">The tables read in the transaction ending, checked first (<see cref="EnsureUnchangedAsync"/>).</param>
    public async Task RenewAsync(NpgsqlConnection worker, IReadOnlyCollection<string> read, CancellationToken ct)
    {
        if (Id is null) return;
        await EnsureUnchangedAsync(worker, read, ct);
        await ImportAsync(worker, "COMMIT; " + Import, ct);
    }

    /// <summary>
    /// Fails when a table read in the worker's current transaction was emptied or rewritten after the snapshot was
    /// taken. TRUNCATE and the rewriting forms of ALTER TABLE are not MVCC-safe: a read in an older snapshot sees no
    /// rows, and the clone ended with the table silently empty and its verification passing. The reads' locks,
    /// held until the transaction ends, keep the tables from changing while this looks; a table's storage now is
    /// compared with its storage in the snapshot (also changed by VACUUM FULL and CLUSTER, which are reported alike).
    /// </summary>
    /// <param name="tables">Quoted names of the tables read in this transaction.</param>
    public async Task EnsureUnchangedAsync(NpgsqlConnection worker, IReadOnlyCollection<string> tables, CancellationToken ct)
    {
        // A table the run holds (SourceLocks) cannot have changed since the check made when it was locked.
        var unlocked = tables.Where(t => !_held.Contains(t)).ToList();
        if (Id is null || unlocked.Count == 0) return;
        await EnsureUnchangedAsync(worker, unlocked, wroteNothing: false, ct);
    }

    private IReadOnlySet<string> _held = new HashSet<string>();

    /// <summary>Records the tables (quoted names) the run locked, unchanged since the snapshot: set once, before any copy starts.</summary>
    public void Hold(IEnumerable<string> tables) => _held = tables.ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Fails when a table is no longer the one the snapshot holds under its name (dropped, or renamed, since), or,
    /// in a consistent run, was emptied or rewritten since (see <see cref="EnsureUnchangedAsync(NpgsqlConnection, IReadOnlyCollection{string}, CancellationToken)"/>).
    /// </summary>
    /// <param name="wroteNothing">Checked before the run's first write to the target, which the error then says.</param>
    public async Task EnsureUnchangedAsync(NpgsqlConnection conn, IReadOnlyCollection<string> tables, bool wroteNothing, CancellationToken ct)
    {
        var changed = await ReadQuery.RowsAsync(conn, _source, null, ChangedSinceSnapshot, r => (Name: r.GetString(0), Gone: r.GetBoolean(1)), ct, (object)tables.ToArray());
        if (changed.Where(c => c.Gone).Select(c => c.Name).ToList() is { Count: > 0 } gone) throw Gone(gone, wroteNothing, null);
        if (Id is null || changed.Count == 0) return;
        var names = changed.Select(c => c.Name).ToList();
        throw PgCloneException.For(_source, Tables(names),
            $"{(names.Count == 1 ? "it was" : "they were")} emptied or rewritten on the source (by TRUNCATE, a table-rewriting " +
            $"ALTER TABLE, VACUUM FULL or CLUSTER) after the run's snapshot was taken, so {(names.Count == 1 ? "its" : "their")} " +
            $"rows as of that snapshot can no longer be read: {Again(wroteNothing)}");
    }

    /// <summary>
    /// A read that failed on its table being gone (dropped or renamed after the snapshot was taken, when the run
    /// could not lock it: see <see cref="SourceLocks"/>) says so, where the server says only <c>relation "s.t" does not exist</c>.
    /// </summary>
    public PgCloneException Explain(PgCloneException e, QualifiedName table) =>
        e.Server?.Role == ServerRole.Source && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable } pg
            && pg.MessageText == $"relation \"{table.Schema}.{table.Name}\" does not exist"
            ? Gone([table.Quoted], wroteNothing: false, pg)
            : e;

    private PgCloneException Gone(List<string> names, bool wroteNothing, Exception? inner) => PgCloneException.For(_source, Tables(names),
        $"{(names.Count == 1 ? "it was" : "they were")} dropped or renamed on the source after the run began; {Again(wroteNothing)}", inner);

    private static string Again(bool wroteNothing) => wroteNothing ? "the clone wrote nothing; run it again" : "run the clone again";

    private static string Tables(List<string> names) => names.Count == 1 ? $"table {names[0]}" : $"tables {string.Join(", ", names)}";

    /// <summary>
    /// The names whose relation now is not the snapshot's (gone: the name resolves to nothing, or to a relation the
    /// snapshot does not hold), or has other storage, in name order.
    /// </summary>
    private const string ChangedSinceSnapshot =
        "SELECT u.n, c.oid IS NULL FROM pg_catalog.unnest($1::pg_catalog.text[]) AS u(n) " +
        "LEFT JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(u.n) " +
        "WHERE c.oid IS NULL OR c.relfilenode IS DISTINCT FROM pg_catalog.pg_relation_filenode(c.oid) ORDER BY u.n";

    private string Import =>
        $"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT {Sql.Literal(Id)}; " +
        "SET LOCAL idle_in_transaction_session_timeout = 0; SET LOCAL statement_timeout = 0; SET LOCAL search_path = pg_catalog";

    private async Task ImportAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidParameterValue && Id is not null) { throw Lost(e); }
        catch (Exception e) when (e is NpgsqlException or IOException) { throw PgCloneException.FromDriver(_source, null, e); }
    }

    /// <summary>A read of <paramref name="table"/> (any table when null) on a source session of the run (see <see cref="PlannedRead"/>).</summary>
    public PlannedRead Read(NpgsqlConnection conn, string? table, bool userNames = false) => Warmup.Read(conn, _source, table, userNames);

    /// <summary>Runs work on the coordinator; losing it means losing the snapshot, and the error says so.</summary>
    public async Task<T> OnCoordinatorAsync<T>(Func<NpgsqlConnection, Task<T>> work)
    {
        try { return await work(Coordinator); }
        catch (Exception e) when (Id is not null && IsConnectionLoss(e)) { throw Lost(e); }
    }

    /// <summary>Ends the snapshot's transaction (a lost coordinator is reported as a lost snapshot) and closes the session.</summary>
    public async Task EndAsync(CancellationToken ct)
    {
        await OnCoordinatorAsync(async c => { await JobSession.ExecAsync(c, _source, null, "COMMIT", ct); return 0; });
        await _session.CloseAsync(Coordinator);
    }

    private static bool IsConnectionLoss(Exception e) => e switch
    {
        PgCloneException { InnerException: { } inner } => IsConnectionLoss(inner),
        PostgresException pg => pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown,
        NpgsqlException or IOException or ObjectDisposedException or InvalidOperationException => true,
        _ => false,
    };

    private PgCloneException Lost(Exception e) => PgCloneException.For(_source, null,
        $"the run's snapshot {Id} is gone because the session that exported it ended ({Reason(e)}); " +
        "rerun with \"consistent\": false, or resume the job", e);

    private static string Reason(Exception e) => e switch
    {
        PostgresException pg => pg.MessageText,
        PgCloneException { InnerException: PostgresException pg } => pg.MessageText,
        _ => e.InnerException?.Message ?? e.Message,
    };
}
