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

    private SourceSnapshot(JobSession session, ServerEndpoint source, NpgsqlConnection coordinator)
    {
        _session = session;
        _source = source;
        Coordinator = coordinator;
    }

    public NpgsqlConnection Coordinator { get; }
    /// <summary>The exported snapshot, or null when the run is not consistent.</summary>
    public string? Id { get; private set; }
    /// <summary>What every source session of the run does before planning a read of a table (see <see cref="PlannerWarmup"/>).</summary>
    public PlannerWarmup Warmup { get; } = PlannerWarmup.Deferred();

    /// <summary>
    /// Sessions opened while the coordinator begins and the run plans, handed out in order: the planner's catalog
    /// helper, then the load's workers. Each is a connection's start-up (authentication, a backend's start: 10-30 ms
    /// on the source) that the planner or the load otherwise waited for (300 tiny tables, 6 runs each, interleaved:
    /// 1.49 -> 1.44 s and 1.64 -> 1.54 s in two slow spells of this machine).
    /// </summary>
    private readonly List<Task<NpgsqlConnection>> _ahead = [];
    private Task<NpgsqlConnection>? _helper;

    /// <param name="lockWaitSeconds">How long its reads wait for a table's lock until the run's locks are taken (<see cref="SourceLocks.WaitAtMost"/>).</param>
    /// <param name="catalogHelper">Opens the planner's second session too (<see cref="TakeCatalogHelper"/>), when the run is consistent.</param>
    /// <param name="workers">The source sessions the load will read on, opened ahead (the catalog helper becomes one once the plan is made).</param>
    public static async Task<SourceSnapshot> BeginAsync(JobSession session, ServerEndpoint source, bool consistent, int lockWaitSeconds,
        bool catalogHelper, int workers, CancellationToken ct)
    {
        var conn = await session.OpenAsync(source, "coordinator", ct);
        var snapshot = new SourceSnapshot(session, source, conn);
        // Opened once the coordinator is (the job's first session loads the server's types for all of them; a role
        // allowed few sessions keeps its first for the coordinator), and in the snapshot once it is exported.
        var exported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (consistent && catalogHelper) snapshot._helper = snapshot.OpenAheadAsync("catalog", exported.Task, catalog: true, ct).Observed();
        for (var i = snapshot._helper is null ? 1 : 2; i <= workers; i++) snapshot._ahead.Add(snapshot.OpenAheadAsync($"w{i}-source", exported.Task, catalog: false, ct).Observed());
        try
        {
            await JobSession.ExecAsync(conn, source, null,
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL idle_in_transaction_session_timeout = 0; " +
                $"SET LOCAL statement_timeout = 0; {SourceLocks.WaitAtMost(lockWaitSeconds)}; {Catalog.CatalogReader.ReadSettings}", ct);
            snapshot.Id = consistent ? await JobSession.ScalarAsync<string>(conn, source, "SELECT pg_catalog.pg_export_snapshot()", ct) : null;
            exported.SetResult();
        }
        catch (Exception e)
        {
            exported.TrySetException(e);
            throw;
        }
        return snapshot;
    }

    /// <summary>A session opened ahead (<see cref="_ahead"/>): its failure is met again when it is wanted, by opening another.</summary>
    private async Task<NpgsqlConnection> OpenAheadAsync(string role, Task exported, bool catalog, CancellationToken ct)
    {
        var conn = await _session.OpenAsync(_source, role, ct);
        try { await exported; }
        catch
        {
            await _session.CloseAsync(conn);
            throw;
        }
        return await PrepareAsync(conn, catalog, ct);
    }

    /// <summary>
    /// A worker's source session, reading in the run's snapshot (or in its own when not consistent): one opened ahead
    /// while there is one, else a new one (also when the one opened ahead failed to: the failure then is the run's).
    /// </summary>
    public async Task<NpgsqlConnection> OpenWorkerAsync(int worker, CancellationToken ct)
    {
        Task<NpgsqlConnection>? ahead = null;
        lock (_ahead)
            if (_ahead.Count > 0)
            {
                ahead = _ahead[0];
                _ahead.RemoveAt(0);
            }
        if (ahead is not null)
        {
            try { return await ahead; }
            catch (PgCloneException) { /* opened again below */ }
        }
        return await OpenAsync($"w{worker}-source", ct);
    }

    /// <summary>
    /// The second session for the planner's catalog reads, which run beside the coordinator's (a catalog of 300 tables:
    /// about 0.3 s of queries on one session), being opened; null when <see cref="BeginAsync"/> was not asked for it or
    /// the run is not consistent: its reads would see another instant. Given back with <see cref="ReturnCatalogHelperAsync"/>.
    /// </summary>
    public Task<NpgsqlConnection>? TakeCatalogHelper() => Interlocked.Exchange(ref _helper, null);

    /// <summary>
    /// The catalog helper, its reads done: the load's first worker reads on it (one session fewer to start), in a
    /// transaction of its own in the snapshot; closed when the load has no use for it (<paramref name="forLoad"/> false)
    /// or it failed to open.
    /// </summary>
    public async Task ReturnCatalogHelperAsync(Task<NpgsqlConnection>? helper, bool forLoad)
    {
        if (helper is null) return;
        if (!forLoad)
        {
            await CloseAsync(helper);
            return;
        }
        lock (_ahead) _ahead.Insert(0, AsWorkerAsync(helper).Observed());
    }

    private async Task<NpgsqlConnection> AsWorkerAsync(Task<NpgsqlConnection> helper)
    {
        var conn = await helper;
        try { await _session.ApartAsync(conn, () => ImportAsync(conn, $"COMMIT; {_session.NameSql(_source, "w1-source")}; {Import}", CancellationToken.None)); }
        catch (PgCloneException)
        {
            await _session.CloseAsync(conn);
            throw;
        }
        return conn;
    }

    /// <summary>Closes a session of <see cref="TakeCatalogHelper"/> (one that failed to open has nothing to close).</summary>
    public async Task CloseAsync(Task<NpgsqlConnection>? helper)
    {
        if (helper is null) return;
        NpgsqlConnection conn;
        try { conn = await helper; }
        catch (Exception e) when (e is PgCloneException or OperationCanceledException) { return; }
        await _session.CloseAsync(conn);
    }

    private async Task<NpgsqlConnection> OpenAsync(string role, CancellationToken ct) =>
        await PrepareAsync(await _session.OpenAsync(_source, role, ct), catalog: false, ct);

    /// <param name="catalog">Reads the catalog only (<see cref="Catalog.CatalogReader.ReadSettings"/>); a worker's reads of tables keep the server's JIT setting.</param>
    private async Task<NpgsqlConnection> PrepareAsync(NpgsqlConnection conn, bool catalog, CancellationToken ct)
    {
        try { await _session.ApartAsync(conn, () => ImportAsync(conn, Id is null ? "SET statement_timeout = 0; SET search_path = pg_catalog" : catalog ? $"{Import}; {Catalog.CatalogReader.ReadSettings}" : Import, ct)); }
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
        List<Task<NpgsqlConnection>> unused;
        lock (_ahead)
        {
            unused = [.. _ahead];
            _ahead.Clear();
        }
        // Sessions opened ahead for workers the load did not have (fewer tables than workers).
        foreach (var ahead in unused) await CloseAsync(ahead);
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
