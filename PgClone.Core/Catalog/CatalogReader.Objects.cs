using Npgsql;

namespace PgClone.Core.Catalog;

public static partial class CatalogReader
{
    private static async Task<List<UserType>> ReadTypesAsync(NpgsqlConnection conn, string[] schemas, Dictionary<uint, List<ColumnInfo>> attributes, CancellationToken ct)
    {
        var checks = (await QueryAsync(conn, $"""
            SELECT co.contypid, co.conname, pg_get_constraintdef(co.oid), co.convalidated, {Comment("pg_constraint", "co.oid")}
            FROM pg_constraint co JOIN pg_type t ON t.oid = co.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE co.contype = 'c' AND n.nspname = ANY($1) ORDER BY co.conname
            """, schemas, r => (Type: r.GetFieldValue<uint>(0), Check: new DomainCheck(r.GetString(1), r.GetString(2), r.GetBoolean(3), Str(r, 4))), ct))
            .ToLookup(x => x.Type, x => x.Check);
        return await QueryAsync(conn, $"""
            SELECT t.oid, n.nspname, t.typname, t.typtype, {Comment("pg_type", "t.oid")},
                   ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
                   CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
                   cn.nspname, co.collname, pg_get_expr(t.typdefaultbin, 0), t.typnotnull, t.typrelid,
                   format_type(r.rngsubtype, NULL),
                   CASE WHEN NOT oc.opcdefault THEN ocn.nspname END, oc.opcname,
                   rcn.nspname, rco.collname,
                   CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text END,
                   CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END,
                   mn.nspname, mt.typname,
                   t.typinput::regproc::text, t.typoutput::regproc::text,
                   CASE WHEN t.typreceive <> 0 THEN t.typreceive::regproc::text END, CASE WHEN t.typsend <> 0 THEN t.typsend::regproc::text END,
                   CASE WHEN t.typmodin <> 0 THEN t.typmodin::regproc::text END, CASE WHEN t.typmodout <> 0 THEN t.typmodout::regproc::text END,
                   CASE WHEN t.typanalyze <> 0 THEN t.typanalyze::regproc::text END, CASE WHEN t.typsubscript <> 0 THEN t.typsubscript::regproc::text END,
                   t.typlen, t.typalign, t.typstorage, t.typcategory, t.typispreferred, t.typdefault,
                   CASE WHEN t.typelem <> 0 THEN format_type(t.typelem, NULL) END, t.typdelim, t.typbyval, t.typcollation <> 0,
                   ARRAY(SELECT DISTINCT f FROM unnest(ARRAY[t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin, t.typmodout,
                                                            t.typanalyze, t.typsubscript]::oid[]) AS f WHERE f <> 0)
            FROM pg_type t
            JOIN pg_namespace n ON n.oid = t.typnamespace
            LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
            LEFT JOIN pg_collation co ON co.oid = t.typcollation AND t.typtype = 'd' AND t.typcollation <> bt.typcollation
            LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
            LEFT JOIN pg_range r ON r.rngtypid = t.oid
            LEFT JOIN pg_opclass oc ON oc.oid = r.rngsubopc
            LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
            LEFT JOIN pg_type st ON st.oid = r.rngsubtype
            LEFT JOIN pg_collation rco ON rco.oid = r.rngcollation AND r.rngcollation <> st.typcollation
            LEFT JOIN pg_namespace rcn ON rcn.oid = rco.collnamespace
            LEFT JOIN pg_type mt ON mt.oid = r.rngmultitypid
            LEFT JOIN pg_namespace mn ON mn.oid = mt.typnamespace
            WHERE n.nspname = ANY($1) AND {NotMember("pg_type", "t.oid")}
              AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
                   -- a base type, not the array type made with one; a shell type left standing alone
                   OR (t.typtype = 'b' AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)) OR (t.typtype = 'p' AND NOT t.typisdefined))
            ORDER BY n.nspname, t.typname
            """, schemas, r =>
        {
            var oid = r.GetFieldValue<uint>(0);
            var kind = r.GetChar(3) switch
            {
                'e' => UserTypeKind.Enum, 'd' => UserTypeKind.Domain, 'c' => UserTypeKind.Composite, 'b' => UserTypeKind.Base, 'p' => UserTypeKind.Shell,
                _ => UserTypeKind.Range,
            };
            return new UserType(oid, Name(r, 1), kind, Str(r, 4))
            {
                EnumLabels = Strings(r, 5),
                BaseType = Str(r, 6),
                Collation = kind == UserTypeKind.Range ? Collation(r, 15) : Collation(r, 7),
                Default = Str(r, 9),
                NotNull = r.GetBoolean(10),
                Checks = checks[oid].ToList(),
                Attributes = (attributes.GetValueOrDefault(Oid(r, 11)) ?? []).Select(a => new TypeAttribute(a.Name, a.Type, a.Collation, a.Comment)).ToList(),
                Subtype = Str(r, 12),
                SubtypeOpclass = Collation(r, 13),
                Canonical = Str(r, 17),
                SubtypeDiff = Str(r, 18),
                Multirange = r.IsDBNull(19) ? null : Name(r, 19),
                Base = kind != UserTypeKind.Base ? null : new BaseTypeInfo(r.GetString(21), r.GetString(22), Str(r, 23), Str(r, 24), Str(r, 25), Str(r, 26),
                    Str(r, 27), Str(r, 28), r.GetInt16(29), r.GetChar(30), r.GetChar(31), r.GetChar(32), r.GetBoolean(33), Str(r, 34), Str(r, 35),
                    r.GetChar(36), r.GetBoolean(37), r.GetBoolean(38)) { FunctionOids = r.GetFieldValue<uint[]>(39) },
            };
        }, ct);
    }

    private static async Task<List<FunctionInfo>> ReadFunctionsAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT p.oid, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.prokind,
                   CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END, {Comment("pg_proc", "p.oid")},
                   CASE WHEN p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c') THEN p.probin END,
                   EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_constraint'::regclass),
                   NOT (SELECT l.lanpltrusted FROM pg_language l WHERE l.oid = p.prolang)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.prokind IN ('f', 'p', 'w') AND n.nspname = ANY($1) AND {NotMember("pg_proc", "p.oid")}
              AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')
            ORDER BY n.nspname, p.proname, 4
            """, schemas, r => new FunctionInfo(r.GetFieldValue<uint>(0), Name(r, 1), r.GetString(3), r.GetChar(4), r.GetString(5), Str(r, 6))
            { Library = Str(r, 7), NeedsConstraint = r.GetBoolean(8), UntrustedLanguage = r.GetBoolean(9) }, ct);

    private static async Task<List<TriggerInfo>> ReadTriggersAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT g.oid, g.tgrelid, g.tgname, pg_get_triggerdef(g.oid), g.tgenabled,
                   {ColumnsRead("pg_trigger", "g.oid", "g.tgrelid", "g.tgattr")},
                   g.tgfoid, {Comment("pg_trigger", "g.oid")}, g.tgparentid <> 0,
                   (SELECT ARRAY[fn.nspname::text, f.relname::text] FROM pg_class f JOIN pg_namespace fn ON fn.oid = f.relnamespace WHERE f.oid = g.tgconstrrelid),
                   ARRAY(SELECT d.refobjid FROM pg_depend d WHERE d.classid = 'pg_trigger'::regclass AND d.objid = g.oid
                         AND d.refclassid = 'pg_proc'::regclass AND d.deptype = 'n'),
                   ARRAY(SELECT d.refobjid FROM pg_depend d WHERE d.classid = 'pg_trigger'::regclass AND d.objid = g.oid
                         AND d.refclassid = 'pg_operator'::regclass AND d.deptype = 'n')
            FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_trigger pg ON pg.oid = g.tgparentid
            WHERE n.nspname = ANY($1) AND (NOT g.tgisinternal AND g.tgparentid = 0 OR g.tgenabled <> pg.tgenabled)
            ORDER BY g.tgrelid, g.tgname
            """, schemas, r => new TriggerInfo(r.GetFieldValue<uint>(0), r.GetFieldValue<uint>(1), r.GetString(2), r.GetString(3), r.GetChar(4), Shorts(r, 5), r.GetFieldValue<uint>(6), Str(r, 7))
            { OnPartition = r.GetBoolean(8), From = r.IsDBNull(9) ? null : r.GetFieldValue<string[]>(9) is [var schema, var name] ? new QualifiedName(schema, name) : null,
              FunctionsUsed = r.GetFieldValue<uint[]>(10), OperatorsUsed = r.GetFieldValue<uint[]>(11) }, ct);

    private static async Task<List<ExtensionDependent>> ReadExtensionDependentsAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await QueryAsync(conn, """
            SELECT (CASE WHEN d.classid = 'pg_proc'::regclass THEN 'f' WHEN d.classid = 'pg_trigger'::regclass THEN 'g'
                         WHEN c.relkind = 'm' THEN 'm' ELSE 'i' END)::"char", d.objid, e.extname
            FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
            LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
            WHERE d.deptype = 'x' AND d.refclassid = 'pg_extension'::regclass AND d.classid IN ('pg_proc'::regclass, 'pg_trigger'::regclass, 'pg_class'::regclass)
            ORDER BY 1, 2, 3
            """, null, r => new ExtensionDependent(r.GetChar(0), r.GetFieldValue<uint>(1), r.GetString(2)), ct);

    private static async Task<List<PolicyInfo>> ReadPoliciesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT p.oid, p.polrelid, p.polname, p.polpermissive, p.polcmd,
                   ARRAY(SELECT r.rolname::text FROM unnest(p.polroles) WITH ORDINALITY AS x(role, n) JOIN pg_roles r ON r.oid = x.role ORDER BY x.n),
                   pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid), {Comment("pg_policy", "p.oid")},
                   {ColumnsRead("pg_policy", "p.oid", "p.polrelid")}
            FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ANY($1) ORDER BY p.polrelid, p.polname
            """, schemas, r => new PolicyInfo(r.GetFieldValue<uint>(0), r.GetFieldValue<uint>(1), r.GetString(2), r.GetBoolean(3), r.GetChar(4),
                Strings(r, 5), Str(r, 6), Str(r, 7), Str(r, 8)) { Columns = Shorts(r, 9) }, ct);

    private static async Task<List<StatisticsInfo>> ReadStatisticsAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT s.oid, n.nspname, s.stxname, s.stxrelid, s.stxkind::text[], pg_get_statisticsobjdef_columns(s.oid), s.stxstattarget,
                   {ColumnsRead("pg_statistic_ext", "s.oid", "s.stxrelid", "s.stxkeys")},
                   {Comment("pg_statistic_ext", "s.oid")}, pg_get_userbyid(s.stxowner), rn.nspname, c.relname
            FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
            JOIN pg_class c ON c.oid = s.stxrelid JOIN pg_namespace rn ON rn.oid = c.relnamespace
            WHERE n.nspname = ANY($1) ORDER BY n.nspname, s.stxname
            """, schemas, r => new StatisticsInfo(r.GetFieldValue<uint>(0), Name(r, 1), r.GetFieldValue<uint>(3),
                Strings(r, 4).Select(k => k[0]).Where(k => k != 'e').ToList(), r.GetString(5), r.GetInt32(6), Shorts(r, 7), Str(r, 8))
                { Owner = r.GetString(9), Relation = new QualifiedName(r.GetString(10), r.GetString(11)) }, ct);

    /// <summary>
    /// A WITH query "keys (cls, oid, key, ns, is_sequence)": each catalog object (by class and oid) with the
    /// <see cref="ObjectKey"/> it is folded onto, in text ("r:16384"), and its namespace (0 for none).
    /// </summary>
    private const string ObjectKeys = """
        keys AS (
            SELECT 'pg_class'::regclass AS cls, c.oid,
                   CASE WHEN c.relkind = 'c' THEN 't:' || c.reltype WHEN c.relkind IN ('i', 'I') THEN 'i:' || c.oid ELSE 'r:' || c.oid END AS key,
                   c.relnamespace AS ns, c.relkind = 'S' AS is_sequence
            FROM pg_class c WHERE c.relkind IN ('r', 'p', 'v', 'm', 'c', 'S', 'f', 'i', 'I')
            UNION ALL
            SELECT 'pg_type'::regclass, t.oid,
                   CASE WHEN t.typrelid <> 0 THEN (SELECT CASE WHEN c.relkind = 'c' THEN 't:' || t.oid ELSE 'r:' || c.oid END FROM pg_class c WHERE c.oid = t.typrelid)
                        WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN
                             (SELECT CASE WHEN e.typrelid <> 0 AND (SELECT relkind FROM pg_class WHERE oid = e.typrelid) <> 'c' THEN 'r:' || e.typrelid ELSE 't:' || e.oid END FROM pg_type e WHERE e.oid = t.typelem)
                        WHEN t.typtype = 'm' THEN (SELECT 't:' || rg.rngtypid FROM pg_range rg WHERE rg.rngmultitypid = t.oid)
                        ELSE 't:' || t.oid END,
                   t.typnamespace, false
            FROM pg_type t
            UNION ALL SELECT 'pg_proc'::regclass, p.oid, 'f:' || p.oid, p.pronamespace, false FROM pg_proc p
            UNION ALL SELECT 'pg_rewrite'::regclass, w.oid, CASE WHEN w.rulename = '_RETURN' THEN 'r:' || w.ev_class ELSE 'w:' || w.oid END, 0, false FROM pg_rewrite w
            UNION ALL SELECT 'pg_operator'::regclass, o.oid, 'o:' || o.oid, o.oprnamespace, false FROM pg_operator o
            UNION ALL SELECT 'pg_opfamily'::regclass, f.oid, 'F:' || f.oid, f.opfnamespace, false FROM pg_opfamily f
            UNION ALL SELECT 'pg_opclass'::regclass, c.oid, 'C:' || c.oid, c.opcnamespace, false FROM pg_opclass c
            UNION ALL SELECT d.classid, d.objid, CASE WHEN d.refclassid = 'pg_opclass'::regclass THEN 'C:' ELSE 'F:' END || d.refobjid, 0, false
            FROM pg_depend d WHERE d.classid IN ('pg_amop'::regclass, 'pg_amproc'::regclass)
              AND d.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass) AND d.deptype IN ('a', 'i')
            UNION ALL SELECT 'pg_ts_parser'::regclass, p.oid, 'P:' || p.oid, p.prsnamespace, false FROM pg_ts_parser p
            UNION ALL SELECT 'pg_ts_template'::regclass, t.oid, 'T:' || t.oid, t.tmplnamespace, false FROM pg_ts_template t
            UNION ALL SELECT 'pg_ts_dict'::regclass, d.oid, 'D:' || d.oid, d.dictnamespace, false FROM pg_ts_dict d
            UNION ALL SELECT 'pg_ts_config'::regclass, c.oid, 'G:' || c.oid, c.cfgnamespace, false FROM pg_ts_config c
            UNION ALL SELECT 'pg_cast'::regclass, c.oid, 'k:' || c.oid, 0, false FROM pg_cast c WHERE c.oid >= 16384
            UNION ALL SELECT 'pg_language'::regclass, l.oid, 'L:' || l.oid, 0, false FROM pg_language l WHERE l.oid >= 16384
            UNION ALL SELECT 'pg_transform'::regclass, t.oid, 'X:' || t.oid, 0, false FROM pg_transform t WHERE t.oid >= 16384
            UNION ALL SELECT 'pg_conversion'::regclass, c.oid, 'v:' || c.oid, c.connamespace, false FROM pg_conversion c
            UNION ALL SELECT 'pg_am'::regclass, a.oid, 'A:' || a.oid, 0, false FROM pg_am a WHERE a.oid >= 16384
            UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, w.oid, 'W:' || w.oid, 0, false FROM pg_foreign_data_wrapper w
            UNION ALL SELECT 'pg_foreign_server'::regclass, s.oid, 'S:' || s.oid, 0, false FROM pg_foreign_server s
            UNION ALL SELECT 'pg_attrdef'::regclass, a.oid, 'r:' || a.adrelid, 0, false FROM pg_attrdef a
            UNION ALL SELECT 'pg_policy'::regclass, y.oid, 'y:' || y.oid, 0, false FROM pg_policy y
            UNION ALL SELECT 'pg_statistic_ext'::regclass, x.oid, 'q:' || x.oid, 0, false FROM pg_statistic_ext x
            UNION ALL SELECT 'pg_event_trigger'::regclass, e.oid, 'E:' || e.oid, 0, false FROM pg_event_trigger e
            UNION ALL SELECT 'pg_constraint'::regclass, co.oid,
                   CASE WHEN co.contype = 'f' THEN 'K:' || co.oid WHEN co.contype IN ('p', 'u', 'x') THEN 'i:' || co.conindid
                        WHEN co.conrelid <> 0 THEN 'r:' || co.conrelid ELSE 't:' || co.contypid END, 0, false
            FROM pg_constraint co WHERE co.contype IN ('c', 'p', 'u', 'x', 'f')
        )
        """;

    /// <summary>
    /// pg_depend edges between pre-data objects, folded onto the owning relation, type or function: a view's
    /// rewrite rule onto the view, a column default or a constraint onto its table, an array type onto its element.
    /// Sequence OWNED BY edges are left out (the sequence comes first, ownership is set after the table). Indexes,
    /// policies, statistics and event triggers are keyed too ('i', 'y', 'q', 'E'), and foreign keys ('K'), so that
    /// what skip_unsupported leaves out takes them along; a key or exclusion constraint is folded onto its index (its
    /// operators, and the views that rely on it, then reach the index).
    /// </summary>
    private static async Task<List<(ObjectKey, ObjectKey)>> ReadDependenciesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            WITH {ObjectKeys}
            SELECT DISTINCT f.key, t.key
            FROM pg_depend d
            JOIN keys f ON f.cls = d.classid AND f.oid = d.objid
            JOIN keys t ON t.cls = d.refclassid AND t.oid = d.refobjid
            WHERE d.deptype IN ('n', 'a') AND f.key <> t.key AND NOT f.is_sequence
              AND (t.ns = 0 OR t.ns IN (SELECT oid FROM pg_namespace WHERE nspname = ANY($1)))
            """, schemas, r => (ObjectKey.Parse(r.GetString(0)), ObjectKey.Parse(r.GetString(1))), ct);

    /// <summary>
    /// The functions (every overload, extension members apart: the extension check covers those) that the calls by
    /// name name, as outside dependencies of the functions making them (<see cref="Ddl.PlanScope.OutsideCallsAtLoad"/>).
    /// </summary>
    public static async Task<List<OutsideDependency>> FunctionsCalledAsync(NpgsqlConnection conn, IReadOnlyList<(ObjectKey From, QualifiedName Called)> calls, CancellationToken ct)
    {
        if (calls.Count == 0) return [];
        // The names as pairs, one after the other: (schema, name), (schema, name), ...
        var found = await QueryAsync(conn, $"""
            SELECT n.nspname, p.proname, p.oid::regprocedure::text
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE (n.nspname, p.proname) IN (SELECT $1[i], $1[i + 1] FROM generate_series(1, cardinality($1), 2) i) AND {NotMember("pg_proc", "p.oid")}
            ORDER BY 1, 2, 3
            """, [.. calls.Select(c => c.Called).Distinct().SelectMany(q => new[] { q.Schema, q.Name })],
            r => (Called: new QualifiedName(r.GetString(0), r.GetString(1)), Name: r.GetString(2)), ct);
        var byCalled = found.ToLookup(f => f.Called);
        return [.. calls.SelectMany(c => byCalled[c.Called].Select(f => new OutsideDependency(c.From, "regprocedure", f.Name, c.Called.Schema)))];
    }

    /// <summary>
    /// What objects need in schemas other than <paramref name="schemas"/> (and than pg_catalog and
    /// information_schema), apart from extension members (the extension check covers those): a column's domain, a
    /// default's sequence or function, a view's table and the columns of it the view reads ("column" app.t.name, with
    /// the table's oid). A table, schema or functions clone does not bring them, so the target must have them already.
    /// </summary>
    /// <param name="ownSchemaKinds">
    /// Also the operators, operator classes and families, text search objects and collations of <paramref name="schemas"/>:
    /// a table or functions clone brings those its objects use (<see cref="Ddl.PlanScope.BroughtKinds"/>), and the target
    /// must have the others it needs (an operator a trigger's WHEN clause uses).
    /// </param>
    public static async Task<List<OutsideDependency>> OutsideDependenciesAsync(NpgsqlConnection conn, string[] schemas, bool ownSchemaKinds, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            WITH {ObjectKeys}, outside AS (
                SELECT DISTINCT f.key, d.refclassid, d.refobjid, CASE WHEN d.refclassid = 'pg_class'::regclass THEN d.refobjsubid ELSE 0 END AS subid
                FROM pg_depend d
                -- Triggers too, keyed here only ('g'): a trigger's function or WHEN clause in a schema the target lacks.
                JOIN (SELECT cls, oid, key, is_sequence FROM keys
                      UNION ALL SELECT 'pg_trigger'::regclass, t.oid, 'g:' || t.oid, false FROM pg_trigger t WHERE NOT t.tgisinternal) f
                  ON f.cls = d.classid AND f.oid = d.objid
                WHERE d.deptype IN ('n', 'a') AND NOT f.is_sequence AND d.refobjid >= 16384
                  AND d.refclassid IN ('pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, 'pg_operator'::regclass,
                                       'pg_collation'::regclass, 'pg_ts_config'::regclass, 'pg_ts_dict'::regclass, 'pg_ts_template'::regclass,
                                       'pg_ts_parser'::regclass, 'pg_opclass'::regclass, 'pg_opfamily'::regclass)
                  AND NOT EXISTS (SELECT FROM pg_depend x WHERE x.classid = d.refclassid AND x.objid = d.refobjid AND x.deptype = 'e')
            )
            SELECT DISTINCT o.key, n.reg, n.name, s.nspname, o.refobjid
            FROM outside o CROSS JOIN LATERAL (
                SELECT CASE WHEN c.relkind = 'c' THEN 'regtype' ELSE 'regclass' END, CASE WHEN c.relkind = 'c' THEN c.reltype::regtype::text ELSE o.refobjid::regclass::text END,
                       c.relnamespace FROM pg_class c WHERE o.refclassid = 'pg_class'::regclass AND c.oid = o.refobjid
                -- A column of it the object reads (a view's, a foreign key's, a policy's): the target's table may be older.
                UNION ALL SELECT 'column', o.refobjid::regclass::text || '.' || quote_ident(a.attname), c.relnamespace
                FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = o.subid
                WHERE o.refclassid = 'pg_class'::regclass AND c.oid = o.refobjid AND o.subid > 0 AND c.relkind <> 'c'
                UNION ALL SELECT 'regtype', o.refobjid::regtype::text, t.typnamespace FROM pg_type t WHERE o.refclassid = 'pg_type'::regclass AND t.oid = o.refobjid
                UNION ALL SELECT 'regprocedure', o.refobjid::regprocedure::text, p.pronamespace FROM pg_proc p WHERE o.refclassid = 'pg_proc'::regclass AND p.oid = o.refobjid
                UNION ALL SELECT 'regoperator', o.refobjid::regoperator::text, p.oprnamespace FROM pg_operator p WHERE o.refclassid = 'pg_operator'::regclass AND p.oid = o.refobjid
                UNION ALL SELECT 'regcollation', o.refobjid::regcollation::text, c.collnamespace FROM pg_collation c WHERE o.refclassid = 'pg_collation'::regclass AND c.oid = o.refobjid
                UNION ALL SELECT 'regconfig', o.refobjid::regconfig::text, c.cfgnamespace FROM pg_ts_config c WHERE o.refclassid = 'pg_ts_config'::regclass AND c.oid = o.refobjid
                UNION ALL SELECT 'regdictionary', o.refobjid::regdictionary::text, d.dictnamespace FROM pg_ts_dict d WHERE o.refclassid = 'pg_ts_dict'::regclass AND d.oid = o.refobjid
                -- Kinds without a reg* type: named as their CREATE statements name them (an operator class with its access method).
                UNION ALL SELECT 'ts_template', format('%I.%I', tn.nspname, t.tmplname), t.tmplnamespace FROM pg_ts_template t JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
                          WHERE o.refclassid = 'pg_ts_template'::regclass AND t.oid = o.refobjid
                UNION ALL SELECT 'ts_parser', format('%I.%I', pn.nspname, p.prsname), p.prsnamespace FROM pg_ts_parser p JOIN pg_namespace pn ON pn.oid = p.prsnamespace
                          WHERE o.refclassid = 'pg_ts_parser'::regclass AND p.oid = o.refobjid
                UNION ALL SELECT 'opclass', format('%I.%I USING %I', cn.nspname, c.opcname, a.amname), c.opcnamespace FROM pg_opclass c
                          JOIN pg_namespace cn ON cn.oid = c.opcnamespace JOIN pg_am a ON a.oid = c.opcmethod WHERE o.refclassid = 'pg_opclass'::regclass AND c.oid = o.refobjid
                UNION ALL SELECT 'opfamily', format('%I.%I USING %I', fn.nspname, f.opfname, a.amname), f.opfnamespace FROM pg_opfamily f
                          JOIN pg_namespace fn ON fn.oid = f.opfnamespace JOIN pg_am a ON a.oid = f.opfmethod WHERE o.refclassid = 'pg_opfamily'::regclass AND f.oid = o.refobjid
            ) n (reg, name, ns)
            JOIN pg_namespace s ON s.oid = n.ns
            WHERE (s.nspname <> ALL($1) {(ownSchemaKinds ? "OR n.reg IN ('regoperator', 'regcollation', 'regconfig', 'regdictionary', 'ts_template', 'ts_parser', 'opclass', 'opfamily')" : "")})
              AND s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg\_%'
            ORDER BY 1, 3
            """, schemas, r => new OutsideDependency(ObjectKey.Parse(r.GetString(0)), r.GetString(1), r.GetString(2), r.GetString(3)) { Oid = r.GetFieldValue<uint>(4) }, ct);

    /// <summary>
    /// The collations of pg_catalog that the schemas' objects use (a column's, an index's, a domain's), as outside
    /// dependencies: initdb imports them from the machine's locales and ICU, so another server can lack them (a column
    /// COLLATE "de_DE" cloned onto a target whose system has no such locale failed in the middle of the run). Those every
    /// server has (default, C, POSIX, ucs_basic) are pinned or created at bootstrap and never listed.
    /// </summary>
    public static async Task<List<OutsideDependency>> SystemCollationsUsedAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            WITH {ObjectKeys}
            SELECT DISTINCT f.key, c.oid::regcollation::text, c.oid
            FROM pg_depend d
            JOIN pg_collation c ON c.oid = d.refobjid AND c.collnamespace = 'pg_catalog'::regnamespace AND c.collname <> 'ucs_basic'
            JOIN keys f ON f.cls = d.classid AND f.oid = d.objid
            WHERE d.refclassid = 'pg_collation'::regclass AND d.deptype IN ('n', 'a') AND NOT f.is_sequence
              AND (f.ns = 0 OR f.ns IN (SELECT oid FROM pg_namespace WHERE nspname = ANY($1)))
              AND NOT EXISTS (SELECT FROM pg_depend x WHERE x.classid = d.classid AND x.objid = d.objid AND x.deptype = 'e')
            ORDER BY 1, 2
            """, schemas, r => new OutsideDependency(ObjectKey.Parse(r.GetString(0)), "regcollation", r.GetString(1), "pg_catalog") { Oid = r.GetFieldValue<uint>(2) }, ct);

    /// <summary>Extensions whose objects the schemas' objects use (a column type, an operator class, a function), or that live in the schemas.</summary>
    private static async Task<List<ExtensionUse>> ReadExtensionUsesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, """
            WITH uses AS (
                SELECT DISTINCT d.classid, d.objid, x.refobjid AS ext
                FROM pg_depend d
                JOIN pg_depend x ON x.classid = d.refclassid AND x.objid = d.refobjid AND x.deptype = 'e' AND x.refclassid = 'pg_extension'::regclass
                WHERE d.deptype IN ('n', 'a')
            )
            SELECT e.extname, ns.nspname, o.rel
            FROM uses u
            JOIN pg_extension e ON e.oid = u.ext
            CROSS JOIN LATERAL (
                SELECT c.relnamespace AS ns, CASE WHEN c.relkind IN ('i', 'I') THEN (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = c.oid) ELSE c.oid END AS rel
                FROM pg_class c WHERE u.classid = 'pg_class'::regclass AND c.oid = u.objid
                UNION ALL SELECT t.typnamespace, t.oid FROM pg_type t WHERE u.classid = 'pg_type'::regclass AND t.oid = u.objid
                UNION ALL SELECT p.pronamespace, p.oid FROM pg_proc p WHERE u.classid = 'pg_proc'::regclass AND p.oid = u.objid
                UNION ALL SELECT co.connamespace, CASE WHEN co.conrelid <> 0 THEN co.conrelid ELSE co.contypid END FROM pg_constraint co WHERE u.classid = 'pg_constraint'::regclass AND co.oid = u.objid
                UNION ALL SELECT r.relnamespace, a.adrelid FROM pg_attrdef a JOIN pg_class r ON r.oid = a.adrelid WHERE u.classid = 'pg_attrdef'::regclass AND a.oid = u.objid
                UNION ALL SELECT r.relnamespace, w.ev_class FROM pg_rewrite w JOIN pg_class r ON r.oid = w.ev_class WHERE u.classid = 'pg_rewrite'::regclass AND w.oid = u.objid
                UNION ALL SELECT r.relnamespace, g.tgrelid FROM pg_trigger g JOIN pg_class r ON r.oid = g.tgrelid WHERE u.classid = 'pg_trigger'::regclass AND g.oid = u.objid
            ) o
            JOIN pg_namespace ns ON ns.oid = o.ns
            WHERE ns.nspname = ANY($1) AND e.extname <> 'plpgsql'
            UNION
            SELECT e.extname, ns.nspname, 0::oid FROM pg_extension e JOIN pg_namespace ns ON ns.oid = e.extnamespace
            WHERE ns.nspname = ANY($1) AND e.extname <> 'plpgsql'
            """, schemas, r => new ExtensionUse(r.GetString(0), r.GetString(1), Oid(r, 2)), ct);

    private static async Task<List<ExtensionFunction>> ReadExtensionFunctionsAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await QueryAsync(conn, """
            SELECT DISTINCT e.extname, n.nspname, p.proname,
                   EXISTS (SELECT FROM pg_proc b WHERE b.proname = p.proname AND b.pronamespace = 'pg_catalog'::regnamespace)
            FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
            JOIN pg_proc p ON p.oid = d.objid JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname <> 'plpgsql'
            ORDER BY 1, 2, 3
            """, null, r => new ExtensionFunction(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3)), ct);

    /// <summary>
    /// For each object with an explicit ACL: the privileges its default ACL has and it lacks (to revoke) and the
    /// ones it has beyond the default (to grant, in aclitem order), grouped per grantee and grantor; column privileges too.
    /// </summary>
    private static async Task<List<AclChange>> ReadPrivilegesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            WITH objs AS (
                SELECT 'r:' || c.oid AS key, NULL::text AS col, c.relacl AS acl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner) AS def,
                       c.relowner AS owner
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ANY($1) AND c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                UNION ALL SELECT 'r:' || a.attrelid, a.attname::text, a.attacl, acldefault('c'::"char", c.relowner), c.relowner
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ANY($1) AND a.attacl IS NOT NULL AND NOT a.attisdropped AND a.attnum <> 0
                UNION ALL SELECT 'f:' || p.oid, NULL, p.proacl, acldefault('f'::"char", p.proowner), p.proowner
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1) AND p.proacl IS NOT NULL
                UNION ALL SELECT 't:' || t.oid, NULL, t.typacl, acldefault('T'::"char", t.typowner), t.typowner
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = ANY($1) AND t.typacl IS NOT NULL
                UNION ALL SELECT 'n:' || n.oid, NULL, n.nspacl, acldefault('n'::"char", n.nspowner), n.nspowner
                FROM pg_namespace n WHERE n.nspname = ANY($1) AND n.nspacl IS NOT NULL
                UNION ALL SELECT 'W:' || w.oid, NULL, w.fdwacl, acldefault('F'::"char", w.fdwowner), w.fdwowner
                FROM pg_foreign_data_wrapper w WHERE w.fdwacl IS NOT NULL AND {NotMember("pg_foreign_data_wrapper", "w.oid")}
                UNION ALL SELECT 'S:' || v.oid, NULL, v.srvacl, acldefault('S'::"char", v.srvowner), v.srvowner
                FROM pg_foreign_server v WHERE v.srvacl IS NOT NULL AND {NotMember("pg_foreign_server", "v.oid")}
            ), changes AS (
                SELECT o.key, o.col, false AS is_grant, d.grantee, d.privilege_type, false AS grantable, 0::bigint AS ord, 0::oid AS grantor
                FROM objs o, aclexplode(o.def) d
                WHERE NOT EXISTS (SELECT 1 FROM aclexplode(o.acl) a WHERE a.grantee = d.grantee AND a.privilege_type = d.privilege_type)
                UNION ALL
                SELECT o.key, o.col, true, a.grantee, a.privilege_type, a.is_grantable, a.ord, CASE WHEN a.grantor = o.owner THEN 0::oid ELSE a.grantor END
                FROM objs o, aclexplode(o.acl) WITH ORDINALITY a(grantor, grantee, privilege_type, is_grantable, ord)
                WHERE NOT EXISTS (SELECT 1 FROM aclexplode(o.def) d WHERE d.grantee = a.grantee AND d.privilege_type = a.privilege_type AND d.is_grantable = a.is_grantable
                                  AND d.grantor = a.grantor)
            )
            SELECT key, col, is_grant, CASE WHEN grantee = 0 THEN NULL ELSE pg_get_userbyid(grantee)::text END, array_agg(privilege_type ORDER BY ord, privilege_type), grantable,
                   CASE WHEN grantor = 0 THEN NULL ELSE pg_get_userbyid(grantor)::text END
            FROM changes GROUP BY key, col, is_grant, grantee, grantable, grantor ORDER BY key, col NULLS FIRST, is_grant, min(ord)
            """, schemas, r => new AclChange(ObjectKey.Parse(r.GetString(0)), Str(r, 1), r.GetBoolean(2), Str(r, 3), Strings(r, 4), r.GetBoolean(5)) { Grantor = Str(r, 6) }, ct);

    /// <summary>
    /// Objects of the schemas that cannot be recreated from SQL alone: security labels (they need their label provider
    /// loaded on the target). The planner refuses the run naming them, unless the user opts to skip them.
    /// </summary>
    private static async Task<List<string>> ReadUnsupportedAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT format('security label (provider %s) on %s: needs that label provider on the target', quote_ident(l.provider),
                          pg_describe_object(l.classoid, l.objoid, l.objsubid))
            FROM pg_seclabels l
            WHERE l.objnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY($1))
               OR (l.objtype = 'schema' AND l.objname = ANY($1))
            """, schemas, r => r.GetString(0), ct);
}
