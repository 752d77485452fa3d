using Npgsql;

namespace PgClone.Core.Catalog;

public static partial class CatalogReader
{
    /// <summary>
    /// Privileges of extension members changed since CREATE EXTENSION set them: each member's ACL against its
    /// pg_init_privs entry (what the extension's script left; the built-in default when it has none), as pg_dump
    /// compares them. A clone runs CREATE EXTENSION, which sets the same initial privileges, then these changes.
    /// The system's own objects (pg_catalog, information_schema, built-in languages) and languages made with CREATE
    /// LANGUAGE are compared the same way against what initdb set (or the default), under the extension name ""
    /// (a database clone carries them, as pg_dump does).
    /// </summary>
    private static async Task<List<ExtensionMemberAcl>> ReadExtensionAclsAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await QueryAsync(conn, """
            WITH m AS (
                SELECT e.extname, d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                -- the system's own objects (initdb's pg_init_privs): GRANT EXECUTE ON pg_catalog.pg_ls_dir TO a monitoring role
                UNION ALL SELECT '', 'pg_namespace'::regclass, n.oid FROM pg_namespace n WHERE n.nspname IN ('pg_catalog', 'information_schema')
                UNION ALL SELECT '', 'pg_class'::regclass, c.oid FROM pg_class c
                WHERE c.relnamespace IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
                  AND (c.relacl IS NOT NULL OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attacl IS NOT NULL))
                UNION ALL SELECT '', 'pg_proc'::regclass, p.oid FROM pg_proc p
                WHERE p.pronamespace IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) AND p.proacl IS NOT NULL
                UNION ALL SELECT '', 'pg_type'::regclass, t.oid FROM pg_type t
                WHERE t.typnamespace IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) AND t.typacl IS NOT NULL
                UNION ALL SELECT '', 'pg_language'::regclass, l.oid FROM pg_language l WHERE l.lanacl IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_language'::regclass AND d.objid = l.oid AND d.deptype = 'e')
            ), o AS (
                -- each catalog's rows looked up by m's members (index scans) instead of read whole and joined: a
                -- database's pg_proc, pg_type, pg_class and pg_attribute scanned in full were most of the query's time
                SELECT 'pg_class'::regclass AS classid, c.oid, 0 AS subid, CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS keyword,
                       c.relnamespace AS nsp, c.relname::text AS name, NULL::text AS col, c.relacl AS acl,
                       acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner) AS def, c.relowner AS owner
                FROM pg_class c WHERE c.oid IN (SELECT m.objid FROM m WHERE m.classid = 'pg_class'::regclass)
                -- a column is of interest only with privileges of its own, now or initially (objs' filter, applied early:
                -- pg_attribute is the largest catalog)
                UNION ALL SELECT 'pg_class'::regclass, c.oid, a.attnum, 'TABLE', c.relnamespace, c.relname, a.attname, a.attacl, '{}'::aclitem[], c.relowner
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE a.attnum <> 0 AND NOT a.attisdropped
                  AND c.oid IN (SELECT m.objid FROM m WHERE m.classid = 'pg_class'::regclass)
                  AND (a.attacl IS NOT NULL OR EXISTS (SELECT 1 FROM pg_init_privs i WHERE i.classoid = 'pg_class'::regclass
                                                       AND i.objoid = c.oid AND i.objsubid = a.attnum))
                UNION ALL SELECT 'pg_proc'::regclass, p.oid, 0, CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.pronamespace, p.proname,
                       NULL, p.proacl, acldefault('f', p.proowner), p.proowner FROM pg_proc p
                WHERE p.oid IN (SELECT m.objid FROM m WHERE m.classid = 'pg_proc'::regclass)
                UNION ALL SELECT 'pg_type'::regclass, t.oid, 0, 'TYPE', t.typnamespace, t.typname, NULL, t.typacl, acldefault('T', t.typowner), t.typowner FROM pg_type t
                WHERE t.oid IN (SELECT m.objid FROM m WHERE m.classid = 'pg_type'::regclass)
                UNION ALL SELECT 'pg_namespace'::regclass, n.oid, 0, 'SCHEMA', NULL, n.nspname, NULL, n.nspacl, acldefault('n', n.nspowner), n.nspowner FROM pg_namespace n
                UNION ALL SELECT 'pg_language'::regclass, l.oid, 0, 'LANGUAGE', NULL, l.lanname, NULL, l.lanacl, acldefault('l', l.lanowner), l.lanowner FROM pg_language l
                UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, w.oid, 0, 'FOREIGN DATA WRAPPER', NULL, w.fdwname, NULL, w.fdwacl, acldefault('F', w.fdwowner), w.fdwowner
                FROM pg_foreign_data_wrapper w
                UNION ALL SELECT 'pg_foreign_server'::regclass, s.oid, 0, 'FOREIGN SERVER', NULL, s.srvname, NULL, s.srvacl, acldefault('S', s.srvowner), s.srvowner
                FROM pg_foreign_server s
            ), objs AS (
                -- No ACL means the built-in default (none on a column); no pg_init_privs entry, the same, but for
                -- information_schema, which initdb fills after recording pg_init_privs: its script grants PUBLIC the
                -- schema's USAGE and every relation's SELECT (a clone re-granted them, which a user who is not a
                -- superuser may not)
                -- an empty ACL (every privilege revoked) has no dimension, which aclexplode refuses: NULL explodes to nothing alike
                -- a function's arguments only for the members found (every pg_proc row's would be most of the query's time)
                SELECT m.extname, o.keyword, n.nspname::text AS nsp, o.name,
                       CASE WHEN o.classid = 'pg_proc'::regclass THEN pg_get_function_identity_arguments(o.oid) END AS args, o.col,
                       nullif(coalesce(o.acl, o.def), '{}') AS acl, nullif(coalesce(i.initprivs, o.base), '{}') AS base
                FROM m JOIN (SELECT o.*, CASE
                                 WHEN o.classid = 'pg_class'::regclass AND o.subid = 0 AND o.nsp = 'information_schema'::regnamespace
                                     THEN o.def || makeaclitem(0, o.owner, 'SELECT', false)
                                 WHEN o.classid = 'pg_namespace'::regclass AND o.name = 'information_schema'
                                     THEN o.def || makeaclitem(0, o.owner, 'USAGE', false)
                                 ELSE o.def END AS base FROM o) o ON o.classid = m.classid AND o.oid = m.objid
                LEFT JOIN pg_namespace n ON n.oid = o.nsp
                LEFT JOIN pg_init_privs i ON i.classoid = o.classid AND i.objoid = o.oid AND i.objsubid = o.subid
                WHERE (o.subid = 0 OR o.acl IS NOT NULL OR i.initprivs IS NOT NULL)
                  -- unchanged privileges give no change: not exploded (most members' are; the explosions were the
                  -- rest of the query's time)
                  AND nullif(coalesce(o.acl, o.def), '{}') IS DISTINCT FROM nullif(coalesce(i.initprivs, o.base), '{}')
            ), changes AS (
                SELECT o.extname, o.keyword, o.nsp, o.name, o.args, o.col, false AS is_grant, b.grantee, b.privilege_type, false AS grantable, 0::bigint AS ord
                FROM objs o, aclexplode(o.base) b
                -- a privilege whose grant option alone was revoked is revoked whole, then granted again without it
                WHERE NOT EXISTS (SELECT 1 FROM aclexplode(o.acl) a WHERE a.grantee = b.grantee AND a.privilege_type = b.privilege_type
                                  AND a.is_grantable >= b.is_grantable)
                UNION ALL
                SELECT o.extname, o.keyword, o.nsp, o.name, o.args, o.col, true, a.grantee, a.privilege_type, a.is_grantable, a.ord
                FROM objs o, aclexplode(o.acl) WITH ORDINALITY a(grantor, grantee, privilege_type, is_grantable, ord)
                WHERE NOT EXISTS (SELECT 1 FROM aclexplode(o.base) b WHERE b.grantee = a.grantee AND b.privilege_type = a.privilege_type AND b.is_grantable = a.is_grantable)
            )
            SELECT extname, keyword, nsp, name, args, col, is_grant, CASE WHEN grantee = 0 THEN NULL ELSE pg_get_userbyid(grantee)::text END,
                   array_agg(privilege_type ORDER BY ord, privilege_type), grantable
            FROM changes GROUP BY extname, keyword, nsp, name, args, col, is_grant, grantee, grantable
            ORDER BY extname, keyword, nsp, name, args, col NULLS FIRST, is_grant, min(ord)
            """, null, r => new ExtensionMemberAcl(r.GetString(0), r.GetString(1), Str(r, 2), r.GetString(3), Str(r, 4),
                new AclChange(default, Str(r, 5), r.GetBoolean(6), Str(r, 7), Strings(r, 8), r.GetBoolean(9))), ct);

    /// <summary>
    /// The options of the text search dictionaries extensions own (dict_int's intdict, unaccent's unaccent, ...). CREATE
    /// EXTENSION gives the target the script's options; an ALTER TEXT SEARCH DICTIONARY since, which pg_dump does not
    /// carry, changes what the dictionary returns.
    /// </summary>
    private static async Task<List<ExtensionDictionary>> ReadExtensionDictionariesAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await QueryAsync(conn, """
            SELECT e.extname, n.nspname, d.dictname, d.dictinitoption
            FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
            JOIN pg_depend x ON x.classid = 'pg_ts_dict'::regclass AND x.objid = d.oid AND x.deptype = 'e' AND x.refclassid = 'pg_extension'::regclass
            JOIN pg_extension e ON e.oid = x.refobjid
            WHERE d.dictinitoption IS NOT NULL
            ORDER BY 1, 2, 3
            """, null, r => new ExtensionDictionary(r.GetString(0), Name(r, 1), r.GetString(3)), ct);

    /// <summary>
    /// Extensions' configuration tables and sequences (pg_extension.extconfig), with each table's filter
    /// (extcondition, "WHERE ..."), its columns and size, and each sequence's value where it was read; and the other
    /// sequences of extensions, whose values pg_dump leaves at their start (postgis_topology's topology_id_seq: the
    /// next topology made on such a copy took the id of a copied one, and `verify` found the sequence differing).
    /// </summary>
    private static async Task<List<ExtensionConfig>> ReadExtensionConfigsAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await QueryAsync(conn, """
            SELECT e.extname, n.nspname, c.relname, c.relkind, coalesce(e.extcondition[x.ord], ''),
                   ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                         AND a.attgenerated = '' ORDER BY a.attnum),
                   CASE WHEN c.relkind = 'S' AND has_sequence_privilege(c.oid, 'SELECT') THEN pg_sequence_last_value(c.oid) END,
                   CASE WHEN c.relkind = 'r' THEN pg_relation_size(c.oid) ELSE 0 END, greatest(c.reltuples, 0)::bigint,
                   fk.schemas, fk.tables
            FROM pg_extension e
            CROSS JOIN LATERAL (
                SELECT u.config, u.ord FROM unnest(e.extconfig) WITH ORDINALITY AS u(config, ord)
                UNION ALL
                SELECT d.objid, NULL FROM pg_depend d
                WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e' AND d.classid = 'pg_class'::regclass
                  AND NOT d.objid = ANY (coalesce(e.extconfig, '{}')) AND EXISTS (SELECT 1 FROM pg_class s WHERE s.oid = d.objid AND s.relkind = 'S')
            ) AS x(config, ord)
            JOIN pg_class c ON c.oid = x.config JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL (
                SELECT array_agg(rn.nspname::text ORDER BY k.oid), array_agg(r.relname::text ORDER BY k.oid)
                FROM pg_constraint k JOIN pg_class r ON r.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
                WHERE k.conrelid = c.oid AND k.contype = 'f' AND k.confrelid <> c.oid
            ) AS fk(schemas, tables)
            WHERE c.relkind IN ('r', 'S')
            ORDER BY 1, 2, 3
            """, null, r => new ExtensionConfig(r.GetString(0), Name(r, 1), r.GetChar(3), ConfigFilter(r.GetString(4)), Strings(r, 5),
                r.IsDBNull(6) ? null : r.GetInt64(6), r.GetInt64(7), r.GetInt64(8))
            { References = [.. Strings(r, 9).Zip(Strings(r, 10), (schema, table) => new QualifiedName(schema, table))] }, ct);

    /// <summary>extcondition holds "WHERE condition" (pg_dump appends it to its SELECT); the copy wants the condition alone.</summary>
    private static string? ConfigFilter(string condition)
    {
        var c = condition.Trim();
        if (c.StartsWith("WHERE", StringComparison.OrdinalIgnoreCase) && (c.Length == 5 || !char.IsLetterOrDigit(c[5]) && c[5] != '_')) c = c[5..].Trim();
        return c.Length == 0 ? null : c;
    }
}
