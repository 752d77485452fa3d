using PgClone.Core.Connections;

namespace PgClone.Core.Roles;

/// <summary>Renders the SQL that role cloning runs on the target. Every name and value goes through <see cref="Sql"/>.</summary>
internal static class RoleStatements
{
    /// <summary>Privilege keywords aclexplode can return; anything else is refused rather than pasted into SQL.</summary>
    private static readonly HashSet<string> Privileges =
        ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "EXECUTE", "USAGE", "CREATE", "CONNECT", "TEMPORARY"];

    public const string HiddenPassword = "'***'";

    /// <summary>CREATE ROLE with every attribute; returns the statement and its display form (password hidden).</summary>
    public static (string Sql, string Display) Create(RoleDefinition role, bool withPassword)
    {
        var head = $"CREATE ROLE {Sql.Ident(role.Name)} WITH {Attributes(role)}";
        if (role.ValidUntil is not null) head += $" VALID UNTIL {Sql.Literal(role.ValidUntil)}";
        return WithPassword(head, withPassword && role.PasswordHash is not null ? role.PasswordHash : null);
    }

    /// <summary>
    /// ALTER ROLE to the source's attributes. A NULL VALID UNTIL cannot be restored by ALTER ROLE, so an expiry on
    /// the target is lifted with 'infinity'; the password is set (or cleared) only when passwords are cloned. A user
    /// who is not a superuser (CREATEROLE) may not name SUPERUSER, REPLICATION or BYPASSRLS at all in PostgreSQL 15,
    /// even to say NO: the NO forms are left out for one (a role it may alter has none of them).
    /// </summary>
    public static (string Sql, string Display) Alter(RoleDefinition role, bool targetHasExpiry, bool withPassword, bool asSuperuser = true)
    {
        var head = $"ALTER ROLE {Sql.Ident(role.Name)} WITH {Attributes(role, asSuperuser)}";
        if (role.ValidUntil is not null) head += $" VALID UNTIL {Sql.Literal(role.ValidUntil)}";
        else if (targetHasExpiry) head += " VALID UNTIL 'infinity'";
        if (!withPassword) return (head, head);
        return role.PasswordHash is null ? (head + " PASSWORD NULL", head + " PASSWORD NULL") : WithPassword(head, role.PasswordHash);
    }

    private static (string, string) WithPassword(string head, string? hash) =>
        hash is null ? (head, head) : ($"{head} PASSWORD {Sql.Literal(hash)}", $"{head} PASSWORD {HiddenPassword}");

    private static string Attributes(RoleDefinition r, bool asSuperuser = true) => string.Join(' ', new[]
    {
        r.Login ? "LOGIN" : "NOLOGIN",
        r.Superuser ? "SUPERUSER" : asSuperuser ? "NOSUPERUSER" : null,
        r.CreateDb ? "CREATEDB" : "NOCREATEDB",
        r.CreateRole ? "CREATEROLE" : "NOCREATEROLE",
        r.Replication ? "REPLICATION" : asSuperuser ? "NOREPLICATION" : null,
        r.BypassRls ? "BYPASSRLS" : asSuperuser ? "NOBYPASSRLS" : null,
        r.Inherit ? "INHERIT" : "NOINHERIT",
        $"CONNECTION LIMIT {Sql.Literal(r.ConnectionLimit)}",
    }.OfType<string>());

    /// <summary>Settings whose stored value is a list of quoted items; pg_dump re-quotes them item by item the same way.</summary>
    private static readonly HashSet<string> ListSettings = new(StringComparer.OrdinalIgnoreCase)
        { "search_path", "temp_tablespaces", "session_preload_libraries", "shared_preload_libraries", "local_preload_libraries", "unix_socket_directories" };

    public static string Setting(RoleSetting setting, string targetDatabase)
    {
        var name = string.Join('.', setting.Name.Split('.').Select(Sql.Ident));
        var value = ListSettings.Contains(setting.Name)
            ? string.Join(", ", SplitList(setting.Value).Select(Sql.Literal))
            : Sql.Literal(setting.Value);
        var scope = setting.InDatabase ? $" IN DATABASE {Sql.Ident(targetDatabase)}" : "";
        return $"ALTER ROLE {Sql.Ident(setting.Role)}{scope} SET {name} TO {value}";
    }

    /// <summary>Splits a stored list setting (<c>"$user", public, "My Schema"</c>) into its unquoted items.</summary>
    internal static List<string> SplitList(string value)
    {
        var items = new List<string>();
        var i = 0;
        while (i < value.Length)
        {
            while (i < value.Length && char.IsWhiteSpace(value[i])) i++;
            var item = new System.Text.StringBuilder();
            if (i < value.Length && value[i] == '"')
            {
                for (i++; i < value.Length; i++)
                {
                    if (value[i] != '"') { item.Append(value[i]); continue; }
                    if (i + 1 < value.Length && value[i + 1] == '"') { item.Append('"'); i++; continue; }
                    i++;
                    break;
                }
            }
            else
                while (i < value.Length && value[i] != ',') item.Append(value[i++]);
            items.Add(item.ToString().TrimEnd());
            while (i < value.Length && value[i] != ',') i++;
            i++;
        }
        return items;
    }

    public static string Membership(RoleMembership m, string? grantedBy = null) =>
        $"GRANT {Sql.Ident(m.Group)} TO {Sql.Ident(m.Member)}{(m.AdminOption ? " WITH ADMIN OPTION" : "")}{(grantedBy is null ? "" : $" GRANTED BY {Sql.Ident(grantedBy)}")}";

    /// <summary>GRANT on one object; the target database's name replaces the source's for database grants.</summary>
    public static string Grant(ObjectGrant g, string targetDatabase)
    {
        var privileges = g.Kind == GrantObjectKind.Column
            ? string.Join(", ", g.Privileges.Select(p => $"{Keyword(p)} ({Sql.Ident(g.Column!)})"))
            : string.Join(", ", g.Privileges.Select(Keyword));
        var target = g.Kind switch
        {
            GrantObjectKind.Database => $"DATABASE {Sql.Ident(targetDatabase)}",
            GrantObjectKind.Schema => $"SCHEMA {Sql.Ident(g.Name)}",
            GrantObjectKind.Table or GrantObjectKind.Column => $"TABLE {Sql.Qualified(g.Schema!, g.Name)}",
            GrantObjectKind.Sequence => $"SEQUENCE {Sql.Qualified(g.Schema!, g.Name)}",
            // Identity arguments come from pg_get_function_identity_arguments under search_path = pg_catalog:
            // server-rendered type names with argument names, which PostgreSQL parses back as they are.
            GrantObjectKind.Routine => $"ROUTINE {Sql.Qualified(g.Schema!, g.Name)}({g.RoutineArguments})",
            // ON TYPE covers domains as well.
            GrantObjectKind.Type => $"TYPE {Sql.Qualified(g.Schema!, g.Name)}",
            _ => throw new ArgumentOutOfRangeException(nameof(g)),
        };
        return $"GRANT {privileges} ON {target} TO {Sql.Ident(g.Grantee)}{(g.Grantable ? " WITH GRANT OPTION" : "")}";
    }

    public static string DefaultPrivilege(DefaultPrivilegeGrant d)
    {
        var objects = d.ObjectType switch
        {
            'r' => "TABLES", 'S' => "SEQUENCES", 'f' => "FUNCTIONS", 'T' => "TYPES", 'n' => "SCHEMAS",
            _ => throw new ArgumentOutOfRangeException(nameof(d), $"unknown default ACL object type '{d.ObjectType}'"),
        };
        var scope = d.Schema is null ? "" : $" IN SCHEMA {Sql.Ident(d.Schema)}";
        var grantee = d.Grantee is null ? "PUBLIC" : Sql.Ident(d.Grantee);
        return $"ALTER DEFAULT PRIVILEGES FOR ROLE {Sql.Ident(d.Owner)}{scope} GRANT {string.Join(", ", d.Privileges.Select(Keyword))} " +
               $"ON {objects} TO {grantee}{(d.Grantable ? " WITH GRANT OPTION" : "")}";
    }

    private static string Keyword(string privilege) =>
        Privileges.Contains(privilege) ? privilege : throw new PgCloneException($"unknown privilege '{privilege}' in an ACL");
}
