using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>Views and materialized views (created empty; REFRESH fills them after the tables are loaded).</summary>
internal static class ViewDdl
{
    /// <param name="tablespace">A materialized view's " TABLESPACE name" clause (<see cref="Tablespaces.Clause"/>), or "".</param>
    public static string Create(ViewInfo v, string tablespace = "")
    {
        var with = v.RelOptions.Count > 0 ? $" WITH ({TableDdl.RelOptions(v.RelOptions)})" : "";
        var body = v.Definition.TrimEnd().TrimEnd(';');
        return v.Materialized
            ? $"CREATE MATERIALIZED VIEW {v.Name.Quoted}{(v.AccessMethod is null ? "" : " USING " + Sql.Ident(v.AccessMethod))}{with}{tablespace} AS\n{body}\nWITH NO DATA"
            : $"CREATE VIEW {v.Name.Quoted}{with} AS\n{body}";
    }

    /// <summary>
    /// A view that relies on a constraint is first created as a placeholder with the same columns (pg_dump's dummy
    /// view), so what depends on it can be created before the data, and replaced by its definition once the key exists.
    /// </summary>
    public static string Placeholder(ViewInfo v) =>
        $"CREATE VIEW {v.Name.Quoted} AS\n SELECT {string.Join(",\n    ", v.Columns.Select(c => $"NULL::{c.Type}{TypeDdl.Collate(c.Collation)} AS {Sql.Ident(c.Name)}"))}";

    public static string Replace(ViewInfo v) => "CREATE OR REPLACE" + Create(v)["CREATE".Length..];

    /// <param name="settings">A query run first in the refresh's transaction (<see cref="DatabaseDdl.SessionSettings"/>), or null.</param>
    public static string Refresh(ViewInfo v, string? settings = null) =>
        $"{(settings is null ? "" : settings + "; ")}REFRESH MATERIALIZED VIEW {v.Name.Quoted}";

    public static IEnumerable<string> Comments(ViewInfo v)
    {
        if (v.Comment is not null) yield return $"COMMENT ON {(v.Materialized ? "MATERIALIZED VIEW" : "VIEW")} {v.Name.Quoted} IS {Sql.Literal(v.Comment)}";
        foreach (var (column, comment) in v.ColumnComments)
            yield return $"COMMENT ON COLUMN {v.Name.Quoted}.{Sql.Ident(column)} IS {Sql.Literal(comment)}";
    }
}
