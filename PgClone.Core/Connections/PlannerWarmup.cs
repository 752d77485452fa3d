using Npgsql;

namespace PgClone.Core.Connections;

/// <summary>
/// Lets a session whose search_path is pg_catalog plan a query on a table indexed by an expression over an SQL
/// function written for another search_path: earthdistance's <c>ll_to_earth</c> names <c>cube</c> and <c>earth</c>
/// unqualified. The planner inlines such a function when it first reads the table's index expressions, parsing its
/// body under the session's search_path ("type earth does not exist"), and keeps the result in the index's cache
/// entry. So before a planned read, the tables with such indexes are planned once (EXPLAIN: nothing is read) under
/// the functions' own schemas, then the session's search_path is put back: only the planner's copy of the index
/// expressions sees the wider path, never the query's output (reg* text stays qualified). pg_dump never meets this
/// because it only COPYs whole tables, which plans nothing.
/// It is redone before each planned read: the server drops the cached expressions whenever the index's catalog row
/// changes (an autovacuum updating its statistics), and taking them again costs one EXPLAIN per such table. Even so
/// the entry can go between the warm-up and the read (the session takes in other sessions' changes when it locks a
/// table it has not locked yet, or when it falls behind while idle), so a read is started as a <see cref="PlannedRead"/>.
/// </summary>
public sealed class PlannerWarmup
{
    public static readonly PlannerWarmup None = new([], "");

    // Indexes whose expression or predicate calls an SQL function outside pg_catalog (the only ones the planner
    // inlines from text); the path lists those functions' schemas, then every extension's schema (an extension's
    // script runs with its own and its required extensions' schemas on the path), then public. Without plpgsql (it
    // can be dropped) there is no DO block to warm with, and nothing is tried.
    private const string LoadSql = """
        WITH f AS (
          SELECT DISTINCT i.indrelid AS rel, p.pronamespace AS ns
          FROM pg_catalog.pg_index i
          JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = i.indexrelid
                                     AND d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
          JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid
          JOIN pg_catalog.pg_language l ON l.oid = p.prolang
          WHERE (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL) AND l.lanname = 'sql'
            AND p.pronamespace <> 'pg_catalog'::pg_catalog.regnamespace
            AND EXISTS (SELECT FROM pg_catalog.pg_language WHERE lanname = 'plpgsql'))
        SELECT 't', n.nspname, c.relname, 0
        FROM (SELECT DISTINCT rel FROM f) r JOIN pg_catalog.pg_class c ON c.oid = r.rel JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        UNION ALL
        SELECT 's', n.nspname, NULL, pg_catalog.min(w.rank)
        FROM (SELECT ns, 0 AS rank FROM f
              UNION ALL SELECT e.extnamespace, 1 FROM pg_catalog.pg_extension e WHERE EXISTS (SELECT FROM f)
              UNION ALL SELECT n.oid, 2 FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public' AND EXISTS (SELECT FROM f)) w
        JOIN pg_catalog.pg_namespace n ON n.oid = w.ns
        GROUP BY n.nspname
        ORDER BY 1, 4, 2, 3
        """;

    private IReadOnlyList<string> _tables;
    private string _path;
    /// <summary>Its read: done for one read at once, started by the first planned read for a <see cref="Deferred"/> one.</summary>
    private Task? _reading;
    private readonly Lock _gate = new();

    private PlannerWarmup(IReadOnlyList<string> tables, string path, bool deferred = false)
    {
        _tables = tables;
        _path = path;
        _reading = deferred ? null : Task.CompletedTask;
    }

    /// <summary>
    /// One read on the first session that plans a read (in a run, all of them see one snapshot): a clone of whole
    /// tables plans none (a table's COPY plans nothing), and its first catalog query waited for this one (10-25 ms at
    /// the start of every run).
    /// </summary>
    public static PlannerWarmup Deferred() => new([], "", deferred: true);

    /// <summary>Whether the database has such a table (otherwise a <see cref="PlannedRead"/> sends nothing more); known once <see cref="EnsureReadAsync"/> ended.</summary>
    public bool IsNeeded => _tables.Count > 0;

    /// <summary>Reads which tables need it, on a session of the database (inside its transaction, if any).</summary>
    public static async Task<PlannerWarmup> LoadAsync(NpgsqlConnection conn, ServerEndpoint server, CancellationToken ct)
    {
        var (tables, path) = await ReadTablesAsync(conn, server, ct);
        return tables.Count == 0 ? None : new PlannerWarmup(tables, path);
    }

    private static async Task<(List<string> Tables, string Path)> ReadTablesAsync(NpgsqlConnection conn, ServerEndpoint server, CancellationToken ct)
    {
        var rows = await ReadQuery.RowsAsync(conn, server, "the tables' index expressions", LoadSql,
            r => (Table: r.GetString(0) == "t", Schema: r.GetString(1), Name: r.IsDBNull(2) ? null : r.GetString(2)), ct);
        var tables = rows.Where(r => r.Table).Select(r => Sql.Qualified(r.Schema, r.Name!)).ToList();
        return (tables, string.Join(", ", rows.Where(r => !r.Table).Select(r => Sql.Ident(r.Schema))));
    }

    /// <summary>
    /// A <see cref="Deferred"/> one read on <paramref name="conn"/> the first time; others wanting it meanwhile wait for
    /// that read. One that failed or was cancelled (with the read that started it) is read again by the next.
    /// </summary>
    internal Task EnsureReadAsync(NpgsqlConnection conn, ServerEndpoint server, CancellationToken ct)
    {
        lock (_gate)
            return _reading is { IsFaulted: false, IsCanceled: false } reading ? reading : _reading = ReadDeferredAsync(conn, server, ct);
    }

    private async Task ReadDeferredAsync(NpgsqlConnection conn, ServerEndpoint server, CancellationToken ct)
    {
        var (tables, path) = await ReadTablesAsync(conn, server, ct);
        (_path, _tables) = (path, tables);
    }

    /// <summary>A read of <paramref name="table"/> (see <see cref="WarmSql"/>) on <paramref name="conn"/>, to start warmed.</summary>
    /// <param name="userNames">The read holds the user's own SQL (a row filter): see <see cref="PlannedRead.UserSearchPath"/>.</param>
    public PlannedRead Read(NpgsqlConnection conn, ServerEndpoint server, string? table, bool userNames = false) => new(this, conn, server, table, userNames);

    /// <summary>
    /// Begins a REPEATABLE READ READ ONLY transaction on a session opened for planned reads alone (discovery, the
    /// compliance report): a <see cref="PlannedRead"/> needs one for its savepoint, and its reads then see one snapshot.
    /// </summary>
    public static async Task BeginReadsAsync(NpgsqlConnection conn, ServerEndpoint server, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or IOException) { throw PgCloneException.FromDriver(server, null, e); }
    }

    /// <summary>Runs a whole read (all its rows taken) as a <see cref="PlannedRead"/>.</summary>
    /// <param name="userNames">The read holds the user's own SQL (a row filter): see <see cref="PlannedRead.UserSearchPath"/>.</param>
    public async Task<T> ReadAsync<T>(NpgsqlConnection conn, ServerEndpoint server, string? table, Func<Task<T>> read, CancellationToken ct, bool userNames = false)
    {
        var planned = Read(conn, server, table, userNames);
        var result = await planned.StartAsync(read, ct);
        await planned.EndAsync(ct);
        return result;
    }

    /// <summary>
    /// What readies the session to plan a read of <paramref name="table"/> (a quoted name; its inheritance children
    /// and partitions too), or of any table when null (a user's filter may read others in subqueries). A table that
    /// cannot be planned even so is left as it was: the read itself then reports the server's error.
    /// </summary>
    internal string WarmSql(string? table)
    {
        var reads = table is null ? _tables.Select(t => $"ONLY {t}") : [table];
        // Each EXPLAIN in a block of its own: one that fails rolls back only itself (and the path it set).
        var blocks = string.Concat(reads.Select(r =>
            $"BEGIN PERFORM pg_catalog.set_config('search_path', {Sql.Literal(_path)}, true); " +
            $"EXECUTE {Sql.Literal($"EXPLAIN SELECT FROM {r}")}; EXCEPTION WHEN OTHERS THEN NULL; END; "));
        var body = "DECLARE kept pg_catalog.text := pg_catalog.current_setting('search_path'); " +
                   $"BEGIN {blocks}PERFORM pg_catalog.set_config('search_path', kept, true); END";
        return $"DO {Sql.Literal(body)}";
    }
}

/// <summary>
/// One read of a source session inside a transaction that the server may have to plan through a table's index
/// expressions (<see cref="PlannerWarmup"/>). It starts warmed, behind a savepoint; when the server planned it
/// without the warm-up all the same and failed on a name (a type or a function that does not exist), the session
/// rolls back to the savepoint (the transaction and its snapshot go on), warms again and starts the read once more.
/// Planning ends before the server sends a row, so what is retried is a start: a COPY passes only its start (its rows
/// go on to the target), a query whose rows are only collected may pass the whole read (a retry drops what it had).
/// A database without such an index sends nothing more than the read.
/// </summary>
public sealed class PlannedRead
{
    private const string Savepoint = "pgclone_planned_read";
    private readonly PlannerWarmup _warmup;
    private readonly NpgsqlConnection _conn;
    private readonly ServerEndpoint _server;
    private readonly string? _table;
    private readonly bool _userNames;

    /// <summary>
    /// Gives the transaction the search_path the database and role give a session (the one a user's psql has), for
    /// the user's own SQL in a read: a row filter's <c>ci = 'case'</c> on a citext column found only pg_catalog's
    /// text = text under the run's search_path (pg_catalog), and copied other rows than the same filter selects in
    /// psql. The engine's own SQL in the read stays qualified and quoted, so the path changes nothing of it.
    /// </summary>
    public const string UserSearchPath =
        "SELECT pg_catalog.set_config('search_path', s.reset_val, true) FROM pg_catalog.pg_settings s WHERE s.name = 'search_path'";

    /// <summary>The run's search_path again after <see cref="UserSearchPath"/>.</summary>
    public const string RunSearchPath = "SET LOCAL search_path = pg_catalog";

    internal PlannedRead(PlannerWarmup warmup, NpgsqlConnection conn, ServerEndpoint server, string? table, bool userNames)
    {
        _warmup = warmup;
        _conn = conn;
        _server = server;
        _table = table;
        _userNames = userNames;
    }

    /// <summary>Starts the read (the COPY, the query) with <paramref name="start"/>, which may be called twice.</summary>
    public async Task<T> StartAsync<T>(Func<Task<T>> start, CancellationToken ct)
    {
        await _warmup.EnsureReadAsync(_conn, _server, ct);
        if (!_warmup.IsNeeded)
        {
            if (_userNames) await SendAsync(UserSearchPath, ct);
            return await start();
        }
        await SendAsync($"SAVEPOINT {Savepoint}; {_warmup.WarmSql(_table)}{UserPath}", ct);
        try { return await start(); }
        catch (Exception e) when (IsUnknownName(e))
        {
            await SendAsync($"ROLLBACK TO SAVEPOINT {Savepoint}; {_warmup.WarmSql(_table)}{UserPath}", ct);
            return await start();
        }
    }

    /// <summary>The user's search_path after the warm-up, which puts the session's back.</summary>
    private string UserPath => _userNames ? "; " + UserSearchPath : "";

    /// <summary>After the read's last row: drops the savepoint, so a session's reads do not nest; the run's search_path again.</summary>
    public Task EndAsync(CancellationToken ct)
    {
        var sql = string.Join("; ", new[] { _userNames ? RunSearchPath : null, _warmup.IsNeeded ? $"RELEASE SAVEPOINT {Savepoint}" : null }.OfType<string>());
        return sql.Length == 0 ? Task.CompletedTask : SendAsync(sql, ct);
    }

    private static bool IsUnknownName(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is PostgresException { SqlState: PostgresErrorCodes.UndefinedObject or PostgresErrorCodes.UndefinedFunction }) return true;
        return false;
    }

    private async Task SendAsync(string sql, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, _conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or IOException) { throw PgCloneException.FromDriver(_server, _table is null ? null : $"table {_table}", e); }
    }
}

/// <summary>One session's <see cref="PlannerWarmup"/>, read on that session the first time a planned read needs it.</summary>
public sealed class SessionWarmup(NpgsqlConnection conn, ServerEndpoint server)
{
    private readonly PlannerWarmup _tables = PlannerWarmup.Deferred();

    /// <summary>See <see cref="PlannerWarmup.ReadAsync"/>.</summary>
    public Task<T> ReadAsync<T>(string? table, Func<Task<T>> read, CancellationToken ct, bool userNames = false) =>
        _tables.ReadAsync(conn, server, table, read, ct, userNames);
}
