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
/// changes (an autovacuum updating its statistics), and taking them again costs one EXPLAIN per such table.
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

    private readonly IReadOnlyList<string> _tables;
    private readonly string _path;

    private PlannerWarmup(IReadOnlyList<string> tables, string path)
    {
        _tables = tables;
        _path = path;
    }

    /// <summary>Whether the database has such a table (otherwise <see cref="WarmAsync"/> sends nothing).</summary>
    public bool IsNeeded => _tables.Count > 0;

    /// <summary>Reads which tables need it, on a session of the database (inside its transaction, if any).</summary>
    public static async Task<PlannerWarmup> LoadAsync(NpgsqlConnection conn, ServerEndpoint server, CancellationToken ct)
    {
        var rows = await ReadQuery.RowsAsync(conn, server, "the tables' index expressions", LoadSql,
            r => (Table: r.GetString(0) == "t", Schema: r.GetString(1), Name: r.IsDBNull(2) ? null : r.GetString(2)), ct);
        var tables = rows.Where(r => r.Table).Select(r => Sql.Qualified(r.Schema, r.Name!)).ToList();
        var path = string.Join(", ", rows.Where(r => !r.Table).Select(r => Sql.Ident(r.Schema)));
        return tables.Count == 0 ? None : new PlannerWarmup(tables, path);
    }

    /// <summary>
    /// Readies the session to plan a read of <paramref name="table"/> (a quoted name; its inheritance children and
    /// partitions too), or of any table when null (a user's filter may read others in subqueries). A table that
    /// cannot be planned even so is left as it was: the read itself then reports the server's error.
    /// </summary>
    public async Task WarmAsync(NpgsqlConnection conn, ServerEndpoint server, string? table, CancellationToken ct)
    {
        if (!IsNeeded) return;
        var reads = table is null ? _tables.Select(t => $"ONLY {t}") : [table];
        // Each EXPLAIN in a block of its own: one that fails rolls back only itself (and the path it set).
        var blocks = string.Concat(reads.Select(r =>
            $"BEGIN PERFORM pg_catalog.set_config('search_path', {Sql.Literal(_path)}, true); " +
            $"EXECUTE {Sql.Literal($"EXPLAIN SELECT FROM {r}")}; EXCEPTION WHEN OTHERS THEN NULL; END; "));
        var body = "DECLARE kept pg_catalog.text := pg_catalog.current_setting('search_path'); " +
                   $"BEGIN {blocks}PERFORM pg_catalog.set_config('search_path', kept, true); END";
        try
        {
            await using var cmd = new NpgsqlCommand($"DO {Sql.Literal(body)}", conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or IOException) { throw PgCloneException.FromDriver(server, table is null ? null : $"table {table}", e); }
    }
}

/// <summary>One session's <see cref="PlannerWarmup"/>, read on that session the first time a planned read needs it.</summary>
public sealed class SessionWarmup(NpgsqlConnection conn, ServerEndpoint server)
{
    private PlannerWarmup? _tables;

    /// <summary>See <see cref="PlannerWarmup.WarmAsync"/>.</summary>
    public async Task WarmAsync(string? table, CancellationToken ct)
    {
        _tables ??= await PlannerWarmup.LoadAsync(conn, server, ct);
        await _tables.WarmAsync(conn, server, table, ct);
    }
}
