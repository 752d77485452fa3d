using PgClone.Core.Connections;

namespace PgClone.Core.Verification;

/// <summary>
/// A relation as verification sees it: a table (partitions are not listed, since their parent's rows include them),
/// a materialized view (<see cref="Populated"/> false when it was created or left WITH NO DATA) or a sequence.
/// </summary>
internal sealed record VerifiedTable(string Schema, string Name, char Relkind, bool Populated, long? Estimate, IReadOnlyList<string> Columns)
{
    /// <summary>
    /// A partitioned table with foreign partitions: its other leaf partitions (quoted, qualified), read in its
    /// place, and the foreign ones. A clone copies no foreign rows, and reading them goes through their wrapper
    /// (which may have no handler, or reach a remote server). Null for any other relation.
    /// </summary>
    public IReadOnlyList<string>? LocalLeaves { get; init; }
    public IReadOnlyList<string> ForeignLeaves { get; init; } = [];
    /// <summary>False for a sequence the session may not read (no SELECT on it): its state is not compared.</summary>
    public bool Readable { get; init; } = true;
    /// <summary>
    /// Unlogged (a table, one of its partitions, or a sequence) on a hot standby, which holds none of its rows or
    /// state, and fails to read it: not compared.
    /// </summary>
    public bool UnloggedOnStandby { get; init; }
    /// <summary>For a sequence owned by a column (serial, identity): that column's table and name.</summary>
    public (string Table, string Column)? Owner { get; init; }

    public bool Partitioned => Relkind == 'p';

    public VerifiedKind Kind => Relkind switch { 'm' => VerifiedKind.MaterializedView, 'S' => VerifiedKind.Sequence, _ => VerifiedKind.Table };
}

/// <summary>The catalog and row queries of <c>pgclone verify</c>.</summary>
internal static class VerifyCatalog
{
    /// <summary>
    /// Ordinary and partitioned tables (not partitions), materialized views and sequences of one schema or of every
    /// user schema, with the planner's row estimate: reltuples of the table or view, or summed over a partitioned
    /// table's leaf partitions; null when a table was never analyzed (reltuples = -1).
    /// </summary>
    /// <param name="named">Names of which a partition is read too (the table a table clone copied may be one).</param>
    public static Task<List<VerifiedTable>> ReadTablesAsync(ReadOnlySession s, string? schema, CancellationToken ct, string[]? named = null) =>
        s.QueryAsync($"""
            SELECT n.nspname, c.relname, c.relkind, c.relispopulated, {Catalog.CatalogBrowser.RowEstimate},
                   ARRAY(SELECT a.attname::text FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                   leaves.local, leaves.foreign, c.relkind <> 'S' OR has_sequence_privilege(c.oid, 'SELECT'),
                   {Catalog.CatalogReader.UnloggedOnStandby("c.oid")}, owner.tab, owner.col
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN LATERAL (
                SELECT o.relname::text AS tab, a.attname::text AS col
                FROM pg_depend d JOIN pg_class o ON o.oid = d.refobjid
                JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                  AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
                LIMIT 1) AS owner ON c.relkind = 'S'
            LEFT JOIN LATERAL (
                SELECT array_agg(l.oid::regclass::text ORDER BY l.oid::regclass::text) FILTER (WHERE l.relkind = 'r') AS local,
                       array_agg(l.oid::regclass::text ORDER BY l.oid::regclass::text) FILTER (WHERE l.relkind = 'f') AS foreign
                FROM pg_partition_tree(c.oid) pt JOIN pg_class l ON l.oid = pt.relid
                HAVING bool_or(l.relkind = 'f')) AS leaves ON c.relkind = 'p'
            WHERE c.relkind IN ('r', 'p', 'm', 'S') AND (NOT c.relispartition OR c.relname = ANY($2::text[]))
              AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
              AND ($1::text IS NULL OR n.nspname = $1::text)
            ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"
            """,
            r => new VerifiedTable(r.GetString(0), r.GetString(1), r.GetChar(2), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetInt64(4),
                r.GetFieldValue<string[]>(5))
            {
                LocalLeaves = r.IsDBNull(7) ? null : r.IsDBNull(6) ? [] : r.GetFieldValue<string[]>(6),
                ForeignLeaves = r.IsDBNull(7) ? [] : r.GetFieldValue<string[]>(7),
                Readable = r.GetBoolean(8),
                UnloggedOnStandby = r.GetBoolean(9),
                Owner = r.IsDBNull(10) ? null : (r.GetString(10), r.GetString(11)),
            },
            ct, null, [schema, named ?? []]);

    /// <summary>
    /// Each sequence's state, which decides the value its next nextval() returns: last_value and is_called, read
    /// from the sequences themselves (pg_sequences hides last_value until the first nextval) in one round trip.
    /// </summary>
    public static async Task<Dictionary<(string, string), SequenceState>> SequencesAsync(ReadOnlySession s, IReadOnlyList<VerifiedTable> sequences, CancellationToken ct)
    {
        var states = new Dictionary<(string, string), SequenceState>();
        foreach (var chunk in sequences.Chunk(500))
        {
            var sql = string.Join("\nUNION ALL ", chunk.Select((q, i) =>
                $"SELECT {i}, last_value, is_called FROM {Sql.Qualified(q.Schema, q.Name)}"));
            foreach (var (i, state) in await s.QueryAsync(sql, r => (r.GetInt32(0), new SequenceState(r.GetInt64(1), r.GetBoolean(2))), ct, "sequences"))
                states[(chunk[i].Schema, chunk[i].Name)] = state;
        }
        return states;
    }

    private static Task<bool> SchemaExistsAsync(ReadOnlySession s, string schema, CancellationToken ct) =>
        s.ScalarAsync<bool>(Catalog.CatalogReader.SchemaExists, ct, [schema]);

    /// <summary>
    /// The schema as the session reads it: as given when it exists so (picked from a list read byte for byte), else
    /// as typed (<see cref="ReadOnlySession.AsRead"/>); null when neither exists.
    /// </summary>
    public static async Task<string?> SchemaAsReadAsync(ReadOnlySession s, string schema, CancellationToken ct) =>
        await SchemaExistsAsync(s, schema, ct) ? schema : await SchemaExistsAsync(s, s.AsRead(schema), ct) ? s.AsRead(schema) : null;

    /// <summary>count(*); ONLY for an ordinary table so inheritance children are not counted twice.</summary>
    public static async Task<long> CountAsync(ReadOnlySession s, VerifiedTable t, CancellationToken ct)
    {
        return (await s.PlannedQueryAsync(Sql.Qualified(t.Schema, t.Name), $"SELECT count(*) FROM {From(t)} AS t", r => r.GetInt64(0), ct, Name(t))).Single();
    }

    /// <summary>
    /// Row count and the sum of the first 64 bits of md5(row text) as numeric: independent of row order, computed
    /// on the server in one pass, never sending rows to the client. Rows are rendered from the given columns only.
    /// md5 hashes the text in the database's own encoding, so a database of another encoding than UTF8 hashes its
    /// text's UTF-8 (the same rows in a LATIN1 source and its UTF8 copy hash alike); a SQL_ASCII database's bytes name
    /// no encoding to convert from and are hashed as they are, as they were copied.
    /// </summary>
    public static async Task<(long Rows, string Hash)> ChecksumAsync(ReadOnlySession s, VerifiedTable t, IReadOnlyList<string> columns, CancellationToken ct)
    {
        var row = columns.Count == 0 ? "''" : $"ROW({string.Join(", ", columns.Select(c => "t." + Sql.Ident(c)))})::text";
        var hashed = s.DatabaseEncoding is "UTF8" or ServerEndpoint.SqlAscii ? row : $"convert_to({row}, 'UTF8')";
        var sql = $"SELECT count(*), coalesce(sum(('x' || left(md5({hashed}), 16))::bit(64)::bigint::numeric), 0)::text FROM {From(t)} AS t";
        return (await s.PlannedQueryAsync(Sql.Qualified(t.Schema, t.Name), sql, r => (r.GetInt64(0), r.GetString(1)), ct, Name(t))).Single();
    }

    /// <summary>
    /// The database's large objects as one entry: their number and, for a checksum, the order-independent sum over
    /// each object's oid and content md5 (computed by the server, nothing sent to the client).
    /// </summary>
    public static async Task<(long Count, string? Hash)> LargeObjectsAsync(ReadOnlySession s, bool checksum, CancellationToken ct) =>
        (await s.QueryAsync($"""
            SELECT count(*), {(checksum ? "coalesce(sum(('x' || left(md5(m.oid::text || ':' || md5(pg_catalog.lo_get(m.oid))), 16))::bit(64)::bigint::numeric), 0)::text" : "NULL")}
            FROM pg_catalog.pg_largeobject_metadata m
            """, r => (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1)), ct, "large objects")).Single();

    private static string From(VerifiedTable t)
    {
        if (t.LocalLeaves is { } leaves)
        {
            var columns = string.Join(", ", t.Columns.Select(Sql.Ident));
            return "(" + string.Join(" UNION ALL ", leaves.DefaultIfEmpty(Sql.Qualified(t.Schema, t.Name)).Select(l => $"SELECT {columns} FROM ONLY {l}")) + ")";
        }
        return (t.Relkind == 'r' ? "ONLY " : "") + Sql.Qualified(t.Schema, t.Name);
    }

    public static string Name(VerifiedTable t) =>
        $"{(t.Kind == VerifiedKind.MaterializedView ? "materialized view" : "table")} {Sql.Qualified(t.Schema, t.Name)}";
}

/// <summary>A sequence's state: nextval() returns <see cref="LastValue"/> when not called yet, else the value after it.</summary>
internal sealed record SequenceState(long LastValue, bool IsCalled)
{
    public override string ToString() => $"{LastValue}{(IsCalled ? "" : " (not called yet)")}";
}
