using PgClone.Core.Catalog;

namespace PgClone.Core.Ddl;

/// <summary>Where pg_dump puts an object: before the data (in dependency order), after it, or at the very end.</summary>
internal enum DumpSection { PreData, PostData, Last }

/// <summary>
/// One object of the kinds in <c>CatalogRecords.Kinds.cs</c>, rendered: its key for pg_depend ordering, the
/// statements that create it, its comment, and how ALTER ... OWNER TO names it.
/// </summary>
internal sealed record KindObject(ObjectKey Key, string Kind, string Name, DumpSection Section, IReadOnlyList<string> Create)
{
    /// <summary>COMMENT ON ... statement, if the object has a comment.</summary>
    public string? Comment { get; init; }
    /// <summary>The owner role on the source, and the "KEYWORD name" ALTER ... OWNER TO takes; null when the kind has no owner.</summary>
    public string? Owner { get; init; }
    public string? OwnerTarget { get; init; }
    /// <summary>The relation the object belongs to (a rule's table), for progress and per-table grouping.</summary>
    public QualifiedName? Table { get; init; }
}
