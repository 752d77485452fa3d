using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// Target names of cloned objects. Identity, except for a table cloned under another name (target_name): then
/// the table, its partitions, owned sequences, indexes and constraints get names that cannot collide with the
/// original's when both live in one schema (the table's name prefix is swapped for the new name, or the new
/// name is put in front), and definitions that name a renamed table or sequence point at the copy.
/// </summary>
internal sealed class TargetNaming
{
    private readonly Dictionary<uint, (TableInfo Source, QualifiedName Name)> _tables = [];
    private readonly Dictionary<(uint Table, string Name), string> _childNames = [];
    private readonly Dictionary<uint, (SequenceInfo Source, QualifiedName Name)> _sequences = [];

    public static readonly TargetNaming Identity = new();

    private TargetNaming() { }

    /// <param name="tables">The renamed table first, then its partitions.</param>
    public TargetNaming(IReadOnlyList<TableInfo> tables, string newName, SourceCatalog catalog, TargetState target)
    {
        var root = tables[0];
        var schema = root.Name.Schema;
        var sourceNames = catalog.Tables.Select(t => t.Name).Concat(catalog.Indexes.Select(i => i.Name)).Concat(catalog.Sequences.Select(s => s.Name))
            .Where(n => n.Schema == schema).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.Ordinal) { newName };
        string Fresh(string name)
        {
            var candidate = PgName.Truncate(name.StartsWith(root.Name.Name, StringComparison.Ordinal) ? newName + name[root.Name.Name.Length..] : newName + "_" + name);
            var unique = candidate;
            for (var i = 2; taken.Contains(unique) || sourceNames.Contains(unique) || target.NameTaken(schema, unique); i++)
                unique = PgName.WithSuffix(candidate, $"_{i}");
            taken.Add(unique);
            return unique;
        }
        _tables[root.Oid] = (root, root.Name with { Name = newName });
        foreach (var partition in tables.Skip(1)) _tables[partition.Oid] = (partition, partition.Name with { Name = Fresh(partition.Name.Name) });
        foreach (var t in tables)
        {
            foreach (var i in catalog.IndexesOf(t.Oid)) _childNames[(t.Oid, i.Name.Name)] = Fresh(i.Name.Name);
            foreach (var c in catalog.ConstraintsOf(t.Oid).Where(c => !_childNames.ContainsKey((t.Oid, c.Name)))) _childNames[(t.Oid, c.Name)] = Fresh(c.Name);
            foreach (var s in catalog.SequencesOwnedBy(t.Oid)) _sequences[s.Oid] = (s, s.Name with { Name = Fresh(s.Name.Name) });
            foreach (var s in catalog.StatisticsOf(t.Oid)) _childNames[(t.Oid, s.Name.Name)] = Fresh(s.Name.Name);
        }
    }

    public QualifiedName Table(TableInfo t) => _tables.TryGetValue(t.Oid, out var renamed) ? renamed.Name : t.Name;

    public QualifiedName Sequence(SequenceInfo s) => _sequences.TryGetValue(s.Oid, out var renamed) ? renamed.Name : s.Name;

    /// <summary>An index or constraint name of the table.</summary>
    public string Child(uint tableOid, string name) => _childNames.GetValueOrDefault((tableOid, name), name);

    /// <summary>A column default: nextval() of a renamed owned sequence points at the copy's sequence.</summary>
    public string Default(string expression)
    {
        foreach (var (source, name) in _sequences.Values)
            expression = expression.Replace(Sql.Literal(source.PgName) + "::regclass", Sql.Literal(name.Quoted) + "::regclass", StringComparison.Ordinal);
        return expression;
    }

    /// <summary>A foreign key of a renamed table that references a renamed table (itself, typically) references the copy.</summary>
    public string ForeignKey(uint tableOid, string definition)
    {
        if (!_tables.ContainsKey(tableOid)) return definition;
        foreach (var (source, name) in _tables.Values)
            definition = definition.Replace($"REFERENCES {source.PgName}(", $"REFERENCES {name.Quoted}(", StringComparison.Ordinal);
        return definition;
    }

    /// <summary>A trigger definition of a renamed table names the copy.</summary>
    public string Trigger(uint tableOid, string definition)
    {
        if (!_tables.TryGetValue(tableOid, out var renamed)) return definition;
        var marker = $" ON {renamed.Source.PgName} ";
        var at = definition.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? definition : string.Concat(definition.AsSpan(0, at), $" ON {renamed.Name.Quoted} ", definition.AsSpan(at + marker.Length));
    }
}
