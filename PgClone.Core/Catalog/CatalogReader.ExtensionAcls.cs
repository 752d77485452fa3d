using Npgsql;

namespace PgClone.Core.Catalog;

public static partial class CatalogReader
{
    /// <summary>
    /// Privileges of extension members changed since CREATE EXTENSION set them: each member's ACL against its
    /// pg_init_privs entry (what the extension's script left; the built-in default when it has none), as pg_dump
    /// compares them. A clone runs CREATE EXTENSION, which sets the same initial privileges, then these changes.
    /// </summary>
    private static async Task<List<ExtensionMemberAcl>> ReadExtensionAclsAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await QueryAsync(conn, """
            WITH m AS (
                SELECT e.extname, d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
            ), objs AS (
                SELECT m.extname, CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS keyword, n.nspname::text AS nsp, c.relname::text AS name,
                       NULL::text AS args, NULL::text AS col,
                       coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)) AS acl,
                       coalesce(i.initprivs, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)) AS base
                FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_init_privs i ON i.classoid = 'pg_class'::regclass AND i.objoid = c.oid AND i.objsubid = 0
                UNION ALL
                SELECT m.extname, 'TABLE', n.nspname, c.relname, NULL, a.attname, coalesce(a.attacl, '{}'), coalesce(i.initprivs, '{}')
                FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                LEFT JOIN pg_init_privs i ON i.classoid = 'pg_class'::regclass AND i.objoid = c.oid AND i.objsubid = a.attnum
                WHERE a.attacl IS NOT NULL OR i.initprivs IS NOT NULL
                UNION ALL
                SELECT m.extname, CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), NULL,
                       coalesce(p.proacl, acldefault('f', p.proowner)), coalesce(i.initprivs, acldefault('f', p.proowner))
                FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid JOIN pg_namespace n ON n.oid = p.pronamespace
                LEFT JOIN pg_init_privs i ON i.classoid = 'pg_proc'::regclass AND i.objoid = p.oid AND i.objsubid = 0
                UNION ALL
                SELECT m.extname, 'TYPE', n.nspname, t.typname, NULL, NULL, coalesce(t.typacl, acldefault('T', t.typowner)), coalesce(i.initprivs, acldefault('T', t.typowner))
                FROM m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid JOIN pg_namespace n ON n.oid = t.typnamespace
                LEFT JOIN pg_init_privs i ON i.classoid = 'pg_type'::regclass AND i.objoid = t.oid AND i.objsubid = 0
                UNION ALL
                SELECT m.extname, 'SCHEMA', NULL, n.nspname, NULL, NULL, coalesce(n.nspacl, acldefault('n', n.nspowner)), coalesce(i.initprivs, acldefault('n', n.nspowner))
                FROM m JOIN pg_namespace n ON m.classid = 'pg_namespace'::regclass AND n.oid = m.objid
                LEFT JOIN pg_init_privs i ON i.classoid = 'pg_namespace'::regclass AND i.objoid = n.oid AND i.objsubid = 0
                UNION ALL
                SELECT m.extname, 'LANGUAGE', NULL, l.lanname, NULL, NULL, coalesce(l.lanacl, acldefault('l', l.lanowner)), coalesce(i.initprivs, acldefault('l', l.lanowner))
                FROM m JOIN pg_language l ON m.classid = 'pg_language'::regclass AND l.oid = m.objid
                LEFT JOIN pg_init_privs i ON i.classoid = 'pg_language'::regclass AND i.objoid = l.oid AND i.objsubid = 0
                UNION ALL
                SELECT m.extname, 'FOREIGN DATA WRAPPER', NULL, w.fdwname, NULL, NULL, coalesce(w.fdwacl, acldefault('F', w.fdwowner)), coalesce(i.initprivs, acldefault('F', w.fdwowner))
                FROM m JOIN pg_foreign_data_wrapper w ON m.classid = 'pg_foreign_data_wrapper'::regclass AND w.oid = m.objid
                LEFT JOIN pg_init_privs i ON i.classoid = 'pg_foreign_data_wrapper'::regclass AND i.objoid = w.oid AND i.objsubid = 0
                UNION ALL
                SELECT m.extname, 'FOREIGN SERVER', NULL, s.srvname, NULL, NULL, coalesce(s.srvacl, acldefault('S', s.srvowner)), coalesce(i.initprivs, acldefault('S', s.srvowner))
                FROM m JOIN pg_foreign_server s ON m.classid = 'pg_foreign_server'::regclass AND s.oid = m.objid
                LEFT JOIN pg_init_privs i ON i.classoid = 'pg_foreign_server'::regclass AND i.objoid = s.oid AND i.objsubid = 0
            ), changes AS (
                SELECT o.extname, o.keyword, o.nsp, o.name, o.args, o.col, false AS is_grant, b.grantee, b.privilege_type, false AS grantable, 0::bigint AS ord
                FROM objs o, aclexplode(o.base) b
                WHERE NOT EXISTS (SELECT 1 FROM aclexplode(o.acl) a WHERE a.grantee = b.grantee AND a.privilege_type = b.privilege_type)
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
}
