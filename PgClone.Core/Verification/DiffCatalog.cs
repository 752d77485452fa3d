namespace PgClone.Core.Verification;

/// <summary>One column of a table as the diff compares it; Default also carries identity and generated expressions.</summary>
internal sealed record DiffColumn(string Table, string Name, string Type, bool NotNull, string? Default);

/// <summary>
/// Every catalog query of <c>pgclone diff</c>. Definitions come from the server's own pg_get_*def functions; the
/// session's search_path is pg_catalog (see <see cref="ReadOnlySession"/>), so every name in them is qualified the
/// same way on both servers. Each query returns (name, definition) ordered by name COLLATE "C".
/// </summary>
internal static class DiffCatalog
{
    /// <summary>An options array's items in name order: their order has no meaning, and a restore may store them in another.</summary>
    internal static string Sorted(string array, string separator) =>
        $"(SELECT string_agg(o, '{separator}' ORDER BY o COLLATE \"C\") FROM unnest({array}) AS o)";

    /// <summary>A table's or materialized view's CLUSTER ON mark, and its TOAST table's options.</summary>
    private static readonly string ClusterAndToast = $"""
        (SELECT 'CLUSTER ON ' || quote_ident(ic.relname) FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = c.oid AND x.indisclustered),
        (SELECT 'TOAST WITH (' || {Sorted("t.reloptions", ", ")} || ')' FROM pg_class t WHERE t.oid = c.reltoastrelid AND t.reloptions IS NOT NULL)
        """;

    private const string NotExtensionMember =
        "NOT EXISTS (SELECT FROM pg_depend dep WHERE dep.objid = {0}.oid AND dep.classid = '{1}'::regclass AND dep.deptype = 'e')";

    /// <summary>
    /// Category name (the JSON field) and its query. A table's definition here is its partitioning (PARTITION OF ...
    /// FOR VALUES, PARTITION BY), its type (OF), parents (INHERITS), persistence, access method, storage options, its
    /// columns' settings (storage, compression, statistics target, options), row level security and replica identity;
    /// its columns are compared one by one from <see cref="ReadColumnsAsync"/>.
    /// A trigger's definition ends with its state when it is not simply enabled.
    /// </summary>
    public static readonly IReadOnlyList<(string Category, string Sql)> Definitions =
    [
        ("tables", $"""
            SELECT c.relname::text,
                   concat_ws(' ',
                       CASE WHEN c.relispartition THEN 'PARTITION OF ' ||
                           (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid) || ' ' || pg_get_expr(c.relpartbound, c.oid) END,
                       CASE WHEN c.relkind = 'p' THEN 'PARTITION BY ' || pg_get_partkeydef(c.oid) END,
                       CASE WHEN c.reloftype <> 0 THEN 'OF ' || c.reloftype::regtype::text END,
                       (SELECT 'INHERITS (' || string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno) || ')'
                        FROM pg_inherits i WHERE i.inhrelid = c.oid AND NOT c.relispartition),
                       CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED' END,
                       (SELECT 'USING ' || quote_ident(am.amname) FROM pg_am am WHERE am.oid = c.relam AND am.amname <> 'heap'),
                       'WITH (' || {Sorted("c.reloptions", ", ")} || ')',
                       (SELECT 'COLUMNS (' || string_agg(concat_ws(' ', quote_ident(a.attname),
                                   CASE WHEN a.attstorage <> ty.typstorage THEN 'STORAGE ' ||
                                       CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END END,
                                   CASE a.attcompression WHEN 'p' THEN 'COMPRESSION pglz' WHEN 'l' THEN 'COMPRESSION lz4' END,
                                   CASE WHEN a.attstattarget >= 0 THEN 'STATISTICS ' || a.attstattarget END,
                                   '(' || {Sorted("a.attoptions", ", ")} || ')'), ', ' ORDER BY a.attnum) || ')'
                        FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
                        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                          AND (a.attstorage <> ty.typstorage OR a.attcompression <> '' OR a.attstattarget >= 0 OR a.attoptions IS NOT NULL)),
                       CASE WHEN c.relrowsecurity THEN 'ROW LEVEL SECURITY' END,
                       CASE WHEN c.relforcerowsecurity THEN 'FORCE ROW LEVEL SECURITY' END,
                       {ClusterAndToast},
                       CASE c.relreplident WHEN 'n' THEN 'REPLICA IDENTITY NOTHING' WHEN 'f' THEN 'REPLICA IDENTITY FULL'
                           WHEN 'i' THEN (SELECT 'REPLICA IDENTITY USING INDEX ' || quote_ident(ic.relname)
                                          FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = c.oid AND x.indisreplident) END)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname = $1 AND {string.Format(NotExtensionMember, "c", "pg_class")}
            ORDER BY c.relname COLLATE "C"
            """),
        ("indexes", """
            SELECT i.relname::text, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
            WHERE n.nspname = $1
              AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.oid AND k.contype IN ('p', 'u', 'x'))
              -- an invalid index (a failed CREATE INDEX CONCURRENTLY) is no part of the schema, as for pg_dump and the clone
              AND (x.indisvalid OR i.relkind = 'I')
            ORDER BY i.relname COLLATE "C"
            """),
        // A foreign key a partition inherits (or one PostgreSQL adds per partition of a referenced partitioned table)
        // is made by the server, not dumped: its name depends on history (a partition's own key kept its name when
        // attached; a restore gives it the parent's), so it is named by its top-level key and referenced table.
        ("constraints", $$"""
            SELECT d.name, d.definition FROM (
                SELECT c.relname || '.' || coalesce(inherited.name || ' (inherited, references ' || k.confrelid::regclass::text || ')', k.conname) AS name,
                       {{Catalog.CatalogReader.ConstraintDefinition("k")}} AS definition
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN LATERAL (
                    WITH RECURSIVE up(parent, name) AS (
                        SELECT p.conparentid, p.conname FROM pg_constraint p WHERE p.oid = k.conparentid
                        UNION ALL SELECT p.conparentid, p.conname FROM pg_constraint p JOIN up ON p.oid = up.parent)
                    SELECT up.name FROM up WHERE up.parent = 0) AS inherited ON k.contype = 'f'
                WHERE n.nspname = $1) AS d
            ORDER BY d.name COLLATE "C"
            """),
        ("triggers", """
            SELECT c.relname || '.' || t.tgname,
                   pg_get_triggerdef(t.oid) || CASE t.tgenabled WHEN 'D' THEN ' (DISABLED)' WHEN 'R' THEN ' (ENABLE REPLICA)' WHEN 'A' THEN ' (ENABLE ALWAYS)' ELSE '' END
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT t.tgisinternal AND n.nspname = $1
            ORDER BY (c.relname || '.' || t.tgname) COLLATE "C"
            """),
        ("views", ViewsOf('v')),
        ("materialized_views", ViewsOf('m')),
        ("sequences", """
            SELECT c.relname::text, 'AS ' || format_type(s.seqtypid, NULL) || ' INCREMENT BY ' || s.seqincrement || ' MINVALUE ' || s.seqmin ||
                   ' MAXVALUE ' || s.seqmax || ' START WITH ' || s.seqstart || ' CACHE ' || s.seqcache ||
                   CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END ||
                   coalesce((SELECT ' OWNED BY ' || quote_ident(t.relname) || '.' || quote_ident(a.attname)
                             FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                             WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass
                               AND d.refobjsubid > 0 AND d.deptype = 'a'), '')
            FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1
            ORDER BY c.relname COLLATE "C"
            """),
        ("functions", $"""
            SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
                   CASE WHEN p.prokind = 'a' THEN 'AGGREGATE ' || p.oid::regprocedure::text || ' RETURNS ' || format_type(p.prorettype, NULL)
                        ELSE pg_get_functiondef(p.oid) END
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = $1 AND {string.Format(NotExtensionMember, "p", "pg_proc")}
              -- range and multirange constructors belong to their type (internal dependency)
              AND NOT EXISTS (SELECT FROM pg_depend dep WHERE dep.objid = p.oid AND dep.classid = 'pg_proc'::regclass AND dep.deptype = 'i')
            ORDER BY (p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')') COLLATE "C"
            """),
        ("types", $"""
            SELECT t.typname::text, CASE t.typtype
                WHEN 'e' THEN 'ENUM (' || coalesce((SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                                    FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ')'
                WHEN 'd' THEN 'DOMAIN ' || format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END ||
                              -- the expression, not typdefault's text (stored under the search_path of its CREATE)
                              coalesce(' DEFAULT ' || pg_get_expr(t.typdefaultbin, 0), '') ||
                              coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid), '' ORDER BY k.conname COLLATE "C")
                                        FROM pg_constraint k WHERE k.contypid = t.oid), '')
                WHEN 'c' THEN 'COMPOSITE (' || coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) ||
                                                                    CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END, ', ' ORDER BY a.attnum)
                                                         FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                                                         WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')'
                WHEN 'r' THEN 'RANGE (SUBTYPE = ' || (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) || ')'
                WHEN 'b' THEN concat_ws(' ', 'BASE (INPUT', t.typinput::regproc, 'OUTPUT', t.typoutput::regproc, 'RECEIVE', t.typreceive::regproc,
                                        'SEND', t.typsend::regproc, 'TYPMOD_IN', t.typmodin::regproc, 'TYPMOD_OUT', t.typmodout::regproc,
                                        'ANALYZE', t.typanalyze::regproc, 'SUBSCRIPT', t.typsubscript::regproc, 'LENGTH', t.typlen,
                                        'BYVAL', t.typbyval, 'ALIGN', t.typalign, 'STORAGE', t.typstorage, 'CATEGORY', t.typcategory,
                                        'PREFERRED', t.typispreferred, 'DEFAULT', t.typdefault, 'ELEMENT', format_type(nullif(t.typelem, 0), NULL),
                                        'DELIMITER', t.typdelim, 'COLLATABLE', t.typcollation <> 0) || ')'
                ELSE 'SHELL' END
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = $1 AND {string.Format(NotExtensionMember, "t", "pg_type")}
              AND (t.typtype IN ('e', 'd', 'r') OR t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'
                   OR t.typtype = 'b' AND NOT EXISTS (SELECT FROM pg_type a WHERE a.typarray = t.oid) OR t.typtype = 'p' AND NOT t.typisdefined)
            ORDER BY t.typname COLLATE "C"
            """),
    ];

    /// <summary>
    /// A view's or materialized view's query, then its options (security_barrier, security_invoker, check_option;
    /// storage ones), its columns' defaults (a view's, for INSERT through it), CLUSTER ON and TOAST options.
    /// </summary>
    private static string ViewsOf(char relkind) => $"""
        SELECT c.relname::text, concat_ws(' ', pg_get_viewdef(c.oid), 'WITH (' || {Sorted("c.reloptions", ", ")} || ')',
               (SELECT 'DEFAULTS (' || string_agg(quote_ident(a.attname) || ' ' || pg_get_expr(d.adbin, d.adrelid), ', ' ORDER BY a.attnum) || ')'
                FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = c.oid),
               {ClusterAndToast})
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = '{relkind}' AND n.nspname = $1
        ORDER BY c.relname COLLATE "C"
        """;

    /// <summary>Columns of the schema's tables in column order: type (with a non-default collation), NOT NULL, default.</summary>
    public static Task<List<DiffColumn>> ReadColumnsAsync(ReadOnlySession s, string schema, CancellationToken ct) =>
        s.QueryAsync("""
            SELECT c.relname::text, a.attname::text,
                   format_type(a.atttypid, a.atttypmod) ||
                       CASE WHEN a.attcollation <> ty.typcollation THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END,
                   a.attnotnull,
                   CASE WHEN a.attidentity = 'a' THEN 'GENERATED ALWAYS AS IDENTITY'
                        WHEN a.attidentity = 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY'
                        WHEN a.attgenerated = 's' THEN 'GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') STORED'
                        ELSE pg_get_expr(d.adbin, d.adrelid) END
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 JOIN pg_type ty ON ty.oid = a.atttypid
                 LEFT JOIN pg_collation co ON co.oid = a.attcollation
                 LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
            WHERE c.relkind IN ('r', 'p') AND n.nspname = $1
            ORDER BY c.relname COLLATE "C", a.attnum
            """,
            r => new DiffColumn(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetString(4)),
            ct, null, [schema]);

    public static Task<List<(string Name, string Definition)>> ReadDefinitionsAsync(ReadOnlySession s, string sql, string schema, CancellationToken ct) =>
        s.QueryAsync(sql, r => (r.GetString(0), r.GetString(1)), ct, null, [schema]);
}
