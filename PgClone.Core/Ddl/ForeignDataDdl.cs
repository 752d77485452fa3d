using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>Foreign-data wrappers, servers with their user mappings, and the OPTIONS lists they and foreign tables carry.</summary>
internal static class ForeignDataDdl
{
    /// <summary>" OPTIONS (name 'value', ...)" from "name=value" entries; empty for none.</summary>
    public static string Options(IReadOnlyList<string> options) => options.Count == 0 ? "" :
        " OPTIONS (" + string.Join(", ", options.Select(o =>
        {
            var eq = o.IndexOf('=');
            return $"{Sql.Ident(o[..eq])} {Sql.Literal(o[(eq + 1)..])}";
        })) + ")";

    public static KindObject Render(ForeignWrapperInfo w)
    {
        var name = Sql.Ident(w.Name);
        var sql = $"CREATE FOREIGN DATA WRAPPER {name}{(w.Handler is null ? "" : " HANDLER " + w.Handler)}{(w.Validator is null ? "" : " VALIDATOR " + w.Validator)}{Options(w.Options)}";
        return new KindObject(new ObjectKey('W', w.Oid), "foreign data wrapper", name, DumpSection.PreData, [sql])
        {
            Comment = w.Comment is null ? null : $"COMMENT ON FOREIGN DATA WRAPPER {name} IS {Sql.Literal(w.Comment)}",
            Owner = w.Owner, OwnerTarget = $"FOREIGN DATA WRAPPER {name}",
        };
    }

    /// <summary>The server and its user mappings for the roles the target has (the others are reported as skipped).</summary>
    public static KindObject Render(ForeignServerInfo s, Func<string, bool> roleExists, List<string> skipped)
    {
        var name = Sql.Ident(s.Name);
        var create = new List<string>
        {
            $"CREATE SERVER {name}{(s.Type is null ? "" : " TYPE " + Sql.Literal(s.Type))}{(s.Version is null ? "" : " VERSION " + Sql.Literal(s.Version))} FOREIGN DATA WRAPPER {Sql.Ident(s.Wrapper)}{Options(s.Options)}",
        };
        foreach (var (user, options) in s.UserMappings)
        {
            if (user is not null && !roleExists(user)) { skipped.Add($"user mapping for {Sql.Ident(user)} on server {name}: role not on the target"); continue; }
            create.Add($"CREATE USER MAPPING FOR {(user is null ? "PUBLIC" : Sql.Ident(user))} SERVER {name}{Options(options)}");
        }
        return new KindObject(new ObjectKey('S', s.Oid), "server", name, DumpSection.PreData, create)
        {
            Comment = s.Comment is null ? null : $"COMMENT ON SERVER {name} IS {Sql.Literal(s.Comment)}",
            Owner = s.Owner, OwnerTarget = $"SERVER {name}",
        };
    }
}
