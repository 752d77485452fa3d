namespace PgClone.Web.Connections;

/// <summary>
/// A node of a connection's schema tree: a whole schema (Table null), one table of it, or (when the tree lists every
/// object) another object of it, named in Table with its <see cref="Kind"/> (view, function...); those are never picked.
/// </summary>
public sealed record SchemaTreeNode(string Schema, string? Table, string? Kind = null)
{
    /// <summary>A stable key for markup and tests: schema, or schema.name (not SQL; names are shown, never executed).</summary>
    public string Key => Table is null ? Schema : $"{Schema}.{Table}";
}
