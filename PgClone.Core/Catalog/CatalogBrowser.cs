using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Catalog;

/// <summary>A schema as a browser lists it: how many objects of each kind it holds and their total size on disk.</summary>
public sealed record SchemaOverview(string Name, int Tables, int Views, int MaterializedViews, int Sequences, int Functions, int Types, long TotalBytes);

/// <summary>A table (ordinary or partitioned; partitions are counted in their parent) with its size and the planner's row estimate.</summary>
public sealed record TableOverview(string Schema, string Name, bool Partitioned, long? RowEstimate, long TotalBytes);

/// <summary>
/// A schema's object other than a table, as a browser lists it: its kind (view, materialized view, sequence,
/// function, type), its name (a function's with its argument types), what kind of it (procedure, enum, domain over
/// integer...) and, for a materialized view, its size.
/// </summary>
public sealed record ObjectOverview(string Schema, string Kind, string Name, string? Detail, long? Bytes);

/// <summary>A table or partition as a picker shows it: heap size, the planner's row estimate (0 when never analyzed) and its columns.</summary>
public sealed record SourceTable(QualifiedName Name, long EstimatedRows, long Bytes, IReadOnlyList<string> Columns, bool Partition);

/// <summary>
/// What a person browsing a server wants to see before choosing what to clone: user schemas with object counts
/// per kind, then a schema's tables with sizes and row estimates. Cheap catalog reads only (no count(*)), so
/// a tree can load each level when it is expanded. Objects that belong to extensions are left out, as in
/// <see cref="CatalogReader"/>.
/// </summary>
public static class CatalogBrowser
{
    /// <summary>
    /// The planner's row estimate of table <c>c</c> (pg_class alias): reltuples of an ordinary table, summed over the
    /// leaf partitions of a partitioned one; NULL when a table was never analyzed (reltuples = -1).
    /// </summary>
    internal const string RowEstimate = """
        CASE WHEN c.relkind IN ('r', 'm') THEN CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END
             ELSE (SELECT CASE WHEN bool_or(l.reltuples < 0) THEN NULL ELSE coalesce(sum(l.reltuples), 0)::bigint END
                   FROM pg_partition_tree(c.oid) pt JOIN pg_class l ON l.oid = pt.relid WHERE l.relkind = 'r') END
        """;

    public static async Task<List<SchemaOverview>> SchemasAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var names = (await CatalogReader.UserSchemasAsync(conn, ct)).ToArray();
        return await CatalogReader.QueryAsync(conn, $"""
            SELECT n.nspname,
                   (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND {CatalogReader.NotMember("pg_class", "c.oid")})::int,
                   (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'v' AND {CatalogReader.NotMember("pg_class", "c.oid")})::int,
                   (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'm' AND {CatalogReader.NotMember("pg_class", "c.oid")})::int,
                   (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'S' AND {CatalogReader.NotMember("pg_class", "c.oid")})::int,
                   (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid AND {CatalogReader.NotMember("pg_proc", "p.oid")})::int,
                   (SELECT count(*) FROM pg_type t WHERE t.typnamespace = n.oid AND {CatalogReader.NotMember("pg_type", "t.oid")}
                      AND (t.typtype IN ('e', 'd', 'r', 'b') AND t.typcategory <> 'A'
                           OR t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))::int,
                   coalesce((SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
                             WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'm', 'S')), 0)::bigint
            FROM pg_namespace n WHERE n.nspname = ANY($1)
            ORDER BY n.nspname COLLATE "C"
            """, names, r => new SchemaOverview(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5), r.GetInt32(6), r.GetInt64(7)), ct);
    }

    /// <summary>
    /// Ordinary and partitioned tables of one schema. A partitioned table's size and estimate are summed over its
    /// leaf partitions; the estimate is null when a table was never analyzed (reltuples = -1).
    /// </summary>
    public static Task<List<TableOverview>> TablesAsync(NpgsqlConnection conn, string schema, CancellationToken ct) =>
        CatalogReader.QueryAsync(conn, $"""
            SELECT n.nspname, c.relname, c.relkind = 'p',
                   {RowEstimate},
                   CASE WHEN c.relkind = 'r' THEN pg_total_relation_size(c.oid)
                        ELSE (SELECT coalesce(sum(pg_total_relation_size(pt.relid)), 0) FROM pg_partition_tree(c.oid) pt) END::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ($1)[1] AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND {CatalogReader.NotMember("pg_class", "c.oid")}
            ORDER BY c.relname COLLATE "C"
            """, [schema], r => new TableOverview(r.GetString(0), r.GetString(1), r.GetBoolean(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.GetInt64(4)), ct);

    /// <summary>
    /// The schema's views, materialized views, sequences, functions and types, in that order and by name: the objects
    /// <see cref="SchemasAsync(NpgsqlConnection, CancellationToken)"/> counts beside the tables.
    /// </summary>
    public static Task<List<ObjectOverview>> ObjectsAsync(NpgsqlConnection conn, string schema, CancellationToken ct) =>
        CatalogReader.QueryAsync(conn, $"""
            SELECT o.kind, o.name, o.detail, o.bytes FROM pg_namespace n, LATERAL (
                SELECT CASE c.relkind WHEN 'v' THEN 1 WHEN 'm' THEN 2 ELSE 3 END AS rank,
                       CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'sequence' END AS kind,
                       c.relname::text AS name, NULL::text AS detail, CASE WHEN c.relkind = 'm' THEN pg_total_relation_size(c.oid) END AS bytes
                FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('v', 'm', 'S') AND {CatalogReader.NotMember("pg_class", "c.oid")}
                UNION ALL
                SELECT 4, 'function', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
                       CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function'
                                      ELSE 'returns ' || pg_get_function_result(p.oid) END, NULL
                FROM pg_proc p WHERE p.pronamespace = n.oid AND {CatalogReader.NotMember("pg_proc", "p.oid")}
                UNION ALL
                SELECT 5, 'type', t.typname::text,
                       CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain over ' || format_type(t.typbasetype, t.typtypmod)
                                      WHEN 'r' THEN 'range' WHEN 'b' THEN 'base type' ELSE 'composite' END, NULL
                FROM pg_type t WHERE t.typnamespace = n.oid AND {CatalogReader.NotMember("pg_type", "t.oid")}
                  AND (t.typtype IN ('e', 'd', 'r', 'b') AND t.typcategory <> 'A'
                       OR t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
            ) o
            WHERE n.nspname = ($1)[1]
            ORDER BY o.rank, o.name COLLATE "C"
            """, [schema], r => new ObjectOverview(schema, r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetInt64(3)), ct);

    /// <summary>
    /// Every ordinary and partitioned table and partition of the given schemas with its columns, in one catalog query:
    /// what a clone's scope and masking pickers need, without reading any definition.
    /// </summary>
    public static Task<List<SourceTable>> TablesWithColumnsAsync(NpgsqlConnection conn, IReadOnlyList<string> schemas, CancellationToken ct) =>
        CatalogReader.QueryAsync(conn, $"""
            SELECT n.nspname, c.relname, greatest(c.reltuples, 0)::bigint, pg_relation_size(c.oid), c.relispartition,
                   ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1) AND {CatalogReader.NotMember("pg_class", "c.oid")}
            ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"
            """, schemas.ToArray(), r => new SourceTable(new QualifiedName(r.GetString(0), r.GetString(1)), r.GetInt64(2), r.GetInt64(3),
                r.GetFieldValue<string[]>(5), r.GetBoolean(4)), ct);

    /// <summary>Opens the server and lists its schemas; errors name the server.</summary>
    public static Task<List<SchemaOverview>> SchemasAsync(ServerEndpoint server, CancellationToken ct) =>
        OnServerAsync(server, null, conn => SchemasAsync(conn, ct), ct);

    public static Task<List<TableOverview>> TablesAsync(ServerEndpoint server, string schema, CancellationToken ct) =>
        OnServerAsync(server, $"schema {Sql.Ident(schema)}", conn => TablesAsync(conn, schema, ct), ct);

    public static Task<List<ObjectOverview>> ObjectsAsync(ServerEndpoint server, string schema, CancellationToken ct) =>
        OnServerAsync(server, $"schema {Sql.Ident(schema)}", conn => ObjectsAsync(conn, schema, ct), ct);

    private static async Task<T> OnServerAsync<T>(ServerEndpoint server, string? objectName, Func<NpgsqlConnection, Task<T>> read, CancellationToken ct)
    {
        await using var conn = await server.OpenAsync(ct);
        try
        {
            return await read(conn);
        }
        catch (NpgsqlException e)
        {
            throw PgCloneException.FromDriver(server, objectName, e);
        }
    }
}
