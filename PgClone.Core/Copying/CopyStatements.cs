using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Copying;

/// <summary>The two COPY statements of one table (or one range of it).</summary>
public static class CopyStatements
{
    /// <summary>
    /// <c>COPY (SELECT exprs FROM ONLY source [WHERE where] [AND range]) TO STDOUT (FORMAT binary)</c>, or <c>COPY source
    /// (columns) TO ...</c> when that is the same: inheritance children and partitions are tables of their own in the plan.
    /// </summary>
    public static string CopyOut(TableData table, string? range = null)
    {
        if (!IsQuery(table, range))
            return $"COPY {table.Source.Quoted} ({string.Join(", ", table.SourceExpressions)}) TO STDOUT (FORMAT {Format(table)})";
        var conditions = Conditions(table, range);
        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        return $"COPY (SELECT {string.Join(", ", table.SourceExpressions)} FROM ONLY {table.Source.Quoted}{where}) TO STDOUT (FORMAT {Format(table)})";
    }

    /// <summary>
    /// Whether <see cref="CopyOut"/> reads through a query the server plans (a filter, a range or expressions), rather
    /// than COPYing the table itself. Plain columns of the whole table COPY the table (its own rows only, as ONLY),
    /// which locks just the table, where planning a SELECT also locks each of its indexes, for the rest of the
    /// worker's transaction; and plans nothing, as pg_dump reads it (see <see cref="PlannerWarmup"/>).
    /// </summary>
    public static bool IsQuery(TableData table, string? range) =>
        Conditions(table, range).Count > 0 || table.SourceExpressions.Count == 0 || !table.SourceExpressions.All(Sql.IsIdent);

    private static List<string> Conditions(TableData table, string? range)
    {
        var conditions = new List<string>(2);
        if (!string.IsNullOrWhiteSpace(table.Where)) conditions.Add($"({table.Where})");
        if (range is not null) conditions.Add(range);
        return conditions;
    }

    /// <summary><c>COPY target (cols) FROM STDIN (FORMAT binary[, FREEZE])</c>; no column list for a table of generated columns only (rows of no field).</summary>
    public static string CopyIn(TableData table, bool freeze) =>
        $"COPY {table.Target.Quoted}{(table.TargetColumns.Count == 0 ? "" : $" ({Sql.IdentList(table.TargetColumns)})")} FROM STDIN (FORMAT {Format(table)}{(freeze ? ", FREEZE" : "")})";

    private static string Format(TableData table) => table.TextFormat ? "text" : "binary";
}
