using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Catalog;

public static partial class CatalogReader
{
    /// <summary>The types whose values are oids naming catalog objects.</summary>
    private const string RegTypes = "'regclass'::regtype, 'regtype'::regtype, 'regproc'::regtype, 'regprocedure'::regtype, 'regoper'::regtype, " +
        "'regoperator'::regtype, 'regnamespace'::regtype, 'regrole'::regtype, 'regconfig'::regtype, 'regdictionary'::regtype, 'regcollation'::regtype";

    /// <summary>
    /// The column options a user can set (ALTER COLUMN SET): some server builds record private entries in
    /// attoptions (such as a pg_attver stamp) that no statement can recreate, and that differ on every server.
    /// </summary>
    private const string ColumnOptions = "'n_distinct', 'n_distinct_inherited'";

    /// <summary>
    /// SQL, true when a hot standby cannot read relation <paramref name="oid"/>'s rows or state: it, or one of its
    /// partitions, is unlogged (neither is replicated, and reading one fails there).
    /// </summary>
    public static string UnloggedOnStandby(string oid) =>
        $"(pg_catalog.pg_is_in_recovery() AND (EXISTS (SELECT 1 FROM pg_catalog.pg_class u WHERE u.oid = {oid} AND u.relpersistence = 'u') " +
        $"OR EXISTS (SELECT 1 FROM pg_catalog.pg_partition_tree({oid}) pt JOIN pg_catalog.pg_class l ON l.oid = pt.relid WHERE l.relpersistence = 'u')))";

    /// <summary>
    /// A WITH query of the types whose equality ignores case: citext (any schema) and the domains over it, however
    /// deep. Masking hashes their values lower-cased, so values the column holds equal get equal masks.
    /// </summary>
    public const string CaseFoldingTypes = """
        folds_case (oid) AS (
            SELECT oid FROM pg_catalog.pg_type WHERE typname = 'citext' AND typtype = 'b'
            UNION SELECT d.oid FROM pg_catalog.pg_type d JOIN folds_case f ON d.typbasetype = f.oid WHERE d.typtype = 'd'
        )
        """;

    /// <summary>
    /// SQL: constraint <paramref name="c"/>'s definition as ADD CONSTRAINT takes it. pg_get_constraintdef leaves out a
    /// PRIMARY KEY's or UNIQUE constraint's index parameters (its storage parameters and tablespace, which it prints
    /// only for pg_dump's own use): they go after its column lists and before DEFERRABLE, as the server prints them
    /// there (a value quoted unless it is a plain word), so that a key built by ADD CONSTRAINT (a deferrable one, a
    /// partitioned table's) keeps its fillfactor and tablespace, and diff sees one changed.
    /// </summary>
    public static string ConstraintDefinition(string c) => $"""
        CASE WHEN {c}.contype IN ('p', 'u') THEN
            pg_catalog.regexp_replace(pg_catalog.pg_get_constraintdef({c}.oid), '( DEFERRABLE( INITIALLY DEFERRED)?)?$', '')
            || COALESCE((SELECT ' WITH (' || pg_catalog.string_agg(pg_catalog.quote_ident(x.name) || '='
                                || CASE WHEN pg_catalog.quote_ident(x.value) = x.value THEN x.value ELSE pg_catalog.quote_literal(x.value) END, ', ') || ')'
                         FROM pg_catalog.pg_class ic, pg_catalog.unnest(ic.reloptions) o,
                              LATERAL (SELECT pg_catalog.split_part(o, '=', 1), pg_catalog.substr(o, pg_catalog.strpos(o, '=') + 1)) x (name, value)
                         WHERE ic.oid = {c}.conindid), '')
            || COALESCE((SELECT ' USING INDEX TABLESPACE ' || pg_catalog.quote_ident(ts.spcname) FROM pg_catalog.pg_class ic
                         JOIN pg_catalog.pg_tablespace ts ON ts.oid = ic.reltablespace WHERE ic.oid = {c}.conindid), '')
            || COALESCE(pg_catalog.substring(pg_catalog.pg_get_constraintdef({c}.oid), '( DEFERRABLE(?: INITIALLY DEFERRED)?)$'), '')
        ELSE pg_catalog.pg_get_constraintdef({c}.oid) END
        """;

    /// <summary>int2vector, oidvector and tsquery send an empty value that their receive functions refuse.</summary>
    private const string NoBinaryForm = "22, 30, 3615";

    /// <summary>Columns of tables, views, materialized views and composite types, by relation oid, in attnum order.</summary>
    private static async Task<Dictionary<uint, List<ColumnInfo>>> ReadAttributesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct)
    {
        const string Columns = """
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            """;
        const string Read = "a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'c', 'f') AND n.nspname = ANY($1)";
        var rows = await QueryAsync(conn, $"""
            WITH RECURSIVE reaches (root, type, path) AS (
                -- Each column type and the types its values are made of (a domain's base, an array's element, a
                -- range's subtype, a multirange's range, a composite's attributes), with the path from the one to the
                -- other (see RegValuePath). Walked down from the types the columns use: walking up from every type
                -- the catalog holds took most of this query's time (every table's row type is a composite).
                SELECT DISTINCT a.atttypid, a.atttypid, ''::text {Columns} WHERE {Read}
                UNION ALL
                SELECT r.root, s.part, r.path || s.step FROM reaches r CROSS JOIN LATERAL (
                    SELECT t.typbasetype, ''::text FROM pg_type t WHERE t.oid = r.type AND t.typtype = 'd'
                    UNION ALL SELECT t.typelem, '[]' FROM pg_type t WHERE t.oid = r.type AND t.typsend = 'array_send'::regproc
                    UNION ALL SELECT g.rngsubtype, '<>' FROM pg_range g WHERE g.rngtypid = r.type
                    UNION ALL SELECT g.rngtypid, '[]' FROM pg_range g WHERE g.rngmultitypid = r.type
                    UNION ALL SELECT a.atttypid, ('.' || quote_ident(a.attname)) COLLATE "default"
                              FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                              WHERE t.oid = r.type AND t.typtype = 'c'
                ) s (part, step)
            ), reg_paths (type, paths) AS (
                SELECT root, array_agg(type::regtype::text || ' ' || path ORDER BY type::regtype::text, path)
                FROM (SELECT DISTINCT root, type, path FROM reaches WHERE type IN ({RegTypes})) x GROUP BY root
            ), {CaseFoldingTypes}, no_binary (type) AS (
                SELECT DISTINCT r.root FROM reaches r JOIN pg_type b ON b.oid = r.type
                WHERE b.typtype = 'b' AND (b.typsend = 0 OR b.typreceive = 0 OR b.oid IN ({NoBinaryForm}))
            )
            SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid,
                   cn.nspname, co.collname, a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
                   a.attislocal, a.attstattarget, a.attstorage, t.typstorage, {Comment("pg_class", "a.attrelid", "a.attnum")},
                   a.attcompression, ARRAY(SELECT o FROM unnest(a.attoptions) o WHERE split_part(o, '=', 1) IN ({ColumnOptions})),
                   rp.paths IS NOT NULL, nb.type IS NOT NULL, fc.oid IS NOT NULL,
                   rp.paths,
                   CASE WHEN a.attgenerated <> '' THEN {ColumnsRead("pg_attrdef", "ad.oid", "a.attrelid")} END
            {Columns}
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
            LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
            LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
            LEFT JOIN reg_paths rp ON rp.type = a.atttypid
            -- Joined, not tested with IN per column: a recursive WITH query's row estimate is too large for a hashed subplan.
            LEFT JOIN no_binary nb ON nb.type = a.atttypid
            LEFT JOIN (SELECT DISTINCT oid FROM folds_case) fc ON fc.oid = a.atttypid
            WHERE {Read}
            ORDER BY a.attrelid, a.attnum
            """, schemas, r => (Rel: r.GetFieldValue<uint>(0), Column: new ColumnInfo(
                r.GetInt16(1), r.GetString(2), r.GetString(3), r.GetFieldValue<uint>(4), Collation(r, 5), r.GetBoolean(7),
                Str(r, 8), r.GetChar(9), r.GetChar(10), r.GetBoolean(11), r.GetInt16(12), r.GetChar(13), r.GetChar(14), Str(r, 15))
                { Compression = r.GetChar(16), Options = Strings(r, 17), ByName = r.GetBoolean(18), NoBinaryForm = r.GetBoolean(19), FoldsCase = r.GetBoolean(20),
                  ObjectsNamed = [.. Strings(r, 21).Select(RegValuePath.Parse)], GeneratedFrom = Shorts(r, 22) }), ct);
        return rows.GroupBy(x => x.Rel).ToDictionary(g => g.Key, g => g.Select(x => x.Column).ToList());
    }

    /// <summary>Per reg* type: the catalog of the objects its values name, their namespace column, and the type printing a name the target can resolve (regproc prints no argument types).</summary>
    private static readonly (string Type, string Catalog, string? Namespace, string Printed)[] NamedCatalogs =
    [
        ("regclass", "pg_class", "relnamespace", "regclass"), ("regtype", "pg_type", "typnamespace", "regtype"),
        ("regproc", "pg_proc", "pronamespace", "regprocedure"), ("regprocedure", "pg_proc", "pronamespace", "regprocedure"),
        ("regoper", "pg_operator", "oprnamespace", "regoperator"), ("regoperator", "pg_operator", "oprnamespace", "regoperator"),
        ("regnamespace", "pg_namespace", "oid", "regnamespace"), ("regrole", "pg_roles", null, "regrole"),
        ("regcollation", "pg_collation", "collnamespace", "regcollation"), ("regconfig", "pg_ts_config", "cfgnamespace", "regconfig"),
        ("regdictionary", "pg_ts_dict", "dictnamespace", "regdictionary"),
    ];

    /// <summary>
    /// The user objects (oid 16384 and up) that values of the <paramref name="tables"/>' reg* columns name
    /// (<see cref="ColumnInfo.ObjectsNamed"/>), each once per column, with its name as the target will resolve it,
    /// its <see cref="ObjectKey"/> and its schema. COPY resolves each name as its row loads: one naming an object the
    /// target will not have fails the run in the middle, so the planner checks them first. Oids that name nothing
    /// travel as numbers and are left out. <paramref name="where"/> narrows the rows as the copy does: read under the
    /// user's search_path, as the copy reads it (<see cref="PlannedRead.UserSearchPath"/>), so it selects the same rows.
    /// Only oids come out of that read; their names are printed after it, under the run's path, where every name
    /// outside pg_catalog is qualified (the user's path would print some bare, which the target cannot be asked about).
    /// </summary>
    public static async Task<List<ValueNamedObject>> ObjectsNamedByValuesAsync(NpgsqlConnection conn, SessionWarmup warmup,
        IEnumerable<(TableInfo Table, IReadOnlyList<ColumnInfo> Columns)> tables, string? where, CancellationToken ct)
    {
        var named = new List<ValueNamedObject>();
        var filter = where is null ? "" : $" WHERE ({where})";
        var resolve = string.Join("\n            UNION ALL ", NamedCatalogs.Select(c =>
            $"SELECT x.oid::pg_catalog.{c.Printed}::pg_catalog.text, {(c.Namespace is null ? "0" : "x." + c.Namespace)}, 'pg_catalog.{(c.Catalog == "pg_roles" ? "pg_authid" : c.Catalog)}'::pg_catalog.regclass " +
            $"FROM pg_catalog.{c.Catalog} x WHERE v.reg = '{c.Type}' AND x.oid = v.o"));
        foreach (var (t, columns) in tables.Where(x => x.Table.Kind == 'r'))
        {
            // The filter applies in a scope of the table's columns alone, as in the copy's query.
            var values = columns.SelectMany(c => c.ObjectsNamed.Select(p =>
            {
                var (from, value) = p.Sql("x.pgclone_c");
                return $"SELECT {Sql.Literal(c.Name)}, '{p.RegType}', ({value})::pg_catalog.oid " +
                       $"FROM (SELECT x.{Sql.Ident(c.Name)} AS pgclone_c FROM ONLY {t.Name.Quoted} x{filter}) x{from}";
            })).ToList();
            if (values.Count == 0) continue;
            // Each as reg:oid:column (a type and an oid hold no colon), for the resolving query's one parameter.
            var found = await warmup.ReadAsync(t.Name.Quoted, () => QueryAsync(conn, $"""
                SELECT DISTINCT s.reg, s.o, s.col FROM ({string.Join(" UNION ALL ", values)}) s (col, reg, o) WHERE s.o OPERATOR(pg_catalog.>=) 16384
                """, null, r => $"{r.GetString(0)}:{r.GetFieldValue<uint>(1)}:{r.GetString(2)}", ct), ct, userNames: where is not null);
            if (found.Count == 0) continue;
            named.AddRange(await QueryAsync(conn, $"""
                WITH {ObjectKeys}, v (col, reg, o) AS (
                    SELECT m[3], m[1], m[2]::pg_catalog.oid FROM pg_catalog.unnest($1::pg_catalog.text[]) x, pg_catalog.regexp_match(x, '^([^:]*):([^:]*):(.*)$') m
                )
                SELECT v.col, v.reg, n.name, k.key, s.nspname,
                       EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid = n.cls AND d.objid = v.o AND d.deptype = 'e')
                FROM v CROSS JOIN LATERAL (
                    {resolve}
                ) n (name, ns, cls)
                LEFT JOIN keys k ON k.cls = n.cls AND k.oid = v.o
                LEFT JOIN pg_catalog.pg_namespace s ON s.oid = n.ns
                ORDER BY 1, 3
                """, [.. found], r => new ValueNamedObject(t.Oid, r.GetString(0), r.GetString(1), r.GetString(2),
                    r.IsDBNull(3) ? null : ObjectKey.Parse(r.GetString(3)), Str(r, 4)) { ExtensionMember = r.GetBoolean(5) }, ct));
        }
        return named;
    }

    /// <summary>
    /// A partitioned table's columns its key reads, as an int2[]: those partattrs lists, and those its expressions read,
    /// which pg_depend records reversed (the column depending on its table: so that dropping it drops the table).
    /// </summary>
    private const string PartitionKeyColumns = """
        ARRAY(SELECT DISTINCT k::int2 FROM (SELECT unnest(pt.partattrs::int2[]) FROM pg_partitioned_table pt WHERE pt.partrelid = c.oid
              UNION SELECT d.objsubid FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                    AND d.refobjid = c.oid AND d.refobjsubid = 0) x (k) WHERE k > 0 ORDER BY 1)
        """;

    private static async Task<List<TableInfo>> ReadTablesAsync(NpgsqlConnection conn, string[] schemas, Dictionary<uint, List<ColumnInfo>> attributes, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence = 'u',
                   CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
                   CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
                   ARRAY(SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid ORDER BY i.inhseqno),
                   c.reloptions || ARRAY(SELECT 'toast.' || o FROM pg_class tc, unnest(tc.reloptions) AS o WHERE tc.oid = c.reltoastrelid),
                   c.relreplident, pg_relation_size(c.oid), c.reltuples::bigint,
                   {Comment("pg_class", "c.oid")}, quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                   c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT am.amname FROM pg_am am WHERE am.oid = c.relam AND am.amname <> 'heap'),
                   CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END,
                   {SpaceOf("c.reltablespace")},
                   ARRAY(SELECT CASE WHEN NOT {NotMember("pg_class", "p.oid")} THEN quote_ident(pn.nspname) || '.' || quote_ident(p.relname) END
                         FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
                         WHERE i.inhrelid = c.oid ORDER BY i.inhseqno),
                   CASE WHEN c.relkind = 'p' THEN {PartitionKeyColumns} END
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'f') AND n.nspname = ANY($1) AND {NotMember("pg_class", "c.oid")}
            ORDER BY n.nspname, c.relname
            """, schemas, r => new TableInfo(
                r.GetFieldValue<uint>(0), Name(r, 1), r.GetChar(3), r.GetBoolean(4), Str(r, 5), Str(r, 6),
                r.GetFieldValue<uint[]>(7), Strings(r, 8), r.GetChar(9), r.GetInt64(10), r.GetInt64(11),
                attributes.GetValueOrDefault(r.GetFieldValue<uint>(0)) ?? [], Str(r, 12))
            {
                PgName = r.GetString(13), RowSecurity = r.GetBoolean(14), ForceRowSecurity = r.GetBoolean(15), AccessMethod = Str(r, 16), OfType = Str(r, 17), Tablespace = Str(r, 18),
                ExtensionParents = r.GetFieldValue<string?[]>(19), PartitionKeyColumns = Shorts(r, 20),
            }, ct);

    private static async Task<List<SequenceInfo>> ReadSequencesAsync(NpgsqlConnection conn, string[] schemas, bool inRecovery, CancellationToken ct)
    {
        var sequences = await QueryAsync(conn, $"""
            SELECT c.oid, n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
                   s.seqcache, s.seqcycle, {Comment("pg_class", "c.oid")}, d.refobjid, a.attname, d.deptype = 'i',
                   quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relpersistence = 'u'
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_sequence s ON s.seqrelid = c.oid
            LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                                 AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
            LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE c.relkind = 'S' AND n.nspname = ANY($1) AND {NotMember("pg_class", "c.oid")}
            ORDER BY n.nspname, c.relname
            """, schemas, r => new SequenceInfo(
                r.GetFieldValue<uint>(0), Name(r, 1), r.GetString(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7),
                r.GetInt64(8), r.GetBoolean(9), 0, false, Str(r, 10))
            { OwnerTable = Oid(r, 11), OwnerColumn = Str(r, 12), IsIdentity = !r.IsDBNull(13) && r.GetBoolean(13), PgName = r.GetString(14), Unlogged = r.GetBoolean(15) }, ct);
        // A standby cannot read an unlogged sequence (its state is not replicated): it starts afresh, as pg_dump leaves it.
        var readable = Enumerable.Range(0, sequences.Count).Where(i => !(inRecovery && sequences[i].Unlogged)).ToList();
        if (readable.Count == 0) return sequences;
        // Current values need a read of each sequence relation: a few hundred per round trip (the planning time of
        // one UNION ALL grows faster than its length).
        foreach (var chunk in readable.Chunk(200))
        {
            var union = string.Join("\nUNION ALL ", chunk.Select(i => $"SELECT {i}, last_value, is_called FROM {sequences[i].Name.Quoted}"));
            var state = await QueryAsync(conn, union, null, r => (Index: r.GetInt32(0), Last: r.GetInt64(1), Called: r.GetBoolean(2)), ct);
            foreach (var (index, last, called) in state) sequences[index] = sequences[index] with { LastValue = last, IsCalled = called };
        }
        return sequences;
    }

    private static async Task<List<ConstraintInfo>> ReadConstraintsAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $$"""
            SELECT co.oid, co.conrelid, co.conname, co.contype, {{ConstraintDefinition("co")}}, co.conislocal, co.conparentid,
                   co.convalidated, co.conkey, co.conindid, co.confrelid, {{Comment("pg_constraint", "co.oid")}},
                   CASE WHEN co.contype = 'c' THEN ARRAY(SELECT d.refobjid FROM pg_depend d WHERE d.classid = 'pg_constraint'::regclass AND d.objid = co.oid
                                                          AND d.refclassid = 'pg_proc'::regclass AND d.deptype = 'n') ELSE '{}' END,
                   co.confkey, co.confmatchtype = 'f',
                   CASE WHEN co.contype = 'f' THEN ARRAY(SELECT format('OPERATOR(%I.%s)', o.n, o.name) FROM unnest(co.conpfeqop) WITH ORDINALITY AS e (op, k)
                                                          CROSS JOIN LATERAL (SELECT on_.nspname, op.oprname FROM pg_operator op JOIN pg_namespace on_ ON on_.oid = op.oprnamespace
                                                                              WHERE op.oid = e.op) o (n, name) ORDER BY e.k) ELSE '{}' END
            FROM pg_constraint co
            JOIN pg_class c ON c.oid = co.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE co.contype IN ('c', 'p', 'u', 'x', 'f') AND c.relkind IN ('r', 'p', 'f') AND n.nspname = ANY($1)
            ORDER BY co.conrelid, co.conname
            """, schemas, r => new ConstraintInfo(
                r.GetFieldValue<uint>(0), r.GetFieldValue<uint>(1), r.GetString(2), r.GetChar(3), r.GetString(4), r.GetBoolean(5),
                Oid(r, 6), r.GetBoolean(7), Shorts(r, 8), Oid(r, 9), Oid(r, 10), Str(r, 11)) { Functions = r.GetFieldValue<uint[]>(12), ReferencedColumns = Shorts(r, 13), MatchFull = r.GetBoolean(14), EqualityOperators = r.GetFieldValue<string[]>(15) }, ct);

    /// <summary>The name of a relation's tablespace (null for the database's default, oid 0).</summary>
    private static string SpaceOf(string column) => $"(SELECT ts.spcname FROM pg_tablespace ts WHERE ts.oid = {column})";

    private static async Task<List<IndexInfo>> ReadIndexesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT i.indexrelid, n.nspname, ic.relname, i.indrelid, i.indisunique, c.relkind = 'p',
                   substr(pg_get_indexdef(i.indexrelid), length(format('CREATE %sINDEX %s ON %s%s.%s', CASE WHEN i.indisunique THEN 'UNIQUE ' END,
                          quote_ident(ic.relname), CASE WHEN c.relkind = 'p' THEN 'ONLY ' END, quote_ident(n.nspname), quote_ident(c.relname))) + 1),
                   (SELECT co.oid FROM pg_constraint co WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x')),
                   (SELECT h.inhparent FROM pg_inherits h WHERE h.inhrelid = i.indexrelid),
                   {ColumnsRead("pg_class", "i.indexrelid", "i.indrelid", "i.indkey")},
                   i.indisclustered, i.indisreplident, {Comment("pg_class", "i.indexrelid")},
                   ARRAY(SELECT a.attstattarget FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attnum > 0 ORDER BY a.attnum),
                   {SpaceOf("ic.reltablespace")}, greatest(ic.relpages, 0)::int8 * current_setting('block_size')::int8
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            -- An invalid index (a CREATE INDEX CONCURRENTLY that failed) is no part of the schema, as for pg_dump; a
            -- partitioned table's is, invalid only until every partition has its own attached.
            WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname = ANY($1) AND (i.indisvalid OR c.relkind = 'p')
            ORDER BY n.nspname, ic.relname
            """, schemas, r => new IndexInfo(
                r.GetFieldValue<uint>(0), Name(r, 1), r.GetFieldValue<uint>(3), r.GetBoolean(4), r.GetBoolean(5), r.GetString(6),
                Oid(r, 7), Oid(r, 8), Shorts(r, 9), r.GetBoolean(10), r.GetBoolean(11), Str(r, 12)) { StatTargets = Shorts(r, 13), Tablespace = Str(r, 14), Bytes = r.GetInt64(15) }, ct);

    private static async Task<List<ViewInfo>> ReadViewsAsync(NpgsqlConnection conn, string[] schemas, Dictionary<uint, List<ColumnInfo>> attributes, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT c.oid, n.nspname, c.relname, c.relkind = 'm', pg_get_viewdef(c.oid), c.reloptions, c.relispopulated,
                   {Comment("pg_class", "c.oid")},
                   EXISTS (SELECT 1 FROM pg_rewrite w JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
                           WHERE w.ev_class = c.oid AND d.refclassid = 'pg_constraint'::regclass),
                   EXISTS (SELECT 1 FROM pg_rewrite w JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
                           WHERE w.ev_class = c.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid AND d.refobjsubid > 0 AND d.deptype = 'n'),
                   (SELECT am.amname FROM pg_am am WHERE am.oid = c.relam AND am.amname <> 'heap'),
                   {SpaceOf("c.reltablespace")}
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY($1) AND {NotMember("pg_class", "c.oid")}
            ORDER BY n.nspname, c.relname
            """, schemas, r => new ViewInfo(
                r.GetFieldValue<uint>(0), Name(r, 1), r.GetBoolean(3), r.GetString(4), Strings(r, 5), r.GetBoolean(6),
                (attributes.GetValueOrDefault(r.GetFieldValue<uint>(0)) ?? []).Where(a => a.Comment is not null).Select(a => (a.Name, a.Comment!)).ToList(),
                Str(r, 7))
            {
                NeedsConstraint = r.GetBoolean(8),
                SelectsItself = r.GetBoolean(9),
                AccessMethod = Str(r, 10),
                Tablespace = Str(r, 11),
                Columns = attributes.GetValueOrDefault(r.GetFieldValue<uint>(0)) ?? [],
            }, ct);
}
