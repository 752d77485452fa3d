using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>What a database clone sets on the database itself: CREATE DATABASE options, settings, default privileges, comment, owner, grants.</summary>
internal static class DatabaseDdl
{
    /// <summary>Settings whose value is a list: each element is its own literal (a single literal would become one element).</summary>
    private static readonly HashSet<string> ListSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "search_path", "temp_tablespaces", "session_preload_libraries", "local_preload_libraries", "shared_preload_libraries",
    };

    /// <summary>CREATE DATABASE from template0 with the source's encoding, locale provider, locales and connection limit.</summary>
    public static string Create(string name, DatabaseProperties p)
    {
        var sql = $"CREATE DATABASE {Sql.Ident(name)} TEMPLATE template0 ENCODING {Sql.Literal(p.Encoding)} " +
                  $"LOCALE_PROVIDER {Provider(p.LocaleProvider)} LC_COLLATE {Sql.Literal(p.Collate)} LC_CTYPE {Sql.Literal(p.Ctype)}";
        if (p.IcuLocale is not null) sql += $" ICU_LOCALE {Sql.Literal(p.IcuLocale)}";
        if (p.ConnectionLimit != -1) sql += $" CONNECTION LIMIT {Sql.Literal(p.ConnectionLimit)}";
        if (p.Tablespace is not null) sql += $" TABLESPACE {Sql.Ident(p.Tablespace)}";
        return sql;
    }

    /// <summary>
    /// What an existing database that database-create clones into keeps of its own where the source's differs: its
    /// encoding and locale, fixed when a database is created. Text then sorts and compares by the target's rules, and
    /// a character its encoding lacks fails the copy. Null when they agree.
    /// </summary>
    public static string? KeptLocale(string name, DatabaseProperties target, DatabaseProperties source) =>
        LocaleDifferences(target, source) is { } differences
            ? $"database {Sql.Ident(name)} already existed and keeps its own {differences}: text sorts and compares by " +
              "its rules, not the source's; drop it first, or give another target_name, for a database created like the source's"
            : null;

    /// <summary>
    /// What a database clone into an existing database says of it where its encoding or locale differ from the source's:
    /// the copy's text sorts and compares by the target's rules (an index's order, a unique key's equality). Null when they agree.
    /// </summary>
    public static string? TargetLocale(string name, DatabaseProperties target, DatabaseProperties source) =>
        LocaleDifferences(target, source) is { } differences
            ? $"database {Sql.Ident(name)} has its own {differences}: text sorts and compares by its rules, not the source's; " +
              "database-create makes a database like the source's"
            : null;

    /// <summary>The encoding and locale settings of <paramref name="target"/> that differ from <paramref name="source"/>'s, each with the source's; null when none do.</summary>
    private static string? LocaleDifferences(DatabaseProperties target, DatabaseProperties source)
    {
        var differences = new List<string>();
        void Compare(string what, string? kept, string? wanted)
        {
            if (kept != wanted) differences.Add($"{what} {kept ?? "none"} (source: {wanted ?? "none"})");
        }
        Compare("encoding", target.Encoding, source.Encoding);
        Compare("locale provider", Provider(target.LocaleProvider), Provider(source.LocaleProvider));
        Compare("LC_COLLATE", target.Collate, source.Collate);
        Compare("LC_CTYPE", target.Ctype, source.Ctype);
        Compare("ICU locale", target.IcuLocale, source.IcuLocale);
        return differences.Count == 0 ? null : string.Join(", ", differences);
    }

    private static string Provider(char provider) => provider == 'i' ? "icu" : "libc";

    /// <summary>
    /// ALTER DATABASE ... SET for each setting of the source database, and ALTER ROLE ... IN DATABASE ... SET for each
    /// role's (as pg_dump --create restores them); a role missing on the target, or a setting the cloning user may
    /// not store (<see cref="TargetState.CannotSet"/>), has it listed instead.
    /// </summary>
    public static IEnumerable<string> Settings(string database, IEnumerable<DatabaseSetting> settings, Func<string, bool> roleExists,
        Func<string?, string, string?> cannotSet, List<string> skipped)
    {
        foreach (var s in settings)
        {
            var what = s.Role is null ? $"setting {s.Name} of database {Sql.Ident(database)}" : $"setting {s.Name} of role {Sql.Ident(s.Role)} in database {Sql.Ident(database)}";
            if (s.Role is not null && !roleExists(s.Role))
            {
                skipped.Add($"{what}: role {Sql.Ident(s.Role)} is not on the target");
                continue;
            }
            if (cannotSet(s.Role, s.Name) is { } reason)
            {
                skipped.Add($"{what}: {reason}");
                continue;
            }
            var values = ListSettings.Contains(s.Name) ? SplitList(s.Value) : [s.Value];
            var scope = s.Role is null ? $"ALTER DATABASE {Sql.Ident(database)}" : $"ALTER ROLE {Sql.Ident(s.Role)} IN DATABASE {Sql.Ident(database)}";
            yield return $"{scope} SET {Sql.Ident(s.Name)} TO {string.Join(", ", values.Select(Sql.Literal))}";
        }
    }

    /// <summary>
    /// Settings that govern a session's own work rather than what its queries return. A new session of the database
    /// gets them too, but the clone's sessions must not (a database's statement_timeout or default_transaction_read_only
    /// would stop the clone), as pg_dump's script overrides them after it connects.
    /// </summary>
    private static readonly HashSet<string> SessionControl = new(StringComparer.OrdinalIgnoreCase)
    {
        "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "idle_session_timeout", "transaction_timeout",
        "default_transaction_read_only", "default_transaction_isolation", "default_transaction_deferrable",
        "session_replication_role", "role", "session_authorization", "synchronous_commit",
    };

    /// <summary>
    /// A query that gives the current transaction what a new session of the database gets from its settings (its raw
    /// values, as the server applies them at connection start), or null when there are none. A query that depends on
    /// them (a materialized view reading current_setting, or a time zone, a text search configuration, a search_path
    /// its functions resolve names in) then computes on the clone what it computes on the source; a restore of
    /// pg_dump --create's output does the same by reconnecting once the settings are in place.
    /// </summary>
    public static string? SessionSettings(IEnumerable<DatabaseSetting> settings)
    {
        var set = settings.Where(s => s.Role is null && s.SessionSettable && !SessionControl.Contains(s.Name))
            .Select(s => $"pg_catalog.set_config({Sql.Literal(s.Name)}, {Sql.Literal(s.Value)}, true)").ToList();
        return set.Count == 0 ? null : $"SELECT {string.Join(", ", set)}";
    }

    /// <summary>A list setting's elements: comma-separated, each possibly double-quoted (as PostgreSQL prints them).</summary>
    private static List<string> SplitList(string value)
    {
        var items = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '"' && quoted && i + 1 < value.Length && value[i + 1] == '"') { current.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { items.Add(current.ToString().Trim()); current.Clear(); }
            else current.Append(c);
        }
        items.Add(current.ToString().Trim());
        return items;
    }

    /// <param name="cannotActAs">Why the cloning user cannot set a role's default privileges (FOR ROLE needs its membership).</param>
    public static IEnumerable<string> DefaultPrivileges(IEnumerable<DefaultPrivilegeInfo> entries, Func<string, bool> roleExists, Func<string, string?> cannotActAs,
        List<string> skipped)
    {
        foreach (var d in entries)
        {
            if (cannotActAs(d.Role) is { } gap) { skipped.Add($"default privileges of role {Sql.Ident(d.Role)}: role {Sql.Ident(d.Role)} {gap}"); continue; }
            if (d.Grantee is not null && !roleExists(d.Grantee))
            {
                skipped.Add($"default privileges of role {Sql.Ident(d.Role)}: role {Sql.Ident(d.Grantee)} is not on the target");
                continue;
            }
            var on = d.ObjectType switch { 'r' => "TABLES", 'S' => "SEQUENCES", 'f' => "FUNCTIONS", 'T' => "TYPES", _ => "SCHEMAS" };
            var grantee = d.Grantee is null ? "PUBLIC" : Sql.Ident(d.Grantee);
            var scope = $"ALTER DEFAULT PRIVILEGES FOR ROLE {Sql.Ident(d.Role)}{(d.Schema is null ? "" : " IN SCHEMA " + Sql.Ident(d.Schema))}";
            yield return d.Grant
                ? $"{scope} GRANT {string.Join(", ", d.Privileges)} ON {on} TO {grantee}{(d.Grantable ? " WITH GRANT OPTION" : "")}"
                : $"{scope} REVOKE {string.Join(", ", d.Privileges)} ON {on} FROM {grantee}";
        }
    }

    /// <summary>The database's comment, owner and privileges (database-create: the clone is a database of its own).</summary>
    public static IEnumerable<string> Identity(string database, DatabaseObjects source, string currentUser, Func<string, bool> roleExists,
        Func<string, string?> cannotOwn, List<string> skipped)
    {
        var name = Sql.Ident(database);
        if (source.Comment is not null) yield return $"COMMENT ON DATABASE {name} IS {Sql.Literal(source.Comment)}";
        if (source.Owner.Length > 0 && source.Owner != currentUser)
        {
            if (cannotOwn(source.Owner) is not { } gap) yield return $"ALTER DATABASE {name} OWNER TO {Sql.Ident(source.Owner)}";
            else skipped.Add($"database {name}: owner role {Sql.Ident(source.Owner)} {gap}");
        }
        foreach (var c in source.Privileges)
        {
            if (c.Grantee is not null && !roleExists(c.Grantee)) { skipped.Add($"database {name}: role {Sql.Ident(c.Grantee)} is not on the target"); continue; }
            var grantee = c.Grantee is null ? "PUBLIC" : Sql.Ident(c.Grantee);
            yield return c.Grant
                ? $"GRANT {string.Join(", ", c.Privileges)} ON DATABASE {name} TO {grantee}{(c.Grantable ? " WITH GRANT OPTION" : "")}"
                : $"REVOKE {string.Join(", ", c.Privileges)} ON DATABASE {name} FROM {grantee}";
        }
    }
}
