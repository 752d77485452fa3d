using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;

namespace PgClone.Core.Ddl;

internal sealed partial class PlanAssembler
{
    private static readonly HashSet<uint> IntegerTypes = [20, 21, 23];

    /// <summary>
    /// One COPY per table that holds rows itself: plain tables and leaf partitions (a partitioned parent holds
    /// none). Generated columns are computed by the target, so they are not copied; a table with only generated
    /// columns still has its rows copied, as rows of no column. Each copied column is read through the masker's
    /// expression when it has one.
    /// </summary>
    private IEnumerable<TableData> Data(IColumnMasker? masker)
    {
        if (!_options.IncludeData) yield break;
        var configs = catalog.ExtensionConfigs.Where(c => c.Kind == 'r' && CreatesExtension(c.Extension)).ToList();
        // The user's rows of extensions' configuration tables go in first: an extension's type, domain or function
        // may read them as a table's rows load (pointcloud's pcpoint input looks its format up in pointcloud_formats;
        // pg_dump | psql fails there whenever the user's table sorts first).
        var afterConfigs = configs.Select(c => c.Name).ToList();
        foreach (var t in Tables.Where(t => t.Kind == 'r' && !UnreadOnStandby(t)))
        {
            var columns = ColumnsOf(t).Where(c => c.Generated == '\0').ToList();
            var constraints = catalog.ConstraintsOf(t.Oid).ToList();
            var uniqueIndexes = catalog.IndexesOf(t.Oid).Where(i => i.Unique && i.ConstraintOid == 0).ToList();
            bool In(ColumnInfo col, params char[] types) => constraints.Any(c => types.Contains(c.Type) && c.Columns.Contains(col.Number));
            bool InUnique(ColumnInfo col) => In(col, 'u') || uniqueIndexes.Any(i => i.Columns.Contains(col.Number));
            foreach (var computed in ColumnsOf(t).Where(c => c.Generated != '\0'))
                masker?.ComputedOnTarget(new MaskColumn(t.Name, computed.Name, computed.Type, false, false, false) { InheritedFrom = InheritedFrom(t, computed.Name) });
            // In text, a reg* value is the name of what it names, which the target resolves as the row lands. A
            // table in text has its masks computed by the source (the same values the stream's would be).
            var text = columns.Any(c => c.NoBinaryForm || c.ByName);
            var reads = columns.Select(c => new MaskColumn(t.Name, c.Name, c.Type, In(c, 'p'), InUnique(c), In(c, 'f')) { InheritedFrom = InheritedFrom(t, c.Name), FoldsCase = c.FoldsCase })
                .Select(c => text ? masker?.ExpressionFor(c) is { } sql ? new ColumnRead(sql, null) : null : masker?.ReadFor(c)).ToList();
            var expressions = reads.Select((r, i) => r?.ReadAs ?? Sql.Ident(columns[i].Name)).ToList();
            var streamMasks = reads.Select((r, i) => r?.Stream is { } s ? s with { Field = i } : null).OfType<StreamMask>().ToList();
            var pk = constraints.FirstOrDefault(c => c.Type == 'p');
            var key = pk is { Columns.Count: 1 } ? columns.FirstOrDefault(c => c.Number == pk.Columns[0] && IntegerTypes.Contains(c.TypeOid)) : null;
            yield return new TableData(t.Name, naming.Table(t), columns.Select(c => c.Name).ToList(), expressions, where, t.Bytes, t.Rows)
            {
                CreatedInRun = true,
                IntegerKeyColumn = key?.Name,
                StreamMasks = streamMasks,
                TextFormat = text,
                Analyze = !ForeignAncestors.Contains(t.Oid),
                LoadAfter = afterConfigs,
            };
        }
        foreach (var c in configs) yield return ExtensionConfigData(c);
    }

    /// <summary>
    /// The rows of an extension's configuration table that its filter selects: CREATE EXTENSION made the others.
    /// In text, as pg_dump reads them: an extension's types may lack a binary form, and reg* values travel by name.
    /// </summary>
    private static TableData ExtensionConfigData(ExtensionConfig c) =>
        new(c.Name, c.Name, c.Columns, c.Columns.Select(Sql.Ident).ToList(), c.Filter, c.EstimatedBytes, c.EstimatedRows) { TextFormat = true, LoadAfter = c.References };

    /// <summary>An unlogged table of a hot standby, which holds none of its rows: created empty, as pg_dump leaves it there.</summary>
    private bool UnreadOnStandby(TableInfo t) => t.Unlogged && catalog.InRecovery;

    /// <summary>An unlogged sequence of a hot standby, whose state it does not hold: created at its start.</summary>
    private bool UnreadOnStandby(SequenceInfo s) => s.Unlogged && catalog.InRecovery;

    /// <summary>What a hot-standby source cannot give (<see cref="ClonePlan.UnreadOnStandby"/>).</summary>
    private List<string> Unread() =>
    [
        .. Tables.Where(t => t.Kind == 'r' && UnreadOnStandby(t)).Select(t => $"table {naming.Table(t)}"),
        .. ClonedSequences().Where(UnreadOnStandby).Select(s => $"sequence {naming.Sequence(s)}"),
    ];

    /// <summary>Tables that are some table's parent (inheritance or partitioning).</summary>
    private HashSet<uint> Parents => _parents ??= catalog.Tables.SelectMany(x => x.Parents).ToHashSet();

    /// <summary>The tables with a foreign table among their inheritance descendants.</summary>
    private HashSet<uint> ForeignAncestors
    {
        get
        {
            if (_foreignAncestors is not null) return _foreignAncestors;
            _foreignAncestors = [];
            var pending = new Stack<uint>(catalog.Tables.Where(t => t.IsForeign).Select(t => t.Oid));
            while (pending.TryPop(out var oid))
                foreach (var parent in catalog.Table(oid)?.Parents ?? [])
                    if (_foreignAncestors.Add(parent)) pending.Push(parent);
            return _foreignAncestors;
        }
    }

    private HashSet<uint>? _foreignAncestors;
    private HashSet<uint>? _parents;

    /// <summary>
    /// The tables a column of <paramref name="table"/> is inherited from, nearest first: its ancestors (partitioned
    /// parents, inheritance parents) that have a column of that name (<see cref="MaskColumn.InheritedFrom"/>).
    /// </summary>
    private List<QualifiedName> InheritedFrom(TableInfo table, string column)
    {
        var found = new List<QualifiedName>();
        var level = table.Parents.ToList();
        var seen = new HashSet<uint>();
        while (level.Count > 0)
        {
            var next = new List<uint>();
            foreach (var oid in level.Where(seen.Add))
                if (catalog.Table(oid) is { } parent && parent.Columns.Any(c => c.Name == column))
                {
                    found.Add(parent.Name);
                    next.AddRange(parent.Parents);
                }
            level = next;
        }
        return found;
    }
}
