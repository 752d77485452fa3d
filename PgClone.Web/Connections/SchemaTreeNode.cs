namespace PgClone.Web.Connections;

/// <summary>A node of a connection's schema tree: a whole schema (Table null) or one table of it.</summary>
public sealed record SchemaTreeNode(string Schema, string? Table)
{
    /// <summary>A stable key for markup and tests: schema, or schema.table (not SQL; names are shown, never executed).</summary>
    public string Key => Table is null ? Schema : $"{Schema}.{Table}";
}
