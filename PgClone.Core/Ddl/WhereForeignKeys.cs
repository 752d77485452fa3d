using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// Refuses a where filter that keeps a row whose foreign key references a row the filter leaves out (an employee kept,
/// their manager not): the key, added on the target once the rows are in, would fail the run after it wrote them.
/// Each such key (<see cref="ClonePlan.FilteredForeignKeys"/>) is one read-only anti-join on the source, in the run's
/// snapshot, with the filter run as the copy runs it (<c>FROM ONLY table WHERE (filter)</c>, on the user's search_path):
/// it counts the kept rows with their key set whose referenced columns no kept row holds (with the key's own equality
/// operators) and gives the first of them by key.
/// </summary>
public static class WhereForeignKeys
{
    /// <param name="source">a source session inside the run's snapshot (its coordinator)</param>
    /// <param name="warmup">readies <paramref name="source"/> to plan reads of the source's tables</param>
    public static async Task CheckAsync(NpgsqlConnection source, ServerEndpoint server, PlannerWarmup warmup, ClonePlan plan, CancellationToken ct)
    {
        foreach (var key in plan.FilteredForeignKeys)
        {
            var table = $"table {key.Table.Quoted}";
            var first = await warmup.ReadAsync(source, server, null, () => ReadQuery.RowsAsync(source, server, table, Query(key),
                r => (Count: r.GetInt64(0), Values: Enumerable.Range(1, key.Columns.Count).Select(i => r.IsDBNull(i) ? "null" : r.GetString(i)).ToList()), ct), ct, userNames: true);
            if (first is not [var (count, values)]) continue;
            var columns = string.Join(", ", key.Columns);
            var of = key.Referenced == key.Table ? "" : $" of {key.Referenced.Quoted}";
            var example = key.ShowsKey ? $" (for example ({columns})=({string.Join(", ", values)}))" : "";
            throw PgCloneException.For(server, table,
                $"the where filter keeps {Words.Count(count, "row")} whose foreign key {Sql.Ident(key.Name)} ({columns}) references rows{of} it leaves out{example}; " +
                "widen the filter, or clone with subset, which follows foreign keys");
        }
    }

    /// <summary>
    /// The kept rows whose key finds no kept row: their count and the first of them by key, its columns as text. Each
    /// side reads its table as the copy does, so the filter's names resolve against that table alone.
    /// </summary>
    private static string Query(FilteredForeignKey key)
    {
        var from = Rows(key.Table, key.Partitioned, key.Columns, key.Where);
        var to = Rows(key.Referenced, key.ReferencedPartitioned, key.ReferencedColumns, key.Where);
        var r = key.Columns.Select(c => "r." + Sql.Ident(c)).ToList();
        var set = string.Join(key.MatchFull ? " OR " : " AND ", r.Select(c => $"{c} IS NOT NULL"));
        var equal = string.Join(" AND ", key.ReferencedColumns.Select((c, i) => $"p.{Sql.Ident(c)} {key.EqualityOperators[i]} {r[i]}"));
        return $"SELECT pg_catalog.count(*) OVER (), {string.Join(", ", r.Select(c => $"{c}::pg_catalog.text"))} FROM ({from}) r " +
               $"WHERE ({set}) AND NOT EXISTS (SELECT FROM ({to}) p WHERE {equal}) ORDER BY {string.Join(", ", r)} LIMIT 1";
    }

    /// <summary>The rows of a table the copy reads: a partitioned table's are its partitions', each read ONLY.</summary>
    private static string Rows(Catalog.QualifiedName table, bool partitioned, IReadOnlyList<string> columns, string where) =>
        $"SELECT {Sql.IdentList(columns)} FROM {(partitioned ? "" : "ONLY ")}{table.Quoted} WHERE ({where})";
}
