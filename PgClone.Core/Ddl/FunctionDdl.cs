using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>Functions and procedures as pg_get_functiondef renders them; triggers as pg_get_triggerdef does.</summary>
internal static class FunctionDdl
{
    /// <summary>
    /// Bodies are not checked at creation (check_function_bodies = false): a SQL function may reference a table
    /// or function created later in the plan. The setting travels inside the statement, scoped to it, so it
    /// applies whichever connection runs it; and the definition runs through EXECUTE as one statement, because a
    /// client that splits statements at semicolons would cut a BEGIN ATOMIC body apart.
    /// </summary>
    public static string Create(FunctionInfo f) => "DO " + Sql.DollarQuote(
        $"BEGIN PERFORM pg_catalog.set_config('check_function_bodies', 'false', true); EXECUTE {Sql.Literal(f.Definition.TrimEnd())}; END");

    /// <summary>One statement that may hold semicolons (a rule with several actions), run whole through EXECUTE.</summary>
    public static string Whole(string sql) => "DO " + Sql.DollarQuote($"BEGIN EXECUTE {Sql.Literal(sql.TrimEnd().TrimEnd(';'))}; END");

    public static string? Comment(FunctionInfo f) => f.Comment is null ? null
        : $"COMMENT ON {(f.Kind == 'p' ? "PROCEDURE" : "FUNCTION")} {f.Signature} IS {Sql.Literal(f.Comment)}";

    public static IEnumerable<string> Trigger(TriggerInfo t, QualifiedName table, TargetNaming naming)
    {
        if (!t.OnPartition) yield return naming.Trigger(t.TableOid, t.Definition);
        var state = t.Enabled switch { 'D' => "DISABLE", 'R' => "ENABLE REPLICA", 'A' => "ENABLE ALWAYS", _ when t.OnPartition => "ENABLE", _ => null };
        if (state is not null) yield return $"ALTER TABLE {table.Quoted} {state} TRIGGER {Sql.Ident(t.Name)}";
    }

    public static string? TriggerComment(TriggerInfo t, QualifiedName table) => t.Comment is null ? null
        : $"COMMENT ON TRIGGER {Sql.Ident(t.Name)} ON {table.Quoted} IS {Sql.Literal(t.Comment)}";
}
