using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>Views and materialized views (created empty; REFRESH fills them after the tables are loaded).</summary>
internal static class ViewDdl
{
    public static string Create(ViewInfo v)
    {
        var with = v.RelOptions.Count > 0 ? $" WITH ({TableDdl.RelOptions(v.RelOptions)})" : "";
        var body = v.Definition.TrimEnd().TrimEnd(';');
        return v.Materialized
            ? $"CREATE MATERIALIZED VIEW {v.Name.Quoted}{with} AS\n{body}\nWITH NO DATA"
            : $"CREATE VIEW {v.Name.Quoted}{with} AS\n{body}";
    }

    public static string Refresh(ViewInfo v) => $"REFRESH MATERIALIZED VIEW {v.Name.Quoted}";

    public static IEnumerable<string> Comments(ViewInfo v)
    {
        if (v.Comment is not null) yield return $"COMMENT ON {(v.Materialized ? "MATERIALIZED VIEW" : "VIEW")} {v.Name.Quoted} IS {Sql.Literal(v.Comment)}";
        foreach (var (column, comment) in v.ColumnComments)
            yield return $"COMMENT ON COLUMN {v.Name.Quoted}.{Sql.Ident(column)} IS {Sql.Literal(comment)}";
    }
}
