using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>Row-level security: the table switches and CREATE POLICY (after the data, so COPY is never filtered).</summary>
internal static class PolicyDdl
{
    public static IEnumerable<string> RowSecurity(TableInfo t, QualifiedName table)
    {
        if (t.RowSecurity) yield return $"ALTER TABLE ONLY {table.Quoted} ENABLE ROW LEVEL SECURITY";
        if (t.ForceRowSecurity) yield return $"ALTER TABLE ONLY {table.Quoted} FORCE ROW LEVEL SECURITY";
    }

    public static string Create(PolicyInfo p, QualifiedName table)
    {
        var command = p.Command switch { 'r' => "SELECT", 'a' => "INSERT", 'w' => "UPDATE", 'd' => "DELETE", _ => "ALL" };
        var roles = p.Roles.Count == 0 ? "PUBLIC" : Sql.IdentList(p.Roles);
        return $"CREATE POLICY {Sql.Ident(p.Name)} ON {table.Quoted} AS {(p.Permissive ? "PERMISSIVE" : "RESTRICTIVE")} FOR {command} TO {roles}"
            + (p.Using is null ? "" : $" USING ({p.Using})")
            + (p.WithCheck is null ? "" : $" WITH CHECK ({p.WithCheck})");
    }

    public static string? Comment(PolicyInfo p, QualifiedName table) => p.Comment is null ? null
        : $"COMMENT ON POLICY {Sql.Ident(p.Name)} ON {table.Quoted} IS {Sql.Literal(p.Comment)}";
}
