using Npgsql;
using PgClone.Core.Verification;

namespace PgClone.Core.Roles;

/// <summary>
/// The catalog queries of role cloning: roles, memberships, object ACLs (read with aclexplode) and default
/// privileges on the source, and what exists on the target. Every read runs in a <see cref="ReadOnlySession"/>,
/// so type names in routine signatures are schema-qualified the same way on both servers.
/// </summary>
internal static class RoleCatalog
{
    private const string UserSchemas = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'";
    /// <summary>Types with their own ACL: not array types, not the row types of tables and views.</summary>
    private const string UserTypes =
        "t.typtype IN ('b', 'd', 'e', 'r', 'm', 'c') AND NOT (t.typcategory = 'A' AND t.typelem <> 0) " +
        "AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')";
    private const string SystemRole = "(r.oid = 10 OR r.rolname ~ '^pg_')";

    /// <summary>Can this session read pg_authid (password hashes)? Only superusers can.</summary>
    public static Task<bool> CanReadPasswordsAsync(ReadOnlySession s, CancellationToken ct) =>
        s.ScalarAsync<bool>("SELECT has_table_privilege('pg_catalog.pg_authid', 'SELECT')", ct);

    /// <summary>Every role in <paramref name="names"/> with a flag telling whether it is a system role.</summary>
    public static Task<List<(string Name, bool System)>> FindRolesAsync(ReadOnlySession s, IReadOnlyList<string> names, CancellationToken ct) =>
        s.QueryAsync($"SELECT r.rolname, {SystemRole} FROM pg_roles r WHERE r.rolname = ANY($1)",
            r => (r.GetString(0), r.GetBoolean(1)), ct, null, [names.ToArray()]);

    public static Task<List<RoleDefinition>> ReadRolesAsync(ReadOnlySession s, RoleCloneOptions options, CancellationToken ct)
    {
        var password = options.NoPasswords ? "NULL::text" : "(SELECT a.rolpassword FROM pg_authid a WHERE a.oid = r.oid)";
        return s.QueryAsync($"""
            SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls,
                   r.rolinherit, r.rolconnlimit, r.rolvaliduntil::text, {password}
            FROM pg_roles r
            WHERE NOT {SystemRole}
              AND ($1::text[] IS NULL OR r.rolname = ANY($1::text[]))
              AND ($2::text IS NULL OR starts_with(r.rolname, $2::text))
            ORDER BY r.rolname COLLATE "C"
            """,
            r => new RoleDefinition(r.GetString(0), r.GetBoolean(1), r.GetBoolean(2), r.GetBoolean(3), r.GetBoolean(4),
                r.GetBoolean(5), r.GetBoolean(6), r.GetBoolean(7), r.GetInt32(8), Text(r, 9), Text(r, 10)),
            ct, null, [options.Roles?.ToArray(), options.NamePrefix]);
    }

    /// <summary>Memberships where the group or the member is one of <paramref name="roles"/>.</summary>
    public static Task<List<RoleMembership>> ReadMembershipsAsync(ReadOnlySession s, string[] roles, CancellationToken ct) =>
        s.QueryAsync("""
            SELECT g.rolname, m.rolname, am.admin_option, gr.rolname
            FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
                 LEFT JOIN pg_roles gr ON gr.oid = am.grantor
            WHERE (g.rolname = ANY($1) OR m.rolname = ANY($1)) AND m.oid <> 10
            ORDER BY g.rolname COLLATE "C", m.rolname COLLATE "C"
            """, r => new RoleMembership(r.GetString(0), r.GetString(1), r.GetBoolean(2)) { Grantor = Text(r, 3) }, ct, null, [roles]);

    /// <summary>Settings of <paramref name="roles"/> for every database and for the connected one, split into name and value.</summary>
    public static Task<List<RoleSetting>> ReadSettingsAsync(ReadOnlySession s, string[] roles, CancellationToken ct) =>
        s.QueryAsync("""
            SELECT r.rolname, x.setdatabase <> 0, split_part(x.item, '=', 1), substr(x.item, strpos(x.item, '=') + 1)
            FROM (SELECT st.setrole, st.setdatabase, unnest(st.setconfig) AS item, generate_subscripts(st.setconfig, 1) AS ord
                  FROM pg_db_role_setting st
                  WHERE st.setdatabase = 0 OR st.setdatabase = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())) x
                 JOIN pg_roles r ON r.oid = x.setrole
            WHERE r.rolname = ANY($1)
            ORDER BY r.rolname COLLATE "C", x.setdatabase, x.ord
            """, r => new RoleSetting(r.GetString(0), r.GetBoolean(1), r.GetString(2), r.GetString(3)), ct, null, [roles]);

    /// <summary>Privileges granted to <paramref name="roles"/> on the connected database and its objects.</summary>
    public static async Task<List<ObjectGrant>> ReadObjectGrantsAsync(ReadOnlySession s, string[] roles, CancellationToken ct)
    {
        var rows = await s.QueryAsync($"""
            WITH sel AS (SELECT oid, rolname FROM pg_roles WHERE rolname = ANY($1)),
            acl AS (
                SELECT 0 AS ord, 'Database' AS kind, NULL::name AS nsp, d.datname AS obj, NULL::name AS col, NULL::text AS args, d.datdba AS owner, a.*
                FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) WITH ORDINALITY a WHERE d.datname = current_database()
                UNION ALL
                SELECT 1, 'Schema', NULL, n.nspname, NULL, NULL, n.nspowner, a.*
                FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) WITH ORDINALITY a WHERE {UserSchemas}
                UNION ALL
                SELECT 2, CASE WHEN c.relkind = 'S' THEN 'Sequence' ELSE 'Table' END, n.nspname, c.relname, NULL, NULL, c.relowner, a.*
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) WITH ORDINALITY a
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND {UserSchemas}
                UNION ALL
                SELECT 3, 'Column', n.nspname, c.relname, att.attname, NULL, c.relowner, a.*
                FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                     CROSS JOIN LATERAL aclexplode(att.attacl) WITH ORDINALITY a
                WHERE att.attnum > 0 AND NOT att.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {UserSchemas}
                UNION ALL
                SELECT 4, 'Routine', n.nspname, p.proname, NULL, pg_get_function_identity_arguments(p.oid), p.proowner, a.*
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace CROSS JOIN LATERAL aclexplode(p.proacl) WITH ORDINALITY a
                WHERE {UserSchemas}
                UNION ALL
                SELECT 5, 'Type', n.nspname, t.typname, NULL, NULL, t.typowner, a.*
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace CROSS JOIN LATERAL aclexplode(t.typacl) WITH ORDINALITY a
                WHERE {UserTypes} AND {UserSchemas})
            SELECT acl.kind, acl.nsp, acl.obj, acl.col, acl.args, sel.rolname, acl.privilege_type, acl.is_grantable,
                   CASE WHEN acl.grantor <> acl.owner THEN pg_get_userbyid(acl.grantor) END
            FROM acl JOIN sel ON sel.oid = acl.grantee
            -- a grant passed on comes after the one that gave its grantor the grant option (ACL order is grant order)
            ORDER BY acl.ord, acl.nsp COLLATE "C", acl.obj COLLATE "C", acl.col COLLATE "C", acl.args COLLATE "C",
                     acl.grantor <> acl.owner, CASE WHEN acl.grantor <> acl.owner THEN acl.ordinality END,
                     sel.rolname COLLATE "C", acl.is_grantable, acl.privilege_type COLLATE "C"
            """,
            r => (Grant: new ObjectGrant(Enum.Parse<GrantObjectKind>(r.GetString(0)), Text(r, 1), r.GetString(2), Text(r, 3), Text(r, 4),
                r.GetString(5), Array.Empty<string>(), r.GetBoolean(7)) { Grantor = Text(r, 8) }, Privilege: r.GetString(6)), ct, null, [roles]);
        return rows.GroupBy(x => x.Grant).Select(g => g.Key with { Privileges = g.Select(x => x.Privilege).ToList() }).ToList();
    }

    /// <summary>Default privileges set for one of <paramref name="roles"/>, or granted to one of them.</summary>
    public static async Task<List<DefaultPrivilegeGrant>> ReadDefaultPrivilegesAsync(ReadOnlySession s, string[] roles, CancellationToken ct)
    {
        var rows = await s.QueryAsync("""
            SELECT o.rolname, n.nspname, d.defaclobjtype::text, g.rolname, a.privilege_type, a.is_grantable
            FROM pg_default_acl d JOIN pg_roles o ON o.oid = d.defaclrole
                 LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
                 CROSS JOIN LATERAL aclexplode(d.defaclacl) a
                 LEFT JOIN pg_roles g ON g.oid = a.grantee
            WHERE (o.rolname = ANY($1) OR g.rolname = ANY($1)) AND a.grantee <> d.defaclrole
            ORDER BY o.rolname COLLATE "C", n.nspname COLLATE "C" NULLS FIRST, d.defaclobjtype, g.rolname COLLATE "C" NULLS FIRST,
                     a.is_grantable, a.privilege_type COLLATE "C"
            """,
            r => (Grant: new DefaultPrivilegeGrant(r.GetString(0), Text(r, 1), r.GetString(2)[0], Text(r, 3), Array.Empty<string>(), r.GetBoolean(5)),
                Privilege: r.GetString(4)), ct, null, [roles]);
        return rows.GroupBy(x => x.Grant).Select(g => g.Key with { Privileges = g.Select(x => x.Privilege).ToList() }).ToList();
    }

    /// <summary>Every role on the target, with whether it has an expiry (VALID UNTIL) set.</summary>
    public static async Task<Dictionary<string, bool>> ReadRoleExpiriesAsync(ReadOnlySession s, CancellationToken ct) =>
        (await s.QueryAsync("SELECT rolname, rolvaliduntil IS NOT NULL FROM pg_roles", r => (r.GetString(0), r.GetBoolean(1)), ct))
        .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);

    /// <summary>
    /// Keys (see <see cref="ObjectKey"/>) of every object a grant can name on the target, restricted to the schemas
    /// the source grants mention.
    /// </summary>
    public static async Task<HashSet<string>> ReadObjectKeysAsync(ReadOnlySession s, string[] schemas, CancellationToken ct) =>
        (await s.QueryAsync("""
            SELECT 'Schema', NULL, n.nspname, NULL, NULL FROM pg_namespace n WHERE n.nspname = ANY($1)
            UNION ALL
            SELECT CASE WHEN c.relkind = 'S' THEN 'Sequence' ELSE 'Table' END, n.nspname, c.relname, NULL, NULL
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname = ANY($1)
            UNION ALL
            SELECT 'Column', n.nspname, c.relname, att.attname, NULL
            FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE att.attnum > 0 AND NOT att.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY($1)
            UNION ALL
            SELECT 'Routine', n.nspname, p.proname, NULL, pg_get_function_identity_arguments(p.oid)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1)
            UNION ALL
            SELECT 'Type', n.nspname, t.typname, NULL, NULL
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = ANY($1)
            """,
            r => ObjectKey(Enum.Parse<GrantObjectKind>(r.GetString(0)), Text(r, 1), r.GetString(2), Text(r, 3), Text(r, 4)), ct, null, [schemas]))
        .ToHashSet(StringComparer.Ordinal);

    public static string ObjectKey(GrantObjectKind kind, string? schema, string name, string? column, string? args) =>
        string.Join('\u0001', kind, schema, name, column, args);

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
