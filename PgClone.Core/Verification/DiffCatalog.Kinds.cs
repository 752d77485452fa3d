namespace PgClone.Core.Verification;

/// <summary>
/// One category's query, or one part of it. A part is DatabaseWide when its objects belong to the database rather than
/// to a schema: a schema clone (like <c>pg_dump -n</c>) does not bring them, so a diff after one leaves them out
/// (<see cref="SchemaDiffer.DatabaseWide"/>). A mixed category has a part for each scope.
/// </summary>
internal sealed record DiffQuery(string Category, string Sql, bool DatabaseWide = false);

/// <summary>
/// The diff's queries for the object kinds beyond tables, types and functions. Those of a schema (aggregates,
/// operators, operator classes and families, text search objects, conversions, casts of its types, rules, foreign
/// tables, row security policies, extended statistics, collations, comments) and the database-wide ones (access
/// methods, foreign-data wrappers and servers with user mappings, publications, event triggers, default privileges
/// not IN SCHEMA) and the owners and privileges of all of them, which a clone of the database carries and so any
/// schema's diff reports unless told otherwise. Same contract as <see cref="DiffCatalog.Definitions"/>: (name,
/// definition) ordered by name, once <see cref="Queries"/> has put a category's parts together.
/// </summary>
internal static class DiffCatalogKinds
{
    public const string PrivilegesCategory = "privileges";
    private const string InSchema = "IN (SELECT oid FROM pg_namespace WHERE nspname = $1)";
    /// <summary>Cast c belongs to the schema of its source or target type or of its function.</summary>
    private const string CastInSchema = $"((SELECT typnamespace FROM pg_type WHERE oid = c.castsource) {InSchema} OR (SELECT typnamespace FROM pg_type WHERE oid = c.casttarget) {InSchema} " +
                                        $"OR (SELECT pronamespace FROM pg_proc WHERE oid = c.castfunc) {InSchema})";
    private const string NotMember = "NOT EXISTS (SELECT FROM pg_depend dep WHERE dep.classid = '{0}'::regclass AND dep.objid = {1} AND dep.deptype = 'e')";

    /// <summary>An ACL's items as text in a fixed order (the order of a grant's items depends on its history).</summary>
    private static string AclText(string acl) => $"coalesce((SELECT string_agg(i::text, ',' ORDER BY i::text) FROM unnest({acl}) AS i), '')";

    private static string Member(string catalog, string oid) => string.Format(System.Globalization.CultureInfo.InvariantCulture, NotMember, catalog, oid);

    /// <summary>The members pg_depend ties to an operator class or family: strategies with operators, support functions.</summary>
    private static string Members(string catalog, string oid) => $"""
        coalesce((SELECT string_agg(format('OPERATOR %s %s %s', ao.amopstrategy, ao.amopopr::regoperator, ao.amoppurpose), ', ' ORDER BY ao.amopstrategy, ao.amopopr::regoperator::text)
                  FROM pg_amop ao JOIN pg_depend d ON d.classid = 'pg_amop'::regclass AND d.objid = ao.oid
                  WHERE d.refclassid = '{catalog}'::regclass AND d.refobjid = {oid}), '')
        || ' ' || coalesce((SELECT string_agg(format('FUNCTION %s %s', ap.amprocnum, ap.amproc::regprocedure), ', ' ORDER BY ap.amprocnum, ap.amproc::regprocedure::text)
                  FROM pg_amproc ap JOIN pg_depend d ON d.classid = 'pg_amproc'::regclass AND d.objid = ap.oid
                  WHERE d.refclassid = '{catalog}'::regclass AND d.refobjid = {oid}), '')
        """;

    /// <summary>ALTER DEFAULT PRIVILEGES entries matching <paramref name="where"/> (over pg_default_acl d).</summary>
    private static string DefaultPrivileges(string where) => $"""
        SELECT 'for role ' || quote_ident(pg_get_userbyid(d.defaclrole)) || coalesce(' in schema ' || quote_ident(n.nspname), '') || ' on '
               || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' ELSE 'schemas' END,
               -- every privilege revoked (even the owner's own) leaves an empty list
               coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(d.defaclacl) AS a), '')
        FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
        WHERE {where}
        """;

    /// <summary>
    /// Owner and ACL of each of <paramref name="objects"/> (classid, objid, owner, acl, kind for acldefault or null when
    /// the kind has no ACL, columns' own grants), named as pg_identify_object names them.
    /// </summary>
    private static string PrivilegesOf(string objects) => $"""
        SELECT o.type || ' ' || o.identity,
               concat_ws(' ', 'OWNER ' || quote_ident(pg_get_userbyid(x.owner)),
                         CASE WHEN x.kind IS NOT NULL THEN 'ACL ' || {AclText("coalesce(x.acl, acldefault(x.kind, x.owner))")} END, x.columns)
        FROM ({objects}) AS x, LATERAL pg_identify_object(x.classid, x.objid, 0) AS o
        """;

    /// <summary>Each category's query, its parts in scope joined, in the order of <see cref="Parts"/>; a category with no part in scope is left out.</summary>
    public static IEnumerable<(string Category, string Sql)> Queries(bool databaseWide) =>
        Parts.Where(p => databaseWide || !p.DatabaseWide)
            .GroupBy(p => p.Category)
            .Select(g => (g.Key, $"SELECT name, def FROM ({string.Join(" UNION ALL ", g.Select(p => $"({p.Sql})"))}) AS x(name, def) ORDER BY name COLLATE \"C\""));

    private static readonly DiffQuery[] Parts =
    [
        new("aggregates", $"""
            SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
                   concat_ws(' ', 'KIND', a.aggkind, 'SFUNC', a.aggtransfn::regproc, 'STYPE', format_type(a.aggtranstype, NULL), 'INITCOND', a.agginitval,
                             'FINALFUNC', a.aggfinalfn::regproc, a.aggfinalextra, a.aggfinalmodify, 'COMBINEFUNC', a.aggcombinefn::regproc,
                             'SERIALFUNC', a.aggserialfn::regproc, 'DESERIALFUNC', a.aggdeserialfn::regproc, 'MSFUNC', a.aggmtransfn::regproc,
                             'MINVFUNC', a.aggminvtransfn::regproc, 'MSTYPE', format_type(a.aggmtranstype, NULL), 'MINITCOND', a.aggminitval,
                             'MFINALFUNC', a.aggmfinalfn::regproc, 'SORTOP', a.aggsortop::regoperator, 'PARALLEL', p.proparallel)
            FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
            WHERE p.pronamespace {InSchema} AND {Member("pg_proc", "p.oid")}
            """),
        new("operators", $"""
            SELECT o.oid::regoperator::text,
                   concat_ws(' ', 'FUNCTION', o.oprcode::regproc, 'COMMUTATOR', o.oprcom::regoperator, 'NEGATOR', o.oprnegate::regoperator,
                             'RESTRICT', o.oprrest::regproc, 'JOIN', o.oprjoin::regproc, 'HASHES', o.oprcanhash, 'MERGES', o.oprcanmerge)
            FROM pg_operator o WHERE o.oprnamespace {InSchema} AND {Member("pg_operator", "o.oid")}
              -- a shell operator (named as another's negator or commutator, that one since dropped) is not dumped, nor cloned
              AND o.oprcode <> 0
            """),
        new("operator_families", $"""
            SELECT f.opfname || ' USING ' || am.amname, {Members("pg_opfamily", "f.oid")}
            FROM pg_opfamily f JOIN pg_am am ON am.oid = f.opfmethod
            WHERE f.opfnamespace {InSchema} AND {Member("pg_opfamily", "f.oid")}
            """),
        new("operator_classes", $"""
            SELECT c.opcname || ' USING ' || am.amname,
                   concat_ws(' ', 'FOR TYPE', format_type(c.opcintype, NULL), CASE WHEN c.opcdefault THEN 'DEFAULT' END,
                             'FAMILY', (SELECT quote_ident(opfname) FROM pg_opfamily WHERE oid = c.opcfamily), 'STORAGE', format_type(c.opckeytype, NULL),
                             {Members("pg_opclass", "c.oid")})
            FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod
            WHERE c.opcnamespace {InSchema} AND {Member("pg_opclass", "c.oid")}
            """),
        new("text_search", $"""
            SELECT * FROM (
                SELECT 'parser ' || p.prsname AS name, concat_ws(' ', p.prsstart::regproc, p.prstoken::regproc, p.prsend::regproc, p.prsheadline::regproc, p.prslextype::regproc) AS def
                FROM pg_ts_parser p WHERE p.prsnamespace {InSchema} AND {Member("pg_ts_parser", "p.oid")}
                UNION ALL SELECT 'template ' || t.tmplname, concat_ws(' ', t.tmplinit::regproc, t.tmpllexize::regproc)
                FROM pg_ts_template t WHERE t.tmplnamespace {InSchema} AND {Member("pg_ts_template", "t.oid")}
                UNION ALL SELECT 'dictionary ' || d.dictname, concat_ws(' ', (SELECT tmplname FROM pg_ts_template WHERE oid = d.dicttemplate), d.dictinitoption)
                FROM pg_ts_dict d WHERE d.dictnamespace {InSchema} AND {Member("pg_ts_dict", "d.oid")}
                UNION ALL SELECT 'configuration ' || c.cfgname, concat_ws(' ', 'PARSER', (SELECT prsname FROM pg_ts_parser WHERE oid = c.cfgparser),
                    (SELECT string_agg(m.maptokentype || ':' || m.mapdict::regdictionary::text, ', ' ORDER BY m.maptokentype, m.mapseqno) FROM pg_ts_config_map m WHERE m.mapcfg = c.oid))
                FROM pg_ts_config c WHERE c.cfgnamespace {InSchema} AND {Member("pg_ts_config", "c.oid")}
            ) x
            """),
        new("conversions", $"""
            SELECT c.conname::text, concat_ws(' ', pg_encoding_to_char(c.conforencoding), pg_encoding_to_char(c.contoencoding), c.conproc::regproc, c.condefault)
            FROM pg_conversion c WHERE c.connamespace {InSchema} AND {Member("pg_conversion", "c.oid")}
            """),
        new("casts", $"""
            SELECT format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL), concat_ws(' ', c.castfunc::regprocedure, c.castmethod, c.castcontext)
            FROM pg_cast c
            WHERE c.oid >= 16384 AND {Member("pg_cast", "c.oid")}
              AND NOT EXISTS (SELECT FROM pg_depend i WHERE i.classid = 'pg_cast'::regclass AND i.objid = c.oid AND i.deptype = 'i')
              AND {CastInSchema}
            """),
        new("rules", $"""
            SELECT c.relname || '.' || r.rulename, pg_get_ruledef(r.oid) || ' ' || r.ev_enabled::text
            FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
            WHERE r.rulename <> '_RETURN' AND c.relnamespace {InSchema}
            """),
        new("foreign_tables", $"""
            SELECT c.relname::text, concat_ws(' ', 'SERVER', s.srvname, {DiffCatalog.Sorted("ft.ftoptions", ",")},
                   (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) || coalesce(' ' || {DiffCatalog.Sorted("a.attfdwoptions", ",")}, ''), ', ' ORDER BY a.attnum)
                    FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))
            FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid JOIN pg_foreign_server s ON s.oid = ft.ftserver
            WHERE c.relnamespace {InSchema}
            """),
        new("policies", $"""
            SELECT c.relname || '.' || p.polname,
                   concat_ws(' ', CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                       'FOR ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                       'TO ' || (SELECT string_agg(n, ', ' ORDER BY n COLLATE "C") FROM unnest(p.polroles) AS r, LATERAL (SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END AS n) x),
                       'USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', 'WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')')
            FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace {InSchema}
            """),
        new("statistics", $"""
            SELECT s.stxname::text, pg_get_statisticsobjdef(s.oid) || coalesce(' STATISTICS ' || nullif(s.stxstattarget, -1), '')
            FROM pg_statistic_ext s WHERE s.stxnamespace {InSchema} AND {Member("pg_statistic_ext", "s.oid")}
            """),
        new("collations", $"""
            SELECT c.collname::text, concat_ws(' ', 'PROVIDER', c.collprovider, 'LC_COLLATE', c.collcollate, 'LC_CTYPE', c.collctype,
                   'ICU_LOCALE', c.colliculocale, CASE WHEN NOT c.collisdeterministic THEN 'NONDETERMINISTIC' END)
            FROM pg_collation c WHERE c.collnamespace {InSchema} AND {Member("pg_collation", "c.oid")}
            """),
        // Comments on the schema's objects and their columns, named as pg_identify_object names them; not on an
        // extension's members, left out here as in every category (the clone, like pg_dump, does not carry them). Rules,
        // triggers and policies have no schema of their own (pg_identify_object's is null): their table's is theirs;
        // a cast's is that of its types or function, as in the casts category.
        new("comments", $"""
            SELECT o.type || ' ' || o.identity, d.description
            FROM pg_description d, LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) AS o
            WHERE d.objoid >= 16384
              AND NOT EXISTS (SELECT FROM pg_depend dep WHERE dep.classid = d.classoid AND dep.objid = d.objoid AND dep.deptype = 'e')
              AND CASE d.classoid
                  WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.oid = d.objoid) {InSchema}
                  WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE g.oid = d.objoid) {InSchema}
                  WHEN 'pg_policy'::regclass THEN (SELECT c.relnamespace FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE p.oid = d.objoid) {InSchema}
                  WHEN 'pg_cast'::regclass THEN EXISTS (SELECT FROM pg_cast c WHERE c.oid = d.objoid AND {CastInSchema})
                  ELSE o.schema = quote_ident($1) END
            """),
        new("access_methods", DatabaseWide: true, Sql: $"""
            SELECT a.amname::text, a.amtype::text || ' ' || a.amhandler::regproc::text FROM pg_am a
            WHERE a.oid >= 16384 AND {Member("pg_am", "a.oid")} AND $1 IS NOT NULL
            """),
        new("foreign_servers", DatabaseWide: true, Sql: $"""
            SELECT * FROM (
                SELECT 'wrapper ' || w.fdwname AS name, concat_ws(' ', w.fdwhandler::regproc, w.fdwvalidator::regproc, {DiffCatalog.Sorted("w.fdwoptions", ",")}) AS def
                FROM pg_foreign_data_wrapper w WHERE {Member("pg_foreign_data_wrapper", "w.oid")} AND $1 IS NOT NULL
                UNION ALL SELECT 'server ' || s.srvname, concat_ws(' ', (SELECT fdwname FROM pg_foreign_data_wrapper WHERE oid = s.srvfdw), s.srvtype, s.srvversion,
                    {DiffCatalog.Sorted("s.srvoptions", ",")})
                FROM pg_foreign_server s WHERE {Member("pg_foreign_server", "s.oid")}
                UNION ALL SELECT 'user mapping ' || m.usename || ' server ' || m.srvname, coalesce({DiffCatalog.Sorted("m.umoptions", ",")}, '')
                FROM pg_user_mappings m
            ) x
            """),
        new("publications", DatabaseWide: true, Sql: """
            SELECT p.pubname::text, concat_ws(' ', p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot,
                   (SELECT string_agg(pr.prrelid::regclass::text || coalesce(' (' || pr.prattrs::text || ')', '') || coalesce(' WHERE ' || pg_get_expr(pr.prqual, pr.prrelid), ''), ', ' ORDER BY pr.prrelid::regclass::text)
                    FROM pg_publication_rel pr WHERE pr.prpubid = p.oid),
                   (SELECT string_agg(n.nspname, ', ' ORDER BY n.nspname) FROM pg_publication_namespace pn JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = p.oid))
            FROM pg_publication p WHERE $1 IS NOT NULL
            """),
        // ALTER DEFAULT PRIVILEGES, each role's grants per object kind: those IN SCHEMA, then the database-wide ones.
        new("default_privileges", DefaultPrivileges($"d.defaclnamespace {InSchema}")),
        new("default_privileges", DefaultPrivileges("d.defaclnamespace = 0 AND $1 IS NOT NULL"), DatabaseWide: true),
        new("event_triggers", DatabaseWide: true, Sql: $"""
            SELECT e.evtname::text, concat_ws(' ', e.evtevent, e.evttags::text, e.evtfoid::regproc, e.evtenabled)
            FROM pg_event_trigger e WHERE {Member("pg_event_trigger", "e.oid")} AND $1 IS NOT NULL
            """),
        // Owners and privileges of the schema and its objects (a table's with its columns' own grants), then of the
        // database-wide kinds and large objects, as pg_dump -s states them: an ACL equal to its kind's built-in default
        // (granted, then revoked) is the default. Objects on one side only are their own category's report (SchemaDiffer
        // keeps the modified ones here). Extension members are left out, as in every category (their owner is whoever
        // created the extension there).
        new(PrivilegesCategory, PrivilegesOf($"""
            SELECT 'pg_namespace'::regclass AS classid, n.oid AS objid, n.nspowner AS owner, n.nspacl AS acl, 'n'::"char" AS kind, NULL AS columns
            FROM pg_namespace n WHERE n.nspname = $1
            UNION ALL SELECT 'pg_class'::regclass, c.oid, c.relowner, c.relacl, CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char",
                   (SELECT 'COLUMNS (' || string_agg(quote_ident(a.attname) || ' ' || {AclText("a.attacl")}, ', ' ORDER BY a.attnum) || ')'
                    FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped AND cardinality(a.attacl) > 0)
            FROM pg_class c WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relnamespace {InSchema} AND {Member("pg_class", "c.oid")}
            UNION ALL SELECT 'pg_proc'::regclass, p.oid, p.proowner, p.proacl, 'f'::"char", NULL
            FROM pg_proc p WHERE p.pronamespace {InSchema} AND {Member("pg_proc", "p.oid")}
              AND NOT EXISTS (SELECT FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')
            -- not array, multirange or relation row types: they follow their type or relation
            UNION ALL SELECT 'pg_type'::regclass, t.oid, t.typowner, t.typacl, 'T'::"char", NULL
            FROM pg_type t WHERE t.typnamespace {InSchema} AND {Member("pg_type", "t.oid")} AND t.typtype <> 'm'
              AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)
              AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
            UNION ALL SELECT 'pg_collation'::regclass, c.oid, c.collowner, NULL, NULL, NULL FROM pg_collation c WHERE c.collnamespace {InSchema} AND {Member("pg_collation", "c.oid")}
            UNION ALL SELECT 'pg_conversion'::regclass, c.oid, c.conowner, NULL, NULL, NULL FROM pg_conversion c WHERE c.connamespace {InSchema} AND {Member("pg_conversion", "c.oid")}
            UNION ALL SELECT 'pg_operator'::regclass, o.oid, o.oprowner, NULL, NULL, NULL FROM pg_operator o WHERE o.oprnamespace {InSchema} AND {Member("pg_operator", "o.oid")}
            UNION ALL SELECT 'pg_opclass'::regclass, c.oid, c.opcowner, NULL, NULL, NULL FROM pg_opclass c WHERE c.opcnamespace {InSchema} AND {Member("pg_opclass", "c.oid")}
            UNION ALL SELECT 'pg_opfamily'::regclass, f.oid, f.opfowner, NULL, NULL, NULL FROM pg_opfamily f WHERE f.opfnamespace {InSchema} AND {Member("pg_opfamily", "f.oid")}
            UNION ALL SELECT 'pg_ts_dict'::regclass, d.oid, d.dictowner, NULL, NULL, NULL FROM pg_ts_dict d WHERE d.dictnamespace {InSchema} AND {Member("pg_ts_dict", "d.oid")}
            UNION ALL SELECT 'pg_ts_config'::regclass, c.oid, c.cfgowner, NULL, NULL, NULL FROM pg_ts_config c WHERE c.cfgnamespace {InSchema} AND {Member("pg_ts_config", "c.oid")}
            UNION ALL SELECT 'pg_statistic_ext'::regclass, s.oid, s.stxowner, NULL, NULL, NULL FROM pg_statistic_ext s WHERE s.stxnamespace {InSchema} AND {Member("pg_statistic_ext", "s.oid")}
            """)),
        new(PrivilegesCategory, DatabaseWide: true, Sql: PrivilegesOf($"""
            SELECT 'pg_foreign_data_wrapper'::regclass AS classid, w.oid AS objid, w.fdwowner AS owner, w.fdwacl AS acl, 'F'::"char" AS kind, NULL AS columns
            FROM pg_foreign_data_wrapper w WHERE {Member("pg_foreign_data_wrapper", "w.oid")} AND $1 IS NOT NULL
            UNION ALL SELECT 'pg_foreign_server'::regclass, s.oid, s.srvowner, s.srvacl, 'S'::"char", NULL FROM pg_foreign_server s WHERE {Member("pg_foreign_server", "s.oid")} AND $1 IS NOT NULL
            UNION ALL SELECT 'pg_publication'::regclass, p.oid, p.pubowner, NULL, NULL, NULL FROM pg_publication p WHERE $1 IS NOT NULL
            UNION ALL SELECT 'pg_event_trigger'::regclass, e.oid, e.evtowner, NULL, NULL, NULL FROM pg_event_trigger e WHERE {Member("pg_event_trigger", "e.oid")} AND $1 IS NOT NULL
            UNION ALL SELECT 'pg_largeobject'::regclass, l.oid, l.lomowner, l.lomacl, 'L'::"char", NULL FROM pg_largeobject_metadata l WHERE $1 IS NOT NULL
            """)),
    ];
}
