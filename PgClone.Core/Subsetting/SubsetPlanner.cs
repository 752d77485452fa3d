using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Subsetting;

/// <summary>One table of a subset: the rows chosen (null: copied whole) and how the table was reached.</summary>
public sealed record SubsetTable(QualifiedName Table, long? Rows, SubsetReach Reach, QualifiedName? Via)
{
    /// <summary><c>root</c>, <c>child of "s"."t"</c>, <c>parent of "s"."t"</c>, <c>not reached</c>, <c>outside (copied whole)</c>, <c>outside (excluded)</c>.</summary>
    public string Describe() => Reach switch
    {
        SubsetReach.Root => "root",
        SubsetReach.ChildOf => $"child of {Via}",
        SubsetReach.ParentOf => $"parent of {Via}",
        SubsetReach.Unreached => "not reached",
        _ => Rows is null ? "outside (copied whole)" : "outside (excluded)",
    };
}

/// <summary>The subset of a run, per copied table (target names), in plan order.</summary>
public sealed record SubsetReport(IReadOnlyList<SubsetTable> Tables);

/// <summary>
/// Narrows a plan's table data to a referentially complete subset: computes the chosen rows on the source (inside
/// the run's snapshot) and rewrites each table's COPY filter to <c>ctid = ANY('{...}'::tid[])</c> (a TID scan: each
/// chosen row is fetched directly, whatever the table's keys). A table with more chosen rows than one COPY should
/// carry is split into several COPY ranges, which the workers load in parallel like the ranges of a big table.
/// </summary>
public static class SubsetPlanner
{
    /// <summary>Chosen rows per COPY statement: about 1.5 MB of SQL text.</summary>
    internal const int RowsPerCopy = 100_000;

    /// <param name="source">Inside the run's exported snapshot (REPEATABLE READ READ ONLY).</param>
    public static async Task<(ClonePlan Plan, SubsetReport Report)> ApplyAsync(CloneRequest request, ClonePlan plan, NpgsqlConnection source, CancellationToken ct)
    {
        var options = request.EffectiveOptions;
        var subset = options.Subset ?? throw new ArgumentException("the request has no subset option", nameof(request));
        var where = subset.Validate();
        if (options.Where is not null) throw SubsetOptions.Invalid("the where option cannot be combined with a subset; give the filter as subset.where");
        if (!options.Consistent) throw SubsetOptions.Invalid("a subset needs one snapshot for the whole run (consistent: true)");

        var graph = await ForeignKeyGraph.ReadAsync(source, request.Source, plan.Tables.Select(t => t.Source).ToList(), subset.VirtualForeignKeys, request.Schema, ct);
        var root = graph.Relation(request.Source, RelationRef.Parse(subset.Root, "root", request.Schema).Table, "subset root");
        var selection = await new SubsetSelector(source, request.Source, graph).SelectAsync(root, subset, where, ct);
        var linked = Linked(graph, root);
        var leafOf = graph.Leaves.ToDictionary(graph.LeafName);

        var tables = new List<TableData>();
        var report = new List<SubsetTable>();
        foreach (var t in plan.Tables)
        {
            if (!leafOf.TryGetValue(t.Source, out var leaf) || !linked.Contains(leaf))
            {
                var excluded = subset.Outside == SubsetOutside.Exclude;
                tables.Add(excluded ? t with { Where = "false", EstimatedBytes = 0, EstimatedRows = 0 } : t);
                report.Add(new SubsetTable(t.Target, excluded ? 0 : null, SubsetReach.Outside, null));
                continue;
            }
            var rows = selection.Rows[leaf].Order().ToList();
            var (reach, via) = selection.Reached.TryGetValue(leaf, out var r) ? r : (SubsetReach.Unreached, null);
            tables.Add(Narrowed(t, rows));
            report.Add(new SubsetTable(t.Target, rows.Count, reach, via));
        }
        return (plan with { Tables = tables.OrderByDescending(t => t.EstimatedBytes).ToList() }, new SubsetReport(report));
    }

    /// <summary>The table's COPY restricted to the chosen rows (in address order, so each range reads nearby pages).</summary>
    private static TableData Narrowed(TableData t, List<long> rows)
    {
        var bytes = t.EstimatedRows > 0 ? (long)((double)t.EstimatedBytes * rows.Count / t.EstimatedRows) : t.EstimatedBytes;
        var narrowed = t with { EstimatedRows = rows.Count, EstimatedBytes = Math.Min(bytes, t.EstimatedBytes) };
        if (rows.Count <= RowsPerCopy) return narrowed with { Where = AddressesIn(rows) };
        var ranges = rows.Chunk(RowsPerCopy).Select(AddressesIn).ToList();
        return narrowed with { Where = null, Ranges = ranges };
    }

    private static string AddressesIn(IReadOnlyCollection<long> rows) => rows.Count == 0 ? "false"
        : $"ctid = ANY ({Sql.Literal("{" + string.Join(",", rows.Select(r => "\"" + SubsetSelection.Text(r) + "\"")) + "}")}::pg_catalog.tid[])";

    /// <summary>The leaves linked to the root by foreign keys, in either direction: the rest is outside the subset.</summary>
    private static HashSet<uint> Linked(ForeignKeyGraph graph, SubsetRelation root)
    {
        var linked = new HashSet<uint>(root.Leaves);
        var queue = new Queue<uint>(linked);
        while (queue.TryDequeue(out var leaf))
            foreach (var edge in graph.ReferencingFrom(leaf).Concat(graph.ReferencedIn(leaf)))
                foreach (var other in edge.Child.Leaves.Concat(edge.Parent.Leaves))
                    if (linked.Add(other)) queue.Enqueue(other);
        return linked;
    }
}
