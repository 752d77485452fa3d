using Npgsql;

namespace PgClone.Core.Catalog;

/// <summary>
/// Queries of the object kinds in <c>CatalogRecords.Kinds.cs</c>: those of the cloned schemas (aggregates,
/// operators, operator classes and families, text search objects, conversions, casts involving them, rules) and,
/// for a database clone, the database-wide ones (access methods, event triggers, publications, foreign-data
/// wrappers and servers).
/// </summary>
public static partial class CatalogReader
{
    /// <summary>OPERATOR(schema.name) of the operator whose oid is the given column (NULL when 0).</summary>
    private static string OperatorRef(string oidColumn) =>
        $"(SELECT format('OPERATOR(%s.%s)', quote_ident(xn.nspname), xo.oprname) FROM pg_operator xo JOIN pg_namespace xn ON xn.oid = xo.oprnamespace WHERE xo.oid = {oidColumn})";

    /// <summary>A large object's privilege changes, read from the parallel arrays its query returns.</summary>
    private static List<LargeObjectGrant> LargeObjectGrants(NpgsqlDataReader r)
    {
        if (r.IsDBNull(3)) return [];
        var (grants, grantees, privileges, grantable, grantors) = (r.GetFieldValue<bool[]>(3), r.GetFieldValue<string?[]>(4), r.GetFieldValue<string[]>(5),
            r.GetFieldValue<bool[]>(6), r.GetFieldValue<string?[]>(7));
        return grants.Select((g, i) => new LargeObjectGrant(g, grantees[i], privileges[i], grantable[i], grantors[i])).ToList();
    }

    /// <summary>A regproc column as text, NULL when unset (0).</summary>
    private static string Proc(string column) => $"CASE WHEN {column} <> 0 THEN {column}::regproc::text END";

    private static async Task<List<AggregateInfo>> ReadAggregatesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT p.oid, n.nspname, p.proname, pg_get_function_arguments(p.oid), pg_get_function_identity_arguments(p.oid), a.aggkind,
                   a.aggtransfn::regproc::text, format_type(a.aggtranstype, NULL), a.aggtransspace, a.agginitval,
                   {Proc("a.aggfinalfn")}, a.aggfinalextra, a.aggfinalmodify,
                   {Proc("a.aggcombinefn")}, {Proc("a.aggserialfn")}, {Proc("a.aggdeserialfn")},
                   {Proc("a.aggmtransfn")}, {Proc("a.aggminvtransfn")}, CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END,
                   a.aggmtransspace, a.aggminitval, {Proc("a.aggmfinalfn")}, a.aggmfinalextra, a.aggmfinalmodify,
                   {OperatorRef("a.aggsortop")}, p.proparallel, pg_get_userbyid(p.proowner), {Comment("pg_proc", "p.oid")}
            FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = ANY($1) AND {NotMember("pg_proc", "p.oid")}
            ORDER BY n.nspname, p.proname, 5
            """, schemas, r => new AggregateInfo(r.GetFieldValue<uint>(0), Name(r, 1), r.GetString(3), r.GetString(4), r.GetChar(5),
                r.GetString(6), r.GetString(7), r.GetInt32(8), Str(r, 9), Str(r, 10), r.GetBoolean(11), r.GetChar(12),
                Str(r, 13), Str(r, 14), Str(r, 15), Str(r, 16), Str(r, 17), Str(r, 18), r.GetInt32(19), Str(r, 20),
                Str(r, 21), r.GetBoolean(22), r.GetChar(23), Str(r, 24), r.GetChar(25), r.GetString(26), Str(r, 27)), ct);

    private static async Task<List<OperatorInfo>> ReadOperatorsAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT o.oid, n.nspname, o.oprname, CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END,
                   CASE WHEN o.oprright <> 0 THEN format_type(o.oprright, NULL) END, o.oprcode::regproc::text,
                   {OperatorRef("o.oprcom")}, {OperatorRef("o.oprnegate")}, {Proc("o.oprrest")}, {Proc("o.oprjoin")},
                   o.oprcanhash, o.oprcanmerge, pg_get_userbyid(o.oprowner), {Comment("pg_operator", "o.oid")}, o.oprcom, o.oprnegate
            FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
            WHERE n.nspname = ANY($1) AND o.oprcode <> 0 AND {NotMember("pg_operator", "o.oid")}
            ORDER BY n.nspname, o.oprname, 4, 5
            """, schemas, r => new OperatorInfo(r.GetFieldValue<uint>(0), Name(r, 1), Str(r, 3), Str(r, 4), r.GetString(5), Str(r, 6), Str(r, 7),
                Str(r, 8), Str(r, 9), r.GetBoolean(10), r.GetBoolean(11), r.GetString(12), Str(r, 13))
                { CommutatorOid = r.GetFieldValue<uint>(14), NegatorOid = r.GetFieldValue<uint>(15) }, ct);

    /// <summary>The operators and support functions that pg_depend ties to one operator class or family, rendered as ADD items.</summary>
    private static string Members(string catalog, string oid) => $"""
        ARRAY(SELECT format('OPERATOR %s %s', ao.amopstrategy, ao.amopopr::regoperator)
                     || CASE WHEN ao.amoppurpose = 'o' THEN format(' FOR ORDER BY %I.%I', sn.nspname, sf.opfname) ELSE '' END
              FROM pg_amop ao
              JOIN pg_depend d ON d.classid = 'pg_amop'::regclass AND d.objid = ao.oid AND d.refclassid = '{catalog}'::regclass AND d.refobjid = {oid}
              LEFT JOIN pg_opfamily sf ON sf.oid = ao.amopsortfamily LEFT JOIN pg_namespace sn ON sn.oid = sf.opfnamespace
              ORDER BY ao.amopstrategy, ao.amoplefttype, ao.amoprighttype)
        || ARRAY(SELECT format('FUNCTION %s (%s, %s) %s', ap.amprocnum, format_type(ap.amproclefttype, NULL), format_type(ap.amprocrighttype, NULL), ap.amproc::regprocedure)
              FROM pg_amproc ap
              JOIN pg_depend d ON d.classid = 'pg_amproc'::regclass AND d.objid = ap.oid AND d.refclassid = '{catalog}'::regclass AND d.refobjid = {oid}
              ORDER BY ap.amprocnum, ap.amproclefttype, ap.amprocrighttype)
        """;

    private static async Task<List<OperatorFamilyInfo>> ReadOperatorFamiliesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT f.oid, n.nspname, f.opfname, am.amname, {Members("pg_opfamily", "f.oid")}, pg_get_userbyid(f.opfowner), {Comment("pg_opfamily", "f.oid")}
            FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod
            WHERE n.nspname = ANY($1) AND {NotMember("pg_opfamily", "f.oid")}
            ORDER BY n.nspname, f.opfname, am.amname
            """, schemas, r => new OperatorFamilyInfo(r.GetFieldValue<uint>(0), Name(r, 1), r.GetString(3), Strings(r, 4), r.GetString(5), Str(r, 6)), ct);

    private static async Task<List<OperatorClassInfo>> ReadOperatorClassesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT c.oid, n.nspname, c.opcname, am.amname, format_type(c.opcintype, NULL), c.opcdefault, fn.nspname, f.opfname,
                   CASE WHEN c.opckeytype <> 0 THEN format_type(c.opckeytype, NULL) END, {Members("pg_opclass", "c.oid")},
                   pg_get_userbyid(c.opcowner), {Comment("pg_opclass", "c.oid")}
            FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod
            JOIN pg_opfamily f ON f.oid = c.opcfamily JOIN pg_namespace fn ON fn.oid = f.opfnamespace
            WHERE n.nspname = ANY($1) AND {NotMember("pg_opclass", "c.oid")}
            ORDER BY n.nspname, c.opcname, am.amname
            """, schemas, r => new OperatorClassInfo(r.GetFieldValue<uint>(0), Name(r, 1), r.GetString(3), r.GetString(4), r.GetBoolean(5), Name(r, 6),
                Str(r, 8), Strings(r, 9), r.GetString(10), Str(r, 11)), ct);

    private static async Task<List<TextSearchParserInfo>> ReadTextSearchParsersAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT p.oid, n.nspname, p.prsname, p.prsstart::regproc::text, p.prstoken::regproc::text, p.prsend::regproc::text,
                   {Proc("p.prsheadline")}, p.prslextype::regproc::text, {Comment("pg_ts_parser", "p.oid")}
            FROM pg_ts_parser p JOIN pg_namespace n ON n.oid = p.prsnamespace
            WHERE n.nspname = ANY($1) AND {NotMember("pg_ts_parser", "p.oid")} ORDER BY n.nspname, p.prsname
            """, schemas, r => new TextSearchParserInfo(r.GetFieldValue<uint>(0), Name(r, 1), r.GetString(3), r.GetString(4), r.GetString(5), Str(r, 6), r.GetString(7), Str(r, 8)), ct);

    private static async Task<List<TextSearchTemplateInfo>> ReadTextSearchTemplatesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT t.oid, n.nspname, t.tmplname, {Proc("t.tmplinit")}, t.tmpllexize::regproc::text, {Comment("pg_ts_template", "t.oid")}
            FROM pg_ts_template t JOIN pg_namespace n ON n.oid = t.tmplnamespace
            WHERE n.nspname = ANY($1) AND {NotMember("pg_ts_template", "t.oid")} ORDER BY n.nspname, t.tmplname
            """, schemas, r => new TextSearchTemplateInfo(r.GetFieldValue<uint>(0), Name(r, 1), Str(r, 3), r.GetString(4), Str(r, 5)), ct);

    private static async Task<List<TextSearchDictionaryInfo>> ReadTextSearchDictionariesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT d.oid, n.nspname, d.dictname, format('%I.%I', tn.nspname, t.tmplname), d.dictinitoption,
                   pg_get_userbyid(d.dictowner), {Comment("pg_ts_dict", "d.oid")}
            FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
            JOIN pg_ts_template t ON t.oid = d.dicttemplate JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
            WHERE n.nspname = ANY($1) AND {NotMember("pg_ts_dict", "d.oid")} ORDER BY n.nspname, d.dictname
            """, schemas, r => new TextSearchDictionaryInfo(r.GetFieldValue<uint>(0), Name(r, 1), r.GetString(3), Str(r, 4), r.GetString(5), Str(r, 6)), ct);

    private static async Task<List<TextSearchConfigInfo>> ReadTextSearchConfigsAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT c.oid, n.nspname, c.cfgname, format('%I.%I', pn.nspname, p.prsname),
                   ARRAY(SELECT tt.alias FROM pg_ts_config_map m JOIN ts_token_type(c.cfgparser) tt ON tt.tokid = m.maptokentype
                         WHERE m.mapcfg = c.oid GROUP BY m.maptokentype, tt.alias ORDER BY m.maptokentype),
                   ARRAY(SELECT string_agg(m.mapdict::regdictionary::text, ', ' ORDER BY m.mapseqno) FROM pg_ts_config_map m
                         WHERE m.mapcfg = c.oid GROUP BY m.maptokentype ORDER BY m.maptokentype),
                   pg_get_userbyid(c.cfgowner), {Comment("pg_ts_config", "c.oid")}
            FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
            JOIN pg_ts_parser p ON p.oid = c.cfgparser JOIN pg_namespace pn ON pn.oid = p.prsnamespace
            WHERE n.nspname = ANY($1) AND {NotMember("pg_ts_config", "c.oid")} ORDER BY n.nspname, c.cfgname
            """, schemas, r => new TextSearchConfigInfo(r.GetFieldValue<uint>(0), Name(r, 1), r.GetString(3),
                Strings(r, 4).Zip(Strings(r, 5)).ToList(), r.GetString(6), Str(r, 7)), ct);

    /// <summary>
    /// User-made casts (and, below, transforms): a database clone takes every one, as pg_dump does (a cast between
    /// built-in types too); a schema clone those whose types or function it clones. Not those a range type made for
    /// its multirange (CREATE TYPE brings them).
    /// </summary>
    private static async Task<List<CastInfo>> ReadCastsAsync(NpgsqlConnection conn, string[] schemas, bool wholeDatabase, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT c.oid, format_type(c.castsource, NULL), format_type(c.casttarget, NULL),
                   CASE WHEN c.castfunc <> 0 THEN c.castfunc::regprocedure::text END, c.castmethod, c.castcontext, {Comment("pg_cast", "c.oid")}
            FROM pg_cast c
            WHERE c.oid >= 16384 AND {NotMember("pg_cast", "c.oid")}
              AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_cast'::regclass AND i.objid = c.oid AND i.deptype = 'i')
              AND {TakenWith(wholeDatabase, types: ["c.castsource", "c.casttarget"], functions: ["c.castfunc"])}
            ORDER BY 2, 3
            """, schemas, r => new CastInfo(r.GetFieldValue<uint>(0), r.GetString(1), r.GetString(2), Str(r, 3), r.GetChar(4), r.GetChar(5), Str(r, 6)), ct);

    private static async Task<List<TransformInfo>> ReadTransformsAsync(NpgsqlConnection conn, string[] schemas, bool wholeDatabase, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT tr.oid, format_type(tr.trftype, NULL), l.lanname,
                   CASE WHEN tr.trffromsql <> 0 THEN tr.trffromsql::regprocedure::text END, CASE WHEN tr.trftosql <> 0 THEN tr.trftosql::regprocedure::text END,
                   {Comment("pg_transform", "tr.oid")}
            FROM pg_transform tr JOIN pg_language l ON l.oid = tr.trflang
            WHERE tr.oid >= 16384 AND {NotMember("pg_transform", "tr.oid")}
              AND {TakenWith(wholeDatabase, types: ["tr.trftype"], functions: ["tr.trffromsql", "tr.trftosql"])}
            ORDER BY 2, 3
            """, schemas, r => new TransformInfo(r.GetFieldValue<uint>(0), r.GetString(1), r.GetString(2), Str(r, 3), Str(r, 4), Str(r, 5)), ct);

    /// <summary>Procedural languages made with CREATE LANGUAGE, not by an extension: a database clone's all, a schema clone's those its functions use.</summary>
    private static async Task<List<LanguageInfo>> ReadLanguagesAsync(NpgsqlConnection conn, string[] schemas, bool wholeDatabase, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT l.oid, l.lanname, l.lanpltrusted, l.lanplcallfoid::regproc::text, CASE WHEN l.laninline <> 0 THEN l.laninline::regproc::text END,
                   CASE WHEN l.lanvalidator <> 0 THEN l.lanvalidator::regproc::text END, pg_get_userbyid(l.lanowner), {Comment("pg_language", "l.oid")}
            FROM pg_language l
            WHERE l.oid >= 16384 AND l.lanplcallfoid <> 0 AND {NotMember("pg_language", "l.oid")}
              AND ({SqlBool(wholeDatabase)} OR EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                                                       WHERE p.prolang = l.oid AND n.nspname = ANY($1)))
            ORDER BY l.lanname
            """, schemas, r => new LanguageInfo(r.GetFieldValue<uint>(0), r.GetString(1), r.GetBoolean(2), r.GetString(3), Str(r, 4), Str(r, 5),
                r.GetString(6), Str(r, 7)), ct);

    private static string SqlBool(bool value) => value ? "true" : "false";

    /// <summary>
    /// The condition for an object outside the schemas (a cast, a transform): always, in a database clone; else when
    /// one of its types (oid columns) or functions lives in a cloned schema ($1).
    /// </summary>
    private static string TakenWith(bool wholeDatabase, string[] types, string[] functions)
    {
        var namespaces = types.Select(t => $"(SELECT typnamespace FROM pg_type WHERE oid = {t})")
            .Concat(functions.Select(f => $"(SELECT pronamespace FROM pg_proc WHERE oid = {f})"));
        return $"({SqlBool(wholeDatabase)} OR EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = ANY($1) AND n.oid IN ({string.Join(", ", namespaces)})))";
    }

    private static async Task<List<ConversionInfo>> ReadConversionsAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT co.oid, n.nspname, co.conname, pg_encoding_to_char(co.conforencoding), pg_encoding_to_char(co.contoencoding),
                   co.conproc::regproc::text, co.condefault, pg_get_userbyid(co.conowner), {Comment("pg_conversion", "co.oid")}
            FROM pg_conversion co JOIN pg_namespace n ON n.oid = co.connamespace
            WHERE n.nspname = ANY($1) AND {NotMember("pg_conversion", "co.oid")} ORDER BY n.nspname, co.conname
            """, schemas, r => new ConversionInfo(r.GetFieldValue<uint>(0), Name(r, 1), r.GetString(3), r.GetString(4), r.GetString(5), r.GetBoolean(6), r.GetString(7), Str(r, 8)), ct);

    private static async Task<List<RuleInfo>> ReadRulesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT r.oid, r.ev_class, r.rulename, pg_get_ruledef(r.oid), r.ev_enabled, {Comment("pg_rewrite", "r.oid")},
                   {ColumnsRead("pg_rewrite", "r.oid", "r.ev_class")}
            FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE r.rulename <> '_RETURN' AND n.nspname = ANY($1)
            ORDER BY n.nspname, c.relname, r.rulename
            """, schemas, r => new RuleInfo(r.GetFieldValue<uint>(0), r.GetFieldValue<uint>(1), r.GetString(2), r.GetString(3), r.GetChar(4), Str(r, 5)) { Columns = Shorts(r, 6) }, ct);

    /// <summary>Foreign tables' servers and options, and their columns' options.</summary>
    private static async Task<List<ForeignTableInfo>> ReadForeignTablesAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, """
            SELECT ft.ftrelid, s.srvname, coalesce(ft.ftoptions, '{}'),
                   ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = ft.ftrelid AND a.attnum > 0 AND NOT a.attisdropped AND a.attfdwoptions IS NOT NULL ORDER BY a.attnum),
                   ARRAY(SELECT array_to_string(a.attfdwoptions, E'\x1f') FROM pg_attribute a WHERE a.attrelid = ft.ftrelid AND a.attnum > 0 AND NOT a.attisdropped AND a.attfdwoptions IS NOT NULL ORDER BY a.attnum)
            FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_foreign_server s ON s.oid = ft.ftserver
            WHERE n.nspname = ANY($1)
            """, schemas, r => new ForeignTableInfo(r.GetFieldValue<uint>(0), r.GetString(1), Strings(r, 2),
                Strings(r, 3).Zip(Strings(r, 4)).ToDictionary(x => x.First, x => (IReadOnlyList<string>)x.Second.Split('\x1f'))), ct);

    /// <summary>What a database clone carries beyond the schemas' contents.</summary>
    /// <summary>
    /// ALTER DEFAULT PRIVILEGES entries: every one, or those IN SCHEMA one of <paramref name="schemas"/> (a schema
    /// clone's: pg_dump -n dumps them with the schema), each as the grants and revokes against the built-in defaults.
    /// </summary>
    private static async Task<List<DefaultPrivilegeInfo>> ReadDefaultPrivilegesAsync(NpgsqlConnection conn, string[]? schemas, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            WITH d AS (
                SELECT a.defaclrole, a.defaclnamespace, a.defaclobjtype, a.defaclacl,
                       CASE WHEN a.defaclnamespace = 0 THEN acldefault(CASE a.defaclobjtype WHEN 'S' THEN 's' ELSE a.defaclobjtype END::"char", a.defaclrole)
                            END AS base
                FROM pg_default_acl a
            ), changes AS (
                SELECT d.defaclrole, d.defaclnamespace, d.defaclobjtype, false AS is_grant, b.grantee, b.privilege_type, false AS grantable
                FROM d, aclexplode(d.base) b
                WHERE NOT EXISTS (SELECT 1 FROM aclexplode(d.defaclacl) x WHERE x.grantee = b.grantee AND x.privilege_type = b.privilege_type)
                UNION ALL
                SELECT d.defaclrole, d.defaclnamespace, d.defaclobjtype, true, x.grantee, x.privilege_type, x.is_grantable
                FROM d, aclexplode(d.defaclacl) x
                WHERE NOT EXISTS (SELECT 1 FROM aclexplode(d.base) b WHERE b.grantee = x.grantee AND b.privilege_type = x.privilege_type AND b.is_grantable = x.is_grantable)
            )
            SELECT pg_get_userbyid(c.defaclrole), n.nspname, c.defaclobjtype, c.is_grant, CASE WHEN c.grantee = 0 THEN NULL ELSE pg_get_userbyid(c.grantee)::text END,
                   array_agg(c.privilege_type ORDER BY c.privilege_type), c.grantable
            FROM changes c LEFT JOIN pg_namespace n ON n.oid = c.defaclnamespace
            {(schemas is null ? "" : "WHERE n.nspname = ANY($1)")}
            GROUP BY 1, 2, 3, 4, 5, 7 ORDER BY 1, 2 NULLS FIRST, 3, 4, 5
            """, schemas, r => new DefaultPrivilegeInfo(r.GetString(0), Str(r, 1), r.GetChar(2), r.GetBoolean(3), Str(r, 4), Strings(r, 5), r.GetBoolean(6)), ct);

    private static async Task<DatabaseObjects> ReadDatabaseObjectsAsync(NpgsqlConnection conn, CancellationToken ct) => new()
    {
        AccessMethods = await QueryAsync(conn, $"""
            SELECT a.oid, a.amname, a.amtype, a.amhandler::regproc::text, {Comment("pg_am", "a.oid")}
            FROM pg_am a WHERE a.oid >= 16384 AND {NotMember("pg_am", "a.oid")} ORDER BY a.amname
            """, null, r => new AccessMethodInfo(r.GetFieldValue<uint>(0), r.GetString(1), r.GetChar(2), r.GetString(3), Str(r, 4)), ct),
        EventTriggers = await QueryAsync(conn, $"""
            SELECT e.oid, e.evtname, e.evtevent, coalesce(e.evttags, ARRAY[]::text[]), e.evtfoid::regproc::text, e.evtenabled,
                   pg_get_userbyid(e.evtowner), {Comment("pg_event_trigger", "e.oid")}
            FROM pg_event_trigger e WHERE {NotMember("pg_event_trigger", "e.oid")} ORDER BY e.evtname
            """, null, r => new EventTriggerInfo(r.GetFieldValue<uint>(0), r.GetString(1), r.GetString(2), Strings(r, 3), r.GetString(4), r.GetChar(5), r.GetString(6), Str(r, 7)), ct),
        Subscriptions = await ReadSubscriptionsAsync(conn, readable: true, ct),
        UnreadableSubscriptions = (await ReadSubscriptionsAsync(conn, readable: false, ct)).Select(s => s.Name).ToList(),
        Publications = await QueryAsync(conn, $$"""
            SELECT p.oid, p.pubname, p.puballtables,
                   array_remove(ARRAY[CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
                                      CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END], NULL),
                   p.pubviaroot, coalesce(rels.clauses, '{}'),
                   ARRAY(SELECT quote_ident(n.nspname) FROM pg_publication_namespace pn JOIN pg_namespace n ON n.oid = pn.pnnspid
                         WHERE pn.pnpubid = p.oid ORDER BY n.nspname),
                   pg_get_userbyid(p.pubowner), {{Comment("pg_publication", "p.oid")}}, coalesce(rels.oids, '{}')
            FROM pg_publication p
            LEFT JOIN LATERAL (
                SELECT array_agg(format('ONLY %I.%I', cn.nspname, c.relname)
                                 || coalesce(' (' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
                                                     WHERE a.attrelid = pr.prrelid AND a.attnum = ANY(pr.prattrs)) || ')', '')
                                 || coalesce(' WHERE (' || pg_get_expr(pr.prqual, pr.prrelid) || ')', '') ORDER BY cn.nspname, c.relname) AS clauses,
                       array_agg(pr.prrelid ORDER BY cn.nspname, c.relname) AS oids
                FROM pg_publication_rel pr JOIN pg_class c ON c.oid = pr.prrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
                WHERE pr.prpubid = p.oid) AS rels ON true
            ORDER BY p.pubname
            """, null, r => new PublicationInfo(r.GetFieldValue<uint>(0), r.GetString(1), r.GetBoolean(2), Strings(r, 3), r.GetBoolean(4),
                Strings(r, 5), Strings(r, 6), r.GetString(7), Str(r, 8)) { TableOids = r.GetFieldValue<uint[]>(9) }, ct),
        ForeignWrappers = await QueryAsync(conn, $"""
            SELECT w.oid, w.fdwname, {Proc("w.fdwhandler")}, {Proc("w.fdwvalidator")}, coalesce(w.fdwoptions, ARRAY[]::text[]),
                   pg_get_userbyid(w.fdwowner), {Comment("pg_foreign_data_wrapper", "w.oid")}
            FROM pg_foreign_data_wrapper w WHERE {NotMember("pg_foreign_data_wrapper", "w.oid")} ORDER BY w.fdwname
            """, null, r => new ForeignWrapperInfo(r.GetFieldValue<uint>(0), r.GetString(1), Str(r, 2), Str(r, 3), Strings(r, 4), r.GetString(5), Str(r, 6)), ct),
        ForeignServers = await ReadForeignServersAsync(conn, ct),
        // Each change as one element of parallel arrays, ordered alike (a role's name may hold any character, so the
        // fields are not joined into one text); read back into one record per change.
        LargeObjects = await QueryAsync(conn, $"""
            SELECT m.oid, pg_get_userbyid(m.lomowner), {Comment("pg_largeobject", "m.oid")},
                   ch.grants, ch.grantees, ch.privileges, ch.grantable, ch.grantors
            FROM pg_largeobject_metadata m
            LEFT JOIN LATERAL (
                SELECT array_agg(c.is_grant ORDER BY c.n) AS grants, array_agg(c.grantee ORDER BY c.n) AS grantees, array_agg(c.privilege ORDER BY c.n) AS privileges,
                       array_agg(c.grantable ORDER BY c.n) AS grantable, array_agg(c.grantor ORDER BY c.n) AS grantors
                FROM (SELECT row_number() OVER () AS n, u.* FROM (
                    SELECT false AS is_grant, pg_get_userbyid(NULLIF(d.grantee, 0)) AS grantee, d.privilege_type AS privilege, false AS grantable, NULL::text AS grantor
                    FROM aclexplode(acldefault('L', m.lomowner)) d
                    WHERE m.lomacl IS NOT NULL AND NOT EXISTS (SELECT 1 FROM aclexplode(m.lomacl) a WHERE a.grantee = d.grantee AND a.privilege_type = d.privilege_type)
                    UNION ALL
                    SELECT true, pg_get_userbyid(NULLIF(a.grantee, 0)), a.privilege_type, a.is_grantable, CASE WHEN a.grantor <> m.lomowner THEN pg_get_userbyid(a.grantor) END
                    FROM aclexplode(m.lomacl) a
                    WHERE NOT EXISTS (SELECT 1 FROM aclexplode(acldefault('L', m.lomowner)) d WHERE d.grantee = a.grantee AND d.privilege_type = a.privilege_type AND d.is_grantable = a.is_grantable)
                ) AS u) AS c) AS ch ON true
            ORDER BY m.oid
            """, null, r => new LargeObjectInfo(r.GetFieldValue<uint>(0), r.GetString(1), Str(r, 2), LargeObjectGrants(r)), ct),
        ExtensionComments = await QueryAsync(conn, $"""
            SELECT e.extname, {Comment("pg_extension", "e.oid")} FROM pg_extension e
            WHERE {Comment("pg_extension", "e.oid")} IS NOT NULL AND e.oid >= 16384 ORDER BY e.extname
            """, null, r => (r.GetString(0), r.GetString(1)), ct),
        DefaultPrivileges = await ReadDefaultPrivilegesAsync(conn, null, ct),
        Comment = (await QueryAsync(conn, "SELECT shobj_description(d.oid, 'pg_database') FROM pg_database d WHERE d.datname = current_database()",
            null, r => Str(r, 0), ct))[0],
        Owner = (await QueryAsync(conn, "SELECT pg_get_userbyid(d.datdba) FROM pg_database d WHERE d.datname = current_database()", null, r => r.GetString(0), ct))[0],
        Privileges = await QueryAsync(conn, """
            WITH d AS (SELECT datacl AS acl, acldefault('d', datdba) AS def FROM pg_database WHERE datname = current_database() AND datacl IS NOT NULL)
            SELECT is_grant, CASE WHEN grantee = 0 THEN NULL ELSE pg_get_userbyid(grantee)::text END, array_agg(privilege_type ORDER BY privilege_type), grantable
            FROM (SELECT false AS is_grant, b.grantee, b.privilege_type, false AS grantable FROM d, aclexplode(d.def) b
                  WHERE NOT EXISTS (SELECT 1 FROM aclexplode(d.acl) x WHERE x.grantee = b.grantee AND x.privilege_type = b.privilege_type)
                  UNION ALL
                  SELECT true, x.grantee, x.privilege_type, x.is_grantable FROM d, aclexplode(d.acl) x
                  WHERE NOT EXISTS (SELECT 1 FROM aclexplode(d.def) b WHERE b.grantee = x.grantee AND b.privilege_type = x.privilege_type AND b.is_grantable = x.is_grantable)) c
            GROUP BY 1, 2, 4 ORDER BY 1, 2
            """, null, r => new AclChange(default, null, r.GetBoolean(0), Str(r, 1), Strings(r, 2), r.GetBoolean(3)), ct),
        Settings = await QueryAsync(conn, """
            SELECT split_part(x.item, '=', 1), substr(x.item, strpos(x.item, '=') + 1), coalesce(p.context IN ('user', 'superuser'), true),
                   CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole)::text END
            FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
            CROSS JOIN LATERAL unnest(s.setconfig) WITH ORDINALITY AS x(item, n)
            LEFT JOIN pg_settings p ON lower(p.name) = lower(split_part(x.item, '=', 1))
            WHERE d.datname = current_database()
            ORDER BY s.setrole <> 0, pg_get_userbyid(s.setrole) COLLATE "C", x.n
            """, null, r => new DatabaseSetting(r.GetString(0), r.GetString(1), r.GetBoolean(2), Str(r, 3)), ct),
    };

    /// <summary>
    /// The current database's subscriptions: with <paramref name="readable"/>, the ones whose connection this user
    /// may read (all, for a superuser), else only the names of the others (their connection left unread).
    /// </summary>
    private static async Task<List<SubscriptionInfo>> ReadSubscriptionsAsync(NpgsqlConnection conn, bool readable, CancellationToken ct)
    {
        var canRead = (await QueryAsync(conn, "SELECT has_column_privilege('pg_subscription', 'subconninfo', 'SELECT')", null, r => r.GetBoolean(0), ct))[0];
        if (canRead != readable) return [];
        var connInfo = readable ? "s.subconninfo" : "''";
        return await QueryAsync(conn, $"""
            SELECT s.oid, s.subname, {connInfo}, s.subpublications, s.subslotname, s.subbinary, s.substream, s.subtwophasestate,
                   s.subdisableonerr, s.subsynccommit, pg_get_userbyid(s.subowner), {Comment("pg_subscription", "s.oid")}
            FROM pg_subscription s WHERE s.subdbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
            ORDER BY s.subname
            """, null, r => new SubscriptionInfo(r.GetFieldValue<uint>(0), r.GetString(1), r.GetString(2), Strings(r, 3), Str(r, 4),
                r.GetBoolean(5), r.GetBoolean(6), r.GetChar(7), r.GetBoolean(8), r.GetString(9), r.GetString(10), Str(r, 11)), ct);
    }

    /// <summary>
    /// A database's encoding, locale, connection limit and tablespace, for CREATE DATABASE on the target: the current
    /// database's, or <paramref name="database"/>'s.
    /// </summary>
    public static async Task<DatabaseProperties> ReadDatabasePropertiesAsync(NpgsqlConnection conn, CancellationToken ct, string? database = null) =>
        (await QueryAsync(conn, $"""
            SELECT pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, d.datlocprovider, d.daticulocale, d.datconnlimit,
                   NULLIF(t.spcname, 'pg_default')
            FROM pg_catalog.pg_database d JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace
            WHERE d.datname = {(database is null ? "pg_catalog.current_database()" : "ANY($1)")}
            """, database is null ? null : [database], r => new DatabaseProperties(r.GetString(0), r.GetString(1), r.GetString(2), r.GetChar(3), Str(r, 4), r.GetInt32(5), Str(r, 6)), ct))[0];

    private static async Task<List<ForeignServerInfo>> ReadForeignServersAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var mappings = (await QueryAsync(conn, """
            SELECT m.srvid, CASE WHEN m.umuser = 0 THEN NULL ELSE m.usename::text END, coalesce(m.umoptions, '{}')
            FROM pg_user_mappings m ORDER BY m.srvid, m.usename
            """, null, r => (Server: r.GetFieldValue<uint>(0), User: Str(r, 1), Options: (IReadOnlyList<string>)Strings(r, 2)), ct))
            .ToLookup(m => m.Server, m => (m.User, m.Options));
        return await QueryAsync(conn, $"""
            SELECT s.oid, s.srvname, w.fdwname, s.srvtype, s.srvversion, coalesce(s.srvoptions, ARRAY[]::text[]),
                   pg_get_userbyid(s.srvowner), {Comment("pg_foreign_server", "s.oid")}
            FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
            WHERE {NotMember("pg_foreign_server", "s.oid")} ORDER BY s.srvname
            """, null, r => new ForeignServerInfo(r.GetFieldValue<uint>(0), r.GetString(1), r.GetString(2), Str(r, 3), Str(r, 4), Strings(r, 5),
                mappings[r.GetFieldValue<uint>(0)].ToList(), r.GetString(6), Str(r, 7)), ct);
    }
}
