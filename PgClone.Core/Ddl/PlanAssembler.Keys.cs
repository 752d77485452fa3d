using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

internal sealed partial class PlanAssembler
{
    private readonly Dictionary<uint, (IndexInfo Index, string Sql)> _plannedIndexes = [];
    private readonly HashSet<uint> _plannedConstraints = [];
    /// <summary>Keys built as a unique index, then attached (by index oid).</summary>
    private readonly Dictionary<uint, ConstraintInfo> _keysAsIndexes = [];
    /// <summary>Index and key statements built on the empty tables, as the last of PreData: data values name them.</summary>
    private readonly List<DdlStatement> _beforeData = [];

    /// <summary>
    /// PRIMARY KEY, UNIQUE, EXCLUDE and plain indexes of tables. A partitioned table's index and its partitions'
    /// indexes form one statement (parent ON ONLY, each partition's own, then ATTACH PARTITION), so the names of
    /// the partitions' indexes survive and every statement stays independent of the others. A plain table's
    /// PRIMARY KEY or UNIQUE constraint is built as a unique index of its name, then attached with ADD CONSTRAINT
    /// ... USING INDEX (as pgcopydb does): the build takes the lock CREATE INDEX takes, so it runs beside the table's
    /// other builds instead of holding them all back while it builds under ADD CONSTRAINT's exclusive lock.
    /// </summary>
    private IEnumerable<DdlStatement> IndexesAndKeys()
    {
        foreach (var t in Tables)
        {
            var table = naming.Table(t);
            if (_options.Constraints)
                foreach (var c in catalog.ConstraintsOf(t.Oid).Where(c => c.Type is 'p' or 'u' or 'x'))
                {
                    var index = catalog.Index(c.IndexOid);
                    // conkey holds the key columns only: the INCLUDE columns and an exclusion's WHERE are the index's.
                    if (!UsesClonedColumns(t, [.. c.Columns, .. index.Columns], $"constraint {Sql.Ident(c.Name)}")
                        || !Cloned(new ObjectKey('i', c.IndexOid), $"constraint {Sql.Ident(c.Name)} on {table.Quoted}")) continue;
                    var asIndex = BuildsAsIndex(t, c, index);
                    if (asIndex) _keysAsIndexes[index.Oid] = c;
                    _plannedIndexes[index.Oid] = (index, asIndex ? _index.CreateIndex(index, table) : _index.AddKey(c, index, table));
                    _plannedConstraints.Add(c.Oid);
                }
            if (_options.Indexes)
                foreach (var i in catalog.IndexesOf(t.Oid).Where(i => i.ConstraintOid == 0))
                    if (UsesClonedColumns(t, i.Columns, $"index {Sql.Ident(i.Name.Name)}") && Cloned(new ObjectKey('i', i.Oid), $"index {i.Name.Quoted}"))
                        _plannedIndexes[i.Oid] = (i, _index.CreateIndex(i, table));
        }
        var children = _plannedIndexes.Values.Where(x => _plannedIndexes.ContainsKey(x.Index.ParentIndexOid)).ToLookup(x => x.Index.ParentIndexOid);
        foreach (var (index, sql) in _plannedIndexes.Values.Where(x => !_plannedIndexes.ContainsKey(x.Index.ParentIndexOid)).OrderBy(x => x.Index.Name))
        {
            var tree = new List<(IndexInfo Index, string Sql)> { (index, sql) };
            for (var i = 0; i < tree.Count; i++) tree.AddRange(children[tree[i].Index.Oid]);
            var attaches = tree.Skip(1).Reverse().Select(x => _index.Attach(_plannedIndexes[x.Index.ParentIndexOid].Index, x.Index));
            var table = naming.Table(catalog.Table(index.TableOid)!);
            var key = _keysAsIndexes.GetValueOrDefault(index.Oid);
            var kind = index.ConstraintOid != 0 && key is null ? "constraint" : "index";
            var name = $"{Sql.Ident(naming.Child(index.TableOid, index.Name.Name))} on {table.Quoted}";
            var statements = new List<DdlStatement> { new(kind, name, string.Join(";\n", tree.Select(x => x.Sql).Concat(attaches)))
                { Table = table, AsKey = key is null ? null : _index.AddConstraint(key, table), EstimatedBytes = tree.Sum(x => x.Index.Bytes) } };
            if (key is not null) statements.Add(new DdlStatement("constraint", name, _index.AddConstraintUsingIndex(key, table)) { Table = table, UsingIndex = true });
            if (tree.Any(x => catalog.IndexesNamedByValues.Contains(x.Index.Oid))) _beforeData.AddRange(statements);
            foreach (var s in statements) yield return s;
        }
    }

    /// <summary>
    /// Whether a key can be built as a unique index and attached: a PRIMARY KEY or UNIQUE constraint of a plain
    /// table (not partitioned, not tied to a parent's index), immediate, in the default tablespace: what ADD CONSTRAINT
    /// ... USING INDEX accepts and gives back unchanged.
    /// </summary>
    private static bool BuildsAsIndex(TableInfo t, ConstraintInfo c, IndexInfo index) =>
        c.Type is 'p' or 'u' && t.Kind == 'r' && index.ParentIndexOid == 0 && index.Tail.StartsWith(" USING btree (", StringComparison.Ordinal)
        && !c.Definition.Contains(" DEFERRABLE", StringComparison.Ordinal) && !c.Definition.Contains(" USING INDEX TABLESPACE ", StringComparison.Ordinal);

    /// <summary>
    /// Foreign keys (after every key they reference exists), CHECK constraints declared NOT VALID and domains'
    /// NOT VALID checks (after the data). A NOT VALID check is added without ONLY, so children and partitions get it as they do on the source.
    /// </summary>
    private IEnumerable<DdlStatement> ForeignKeysAndLateChecks()
    {
        if (!_options.Constraints) yield break;
        foreach (var t in Types)
            foreach (var sql in TypeDdl.LateChecks(t))
                yield return new DdlStatement("domain", t.Name.Quoted, sql);
        var created = Tables.Select(t => t.Oid).ToHashSet();
        foreach (var t in Tables)
        {
            var table = naming.Table(t);
            foreach (var c in catalog.ConstraintsOf(t.Oid))
            {
                var name = $"{Sql.Ident(naming.Child(t.Oid, c.Name))} on {table.Quoted}";
                if (c.Type == 'c' && c.IsLocal && !c.Validated && UsesClonedColumns(t, c.Columns, $"check constraint {Sql.Ident(c.Name)}"))
                {
                    _plannedConstraints.Add(c.Oid);
                    yield return new DdlStatement("constraint", name, _index.AddConstraint(c, table, only: c.Definition.Contains(" NO INHERIT", StringComparison.Ordinal))) { Table = table };
                }
                if (c.Type != 'f' || c.ParentOid != 0 || !UsesClonedColumns(t, c.Columns, $"foreign key {Sql.Ident(c.Name)}")
                    || !Cloned(new ObjectKey('K', c.Oid), $"foreign key {name}")) continue;
                if (scope.ForeignKeysToMissing.TryGetValue(c.Oid, out var missing))
                {
                    _skipped.Add($"foreign key {name}: references {string.Join(", ", missing)}, which the target lacks and the clone does not bring");
                    continue;
                }
                var referenced = catalog.Table(c.ReferencedTable);
                if (referenced is not null && !created.Contains(referenced.Oid) && !state.Relations.ContainsKey(naming.Table(referenced)))
                {
                    _skipped.Add($"foreign key {name}: references {referenced.Name.Quoted}, which is neither cloned nor on the target");
                    continue;
                }
                if (referenced is not null && created.Contains(referenced.Oid) && !ReferencedKeyCloned(referenced, c, name)) continue;
                if (referenced is not null && created.Contains(referenced.Oid)) Filtered(t, c, referenced);
                _plannedConstraints.Add(c.Oid);
                yield return new DdlStatement("constraint", name, _index.AddForeignKey(c, table, t.IsPartitioned))
                    { Table = table, References = referenced is null ? null : naming.Table(referenced), ReferencesTargetOwn = referenced is null || !created.Contains(referenced.Oid) };
            }
        }
    }

    /// <summary>The foreign keys between tables copied through the where filter (<see cref="FilteredForeignKey"/>).</summary>
    private readonly List<FilteredForeignKey> _filteredKeys = [];

    /// <summary>
    /// Notes a foreign key between two tables of this run for the where filter's check. Not one declared NOT VALID:
    /// it is created so on the target too, where the rows already in are not checked.
    /// </summary>
    private void Filtered(TableInfo t, ConstraintInfo c, TableInfo referenced)
    {
        if (where is null || !_options.IncludeData || !c.Validated) return;
        _filteredKeys.Add(new FilteredForeignKey(c.Name, t.Name, t.IsPartitioned, [.. c.Columns.Select(n => ColumnName(t, n))],
            referenced.Name, referenced.IsPartitioned, [.. c.ReferencedColumns.Select(n => ColumnName(referenced, n))], c.MatchFull, c.EqualityOperators, where));
    }

    /// <summary>
    /// The foreign keys of <see cref="_filteredKeys"/>, each showing a key value only when no copied table masks a
    /// column of its name (the tables' masks are known once their reads are).
    /// </summary>
    private List<FilteredForeignKey> FilteredKeys(IReadOnlyList<TableData> tables)
    {
        var masked = tables.SelectMany(t => t.TargetColumns.Where((c, i) => t.SourceExpressions[i] != Sql.Ident(c) || t.StreamMasks.Any(m => m.Field == i))).ToHashSet();
        return [.. _filteredKeys.Select(k => k with { ShowsKey = !k.Columns.Any(masked.Contains) })];
    }

    /// <summary>
    /// Whether what a foreign key to a table of this run references is created: its columns there (a table referencing
    /// itself may reference one the columns option leaves out) and the key it relies on (left out when it reads such
    /// a column, as UNIQUE (a) INCLUDE (c) does). If not, the foreign key is listed as skipped.
    /// </summary>
    private bool ReferencedKeyCloned(TableInfo referenced, ConstraintInfo foreignKey, string name)
    {
        var to = naming.Table(referenced);
        var cloned = ColumnsOf(referenced).Select(c => c.Number).ToHashSet();
        var missing = foreignKey.ReferencedColumns.FirstOrDefault(n => !cloned.Contains(n));
        if (missing != 0)
        {
            _skipped.Add($"foreign key {name}: references column {Sql.Ident(ColumnName(referenced, missing))} of {to.Quoted}, which is not cloned");
            return false;
        }
        if (_plannedIndexes.ContainsKey(foreignKey.IndexOid)) return true;
        var key = catalog.FindIndex(foreignKey.IndexOid)?.Name.Name;
        _skipped.Add($"foreign key {name}: references {to.Quoted} by {(key is null ? "a key" : $"key {Sql.Ident(naming.Child(referenced.Oid, key))}")}, which is not cloned");
        return false;
    }
}
