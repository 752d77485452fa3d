using PgClone.Core.Catalog;

namespace PgClone.Core.Ddl;

/// <summary>
/// Target names of cloned objects. Identity, except for a table cloned under another name (target_name): then
/// the table, its owned sequences, indexes and constraints get names that cannot collide with the original's
/// when both live in one schema, and definitions that name the table are pointed at the copy.
/// </summary>
internal sealed class TargetNaming
{
    private readonly TableInfo? _renamed;
    private readonly QualifiedName _newName;
    private readonly Dictionary<string, string> _childNames = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, QualifiedName> _sequences = [];
    private readonly IReadOnlyList<SequenceInfo> _renamedSequences = [];

    public static readonly TargetNaming Identity = new();

    private TargetNaming() { }

    public TargetNaming(TableInfo table, string newName, SourceCatalog catalog, TargetState target)
    {
        _renamed = table;
        _newName = table.Name with { Name = newName };
        var taken = new HashSet<string>(StringComparer.Ordinal);
        string Fresh(string name)
        {
            var candidate = name.StartsWith(table.Name.Name, StringComparison.Ordinal)
                ? newName + name[table.Name.Name.Length..]
                : newName + "_" + name;
            var unique = candidate;
            for (var i = 2; taken.Contains(unique) || target.NameTaken(table.Name.Schema, unique) || catalog.Indexes.Any(x => x.Name == table.Name with { Name = unique }); i++)
                unique = $"{candidate}_{i}";
            taken.Add(unique);
            return unique;
        }
        foreach (var i in catalog.IndexesOf(table.Oid)) _childNames[i.Name.Name] = Fresh(i.Name.Name);
        foreach (var c in catalog.ConstraintsOf(table.Oid).Where(c => !_childNames.ContainsKey(c.Name))) _childNames[c.Name] = Fresh(c.Name);
        _renamedSequences = catalog.SequencesOwnedBy(table.Oid).ToList();
        foreach (var s in _renamedSequences) _sequences[s.Oid] = s.Name with { Name = Fresh(s.Name.Name) };
    }

    public QualifiedName Table(TableInfo t) => _renamed is not null && t.Oid == _renamed.Oid ? _newName : t.Name;

    public QualifiedName Sequence(SequenceInfo s) => _sequences.GetValueOrDefault(s.Oid, s.Name);

    /// <summary>An index or constraint name of the table.</summary>
    public string Child(uint tableOid, string name) =>
        _renamed is not null && tableOid == _renamed.Oid ? _childNames.GetValueOrDefault(name, name) : name;

    /// <summary>A column default: nextval() of a renamed owned sequence points at the copy's sequence.</summary>
    public string Default(string expression)
    {
        foreach (var s in _renamedSequences)
            expression = expression.Replace(Connections.Sql.Literal(s.PgName) + "::regclass", Connections.Sql.Literal(_sequences[s.Oid].Quoted) + "::regclass", StringComparison.Ordinal);
        return expression;
    }

    /// <summary>A foreign key of the renamed table that references the table itself references the copy.</summary>
    public string ForeignKey(uint tableOid, string definition) =>
        _renamed is null || tableOid != _renamed.Oid ? definition
            : definition.Replace($"REFERENCES {_renamed.PgName}(", $"REFERENCES {_newName.Quoted}(", StringComparison.Ordinal);

    /// <summary>A trigger definition of the renamed table names the copy.</summary>
    public string Trigger(uint tableOid, string definition)
    {
        if (_renamed is null || tableOid != _renamed.Oid) return definition;
        var marker = $" ON {_renamed.PgName} ";
        var at = definition.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? definition : string.Concat(definition.AsSpan(0, at), $" ON {_newName.Quoted} ", definition.AsSpan(at + marker.Length));
    }
}
