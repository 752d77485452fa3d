using PgClone.Core.Connections;

namespace PgClone.Core.Catalog;

/// <summary>A schema-qualified object name: the identity of a table, view, type, sequence or function.</summary>
public readonly record struct QualifiedName(string Schema, string Name) : IComparable<QualifiedName>
{
    /// <summary>"schema"."name", always quoted.</summary>
    public string Quoted => Sql.Qualified(Schema, Name);

    public int CompareTo(QualifiedName other)
    {
        var c = string.CompareOrdinal(Schema, other.Schema);
        return c != 0 ? c : string.CompareOrdinal(Name, other.Name);
    }

    public override string ToString() => Quoted;
}
