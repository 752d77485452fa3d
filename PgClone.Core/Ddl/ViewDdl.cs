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
        var body = ReadableCycleMarks(v.Definition.TrimEnd().TrimEnd(';'));
        return v.Materialized
            ? $"CREATE MATERIALIZED VIEW {v.Name.Quoted}{(v.AccessMethod is null ? "" : " USING " + Sql.Ident(v.AccessMethod))}{with}{tablespace} AS\n{body}\nWITH NO DATA"
            : $"CREATE VIEW {v.Name.Quoted}{with} AS\n{body}";
    }

    /// <summary>
    /// PostgreSQL 15 prints a recursive query's <c>CYCLE ... SET mark TO 'Y'::text DEFAULT 'N'::text</c> with casts its
    /// grammar refuses there (only a constant may follow TO and DEFAULT), so such a view could not be made again (nor
    /// restored from pg_dump's output). The same values are written as typed constants (<c>text 'Y'</c>), which it reads.
    /// </summary>
    internal static string ReadableCycleMarks(string sql)
    {
        if (!sql.Contains("CYCLE", StringComparison.OrdinalIgnoreCase)) return sql;
        var tokens = SqlTokens.Read(sql);
        var edits = new List<(int Start, int End, string Text)>();
        for (var i = 1; i < tokens.Count; i++)
        {
            if (!tokens[i].IsKeyword("cycle") || tokens[i - 1].Value != ")") continue;
            var set = tokens.FindIndex(i, t => t.IsKeyword("set") || t.IsKeyword("using"));
            if (set < 0 || !tokens[set].IsKeyword("set") || set + 2 >= tokens.Count || !tokens[set + 2].IsKeyword("to")) continue;
            var @default = tokens.FindIndex(set + 3, t => t.IsKeyword("default"));
            var @using = @default < 0 ? -1 : tokens.FindIndex(@default + 1, t => t.IsKeyword("using"));
            if (@using < 0) continue;
            foreach (var (from, to) in new[] { (set + 3, @default), (@default + 1, @using) })
                if (to - from > 3 && tokens[from + 1].Value == ":" && tokens[from + 2].Value == ":" && tokens[from + 1].End == tokens[from + 2].Start)
                    edits.Add((tokens[from].Start, tokens[to - 1].End,
                        $"{sql[tokens[from + 3].Start..tokens[to - 1].End]} {sql[tokens[from].Start..tokens[from].End]}"));
        }
        for (var e = edits.Count - 1; e >= 0; e--) sql = sql[..edits[e].Start] + edits[e].Text + sql[edits[e].End..];
        return sql;
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
