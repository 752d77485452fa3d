using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>A table column with what masking, discovery and the report need to know about it.</summary>
public sealed record MaskCatalogColumn(
    QualifiedName Table, string Column, string DataType, char TypeCategory, bool NotNull,
    bool IdentityAlways, bool Generated, bool InPrimaryKey, bool InUnique, bool InForeignKey, double EstimatedRows,
    QualifiedName? PartitionRoot, bool FoldsCase)
{
    /// <summary>Its table is unlogged (or has an unlogged partition) on a hot standby, which holds none of its rows to sample.</summary>
    public bool UnloggedOnStandby { get; init; }

    /// <summary>For an array column, its elements' pg_type.typcategory (discovery samples an array of strings by its first element).</summary>
    public char? ElementCategory { get; init; }

    /// <summary>The tables the column is inherited from, nearest first (<see cref="MaskColumn.InheritedFrom"/>).</summary>
    public IReadOnlyList<QualifiedName> InheritedFrom { get; init; } = [];

    /// <summary>Its type is a domain, whose checks a mask's values must pass too (discovery names it when they do not).</summary>
    public bool IsDomain { get; init; }

    public MaskColumn ToMaskColumn() => new(Table, Column, DataType, InPrimaryKey, InUnique, InForeignKey)
        { TypeCategory = TypeCategory, InheritedFrom = InheritedFrom, FoldsCase = FoldsCase };
}

/// <summary>The one catalog query of the masking features: the columns of ordinary and partitioned tables.</summary>
public static class MaskCatalog
{
    private static readonly string ColumnsSql = $"""
        WITH RECURSIVE {CatalogReader.CaseFoldingTypes}
        SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), t.typcategory::text,
               a.attnotnull, a.attidentity = 'a', a.attgenerated <> '',
               EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey::int2[])),
               EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND NOT i.indisprimary AND a.attnum = ANY (i.indkey::int2[]))
               OR EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                          JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = i.indexrelid
                           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = c.oid AND d.refobjsubid = a.attnum
                          WHERE i.indrelid = c.oid AND i.indisunique AND i.indexprs IS NOT NULL),
               EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f' AND a.attnum = ANY (k.conkey)),
               c.reltuples::float8, rn.nspname, r.relname, a.atttypid IN (SELECT oid FROM folds_case), {CatalogReader.UnloggedOnStandby("c.oid")},
               CASE WHEN a.attinhcount > 0 THEN ARRAY(
                   WITH RECURSIVE up (rel, depth, seq) AS (
                       SELECT i.inhparent, 1, i.inhseqno FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid
                       UNION ALL SELECT i.inhparent, u.depth + 1, i.inhseqno FROM up u JOIN pg_catalog.pg_inherits i ON i.inhrelid = u.rel
                   )
                   SELECT ARRAY[pn.nspname::text, p.relname::text] FROM up u
                   JOIN pg_catalog.pg_class p ON p.oid = u.rel JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
                   WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_attribute pa WHERE pa.attrelid = u.rel AND pa.attname = a.attname AND NOT pa.attisdropped)
                   ORDER BY u.depth, u.seq) END,
               coalesce((SELECT e.typcategory::text FROM pg_catalog.pg_type e WHERE e.oid = t.typelem AND t.typcategory = 'A'), ''),
               t.typtype = 'd'
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_class r ON c.relispartition AND r.oid = pg_catalog.pg_partition_root(c.oid)
        LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname = $1 AND ($2::text[] IS NULL OR c.relname = ANY ($2))
        ORDER BY c.relname, a.attnum
        """;

    /// <summary>Columns of the tables of <paramref name="schema"/> (all of them when <paramref name="tables"/> is null), in table then column order.</summary>
    public static async Task<IReadOnlyList<MaskCatalogColumn>> ColumnsAsync(NpgsqlConnection conn, ServerEndpoint server,
        string schema, IReadOnlyCollection<string>? tables, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(ColumnsSql, conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = schema });
            cmd.Parameters.Add(new NpgsqlParameter { Value = tables is null ? DBNull.Value : tables.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var columns = new List<MaskCatalogColumn>();
            while (await reader.ReadAsync(ct))
                columns.Add(new MaskCatalogColumn(new QualifiedName(reader.GetString(0), reader.GetString(1)), reader.GetString(2),
                    reader.GetString(3), reader.GetString(4)[0], reader.GetBoolean(5), reader.GetBoolean(6), reader.GetBoolean(7),
                    reader.GetBoolean(8), reader.GetBoolean(9), reader.GetBoolean(10), reader.GetDouble(11),
                    reader.IsDBNull(12) ? null : new QualifiedName(reader.GetString(12), reader.GetString(13)), reader.GetBoolean(14))
                    { UnloggedOnStandby = reader.GetBoolean(15), InheritedFrom = Ancestors(reader, 16), ElementCategory = reader.GetString(17) is [var e] ? e : null,
                      IsDomain = reader.GetBoolean(18) });
            return columns;
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(server, $"schema {Sql.Ident(schema)}", e); }
    }

    /// <summary>A two-dimensional text array of (schema, table) pairs; NULL for none.</summary>
    private static IReadOnlyList<QualifiedName> Ancestors(NpgsqlDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal)) return [];
        var pairs = reader.GetFieldValue<string[,]>(ordinal);
        return [.. Enumerable.Range(0, pairs.GetLength(0)).Select(i => new QualifiedName(pairs[i, 0], pairs[i, 1]))];
    }

    /// <summary>The columns a stored generated column is computed from (its expression's dependencies), in column order.</summary>
    public static async Task<IReadOnlyList<string>> GeneratedFromAsync(NpgsqlConnection conn, ServerEndpoint server, QualifiedName table, string column, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand("""
                SELECT a.attname::text
                FROM pg_catalog.pg_attrdef d
                JOIN pg_catalog.pg_attribute g ON g.attrelid = d.adrelid AND g.attnum = d.adnum
                JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND dep.objid = d.oid
                     AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.refobjid = d.adrelid AND dep.refobjsubid > 0
                JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = dep.refobjsubid
                WHERE d.adrelid = pg_catalog.to_regclass($1) AND g.attname = $2 AND a.attnum <> g.attnum
                ORDER BY a.attnum
                """, conn) { Parameters = { new() { Value = table.Quoted }, new() { Value = column } } };
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var names = new List<string>();
            while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
            return names;
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(server, $"table {table.Quoted}", e); }
    }

    /// <summary>
    /// Of the given columns of copied tables, those in the partition key of their table's partitioned ancestors (a
    /// key column, or one a key expression reads: both depend internally on their table), with that ancestor.
    /// </summary>
    public static async Task<IReadOnlyList<(QualifiedName Table, string Column, QualifiedName Partitioned)>> PartitionKeyColumnsAsync(
        NpgsqlConnection conn, ServerEndpoint server, IReadOnlyCollection<(QualifiedName Table, string Column)> columns, CancellationToken ct)
    {
        if (columns.Count == 0) return [];
        return await ReadAsync(conn, server, """
            SELECT DISTINCT m.tbl, m.col, n.nspname, c.relname
            FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[])) m (tbl, col)
            CROSS JOIN LATERAL pg_catalog.pg_partition_ancestors(pg_catalog.to_regclass(m.tbl)) anc (relid)
            JOIN pg_catalog.pg_partitioned_table p ON p.partrelid = anc.relid
            JOIN pg_catalog.pg_class c ON c.oid = p.partrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_attribute a ON a.attrelid = p.partrelid AND a.attname = m.col
            WHERE a.attnum = ANY (p.partattrs::pg_catalog.int2[])
               OR EXISTS (SELECT FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = p.partrelid AND d.objsubid = a.attnum
                            AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = p.partrelid AND d.refobjsubid = 0 AND d.deptype = 'i')
            ORDER BY 3, 4, 2
            """, [columns.Select(c => c.Table.Quoted).ToArray(), columns.Select(c => c.Column).ToArray()],
            r => (Parse(r.GetString(0)), r.GetString(1), new QualifiedName(r.GetString(2), r.GetString(3))), ct);
        QualifiedName Parse(string quoted) => columns.First(c => c.Table.Quoted == quoted).Table;
    }

    /// <summary>A validated CHECK constraint of a table, its expression (columns unqualified) and the columns it reads.</summary>
    public sealed record CheckConstraint(QualifiedName Table, string Name, string Expression, IReadOnlyList<string> Columns);

    /// <summary>The validated CHECK constraints of the given tables that read any of the given columns (a NOT VALID one is not checked on the target's rows).</summary>
    public static async Task<IReadOnlyList<CheckConstraint>> ChecksReadingAsync(NpgsqlConnection conn, ServerEndpoint server,
        IReadOnlyCollection<(QualifiedName Table, string Column)> columns, CancellationToken ct)
    {
        if (columns.Count == 0) return [];
        return await ReadAsync(conn, server, """
            SELECT n.nspname, c.relname, con.conname, pg_catalog.pg_get_expr(con.conbin, con.conrelid),
                   ARRAY(SELECT a.attname::pg_catalog.text FROM pg_catalog.pg_attribute a WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey) ORDER BY a.attnum)
            FROM pg_catalog.pg_constraint con
            JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE con.contype = 'c' AND con.convalidated
              AND EXISTS (SELECT FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[])) m (tbl, col)
                          JOIN pg_catalog.pg_attribute a ON a.attrelid = pg_catalog.to_regclass(m.tbl) AND a.attname = m.col
                          WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey))
            ORDER BY 1, 2, 3
            """, [columns.Select(c => c.Table.Quoted).ToArray(), columns.Select(c => c.Column).ToArray()],
            r => new CheckConstraint(new QualifiedName(r.GetString(0), r.GetString(1)), r.GetString(2), r.GetString(3), r.GetFieldValue<string[]>(4)), ct);
    }

    /// <summary>The columns' types as a cast names them (schema-qualified, with their modifiers), by column.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ColumnTypesAsync(NpgsqlConnection conn, ServerEndpoint server, QualifiedName table,
        IReadOnlyCollection<string> columns, CancellationToken ct) =>
        (await ReadAsync(conn, server, """
            SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attname = ANY ($2) AND NOT a.attisdropped
            """, [table.Quoted, columns.ToArray()], r => (Column: r.GetString(0), Type: r.GetString(1)), ct))
        .ToDictionary(c => c.Column, c => c.Type, StringComparer.Ordinal);

    /// <summary>Of the given columns, those a validated CHECK constraint reads or whose type is a domain: what the fit probe has to try.</summary>
    public static async Task<IReadOnlySet<(QualifiedName Table, string Column)>> ConstrainedAsync(NpgsqlConnection conn, ServerEndpoint server,
        IReadOnlyCollection<(QualifiedName Table, string Column)> columns, CancellationToken ct)
    {
        if (columns.Count == 0) return new HashSet<(QualifiedName, string)>();
        var tables = columns.Select(c => c.Table).Distinct().ToDictionary(t => t.Quoted);
        return (await ReadAsync(conn, server, """
            SELECT m.tbl, m.col
            FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[])) m (tbl, col)
            JOIN pg_catalog.pg_attribute a ON a.attrelid = pg_catalog.to_regclass(m.tbl) AND a.attname = m.col
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            WHERE t.typtype = 'd'
               OR EXISTS (SELECT FROM pg_catalog.pg_constraint con WHERE con.conrelid = a.attrelid AND con.contype = 'c' AND con.convalidated AND a.attnum = ANY (con.conkey))
            """, [columns.Select(c => c.Table.Quoted).ToArray(), columns.Select(c => c.Column).ToArray()],
            r => (tables[r.GetString(0)], r.GetString(1)), ct)).ToHashSet();
    }

    /// <summary>The columns that are unique by themselves (the one key column of a unique index without a predicate).</summary>
    public static async Task<IReadOnlySet<string>> UniqueAloneAsync(NpgsqlConnection conn, ServerEndpoint server, QualifiedName table, CancellationToken ct) =>
        (await ReadAsync(conn, server, """
            SELECT a.attname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = pg_catalog.to_regclass($1) AND i.indisunique AND i.indnkeyatts = 1 AND i.indpred IS NULL
            """, [table.Quoted], r => r.GetString(0), ct)).ToHashSet(StringComparer.Ordinal);

    /// <summary>One column pair of a foreign key: the referencing and the referenced column, each with its table's ancestors.</summary>
    public sealed record ForeignKeyColumns(string Constraint, QualifiedName Table, IReadOnlyList<QualifiedName> TableAncestors, string Column,
        QualifiedName Referenced, IReadOnlyList<QualifiedName> ReferencedAncestors, string ReferencedColumn)
    {
        /// <summary>Whether the referenced table (or a partition of it) is among the given tables.</summary>
        public bool ReferencedCopied { get; init; }
        /// <summary>The two columns' types with their modifiers (a hash is cut to a varchar's length).</summary>
        public string Type { get; init; } = "";
        public string ReferencedType { get; init; } = "";
    }

    /// <summary>The column pairs of the foreign keys of the given tables (a partition's included, as inherited from its parent).</summary>
    public static async Task<IReadOnlyList<ForeignKeyColumns>> ForeignKeysOfAsync(NpgsqlConnection conn, ServerEndpoint server,
        IReadOnlyCollection<QualifiedName> tables, CancellationToken ct)
    {
        if (tables.Count == 0) return [];
        return await ReadAsync(conn, server, """
            SELECT con.conname, cn.nspname, c.relname, a.attname, fn.nspname, f.relname, fa.attname,
                   ARRAY(SELECT pg_catalog.quote_ident(x.relnamespace::pg_catalog.regnamespace::pg_catalog.text) || '.' || pg_catalog.quote_ident(x.relname)
                         FROM pg_catalog.pg_partition_ancestors(c.oid) WITH ORDINALITY anc (relid, ord) JOIN pg_catalog.pg_class x ON x.oid = anc.relid
                         WHERE anc.ord > 1 ORDER BY anc.ord),
                   ARRAY(SELECT pg_catalog.quote_ident(x.relnamespace::pg_catalog.regnamespace::pg_catalog.text) || '.' || pg_catalog.quote_ident(x.relname)
                         FROM pg_catalog.pg_partition_ancestors(f.oid) WITH ORDINALITY anc (relid, ord) JOIN pg_catalog.pg_class x ON x.oid = anc.relid
                         WHERE anc.ord > 1 ORDER BY anc.ord),
                   f.oid = ANY (g.oids) OR EXISTS (SELECT FROM pg_catalog.pg_partition_tree(f.oid) t WHERE t.relid = ANY (g.oids)),
                   pg_catalog.format_type(a.atttypid, a.atttypmod), pg_catalog.format_type(fa.atttypid, fa.atttypmod)
            FROM pg_catalog.pg_constraint con
            CROSS JOIN (SELECT ARRAY(SELECT pg_catalog.to_regclass(t) FROM pg_catalog.unnest($1::pg_catalog.text[]) t) AS oids) g
            JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
            JOIN pg_catalog.pg_class f ON f.oid = con.confrelid JOIN pg_catalog.pg_namespace fn ON fn.oid = f.relnamespace
            CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(con.conkey), pg_catalog.unnest(con.confkey)) k (col, fcol)
            JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col
            JOIN pg_catalog.pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fcol
            WHERE con.contype = 'f' AND con.convalidated AND con.conrelid = ANY (g.oids)
            ORDER BY 2, 3, 1, 4
            """, [tables.Select(t => t.Quoted).ToArray()],
            r => new ForeignKeyColumns(r.GetString(0), new QualifiedName(r.GetString(1), r.GetString(2)), Names(r.GetFieldValue<string[]>(7)), r.GetString(3),
                new QualifiedName(r.GetString(4), r.GetString(5)), Names(r.GetFieldValue<string[]>(8)), r.GetString(6)) { ReferencedCopied = r.GetBoolean(9), Type = r.GetString(10), ReferencedType = r.GetString(11) }, ct);
        static IReadOnlyList<QualifiedName> Names(string[] quoted) => [.. quoted.Select(q => Subsetting.SubsetOptions.ParseTable(q))];
    }

    private static Task<List<T>> ReadAsync<T>(NpgsqlConnection conn, ServerEndpoint server, string sql, object[] parameters,
        Func<NpgsqlDataReader, T> map, CancellationToken ct) => ReadQuery.RowsAsync(conn, server, null, sql, map, ct, parameters);

    /// <summary>The columns of one table; a clear error when it does not exist.</summary>
    public static async Task<IReadOnlyList<MaskCatalogColumn>> TableAsync(NpgsqlConnection conn, ServerEndpoint server, QualifiedName table, CancellationToken ct)
    {
        var columns = await ColumnsAsync(conn, server, table.Schema, [table.Name], ct);
        return columns.Count > 0 ? columns : throw PgCloneException.For(server, $"table {table.Quoted}", "does not exist");
    }
}
