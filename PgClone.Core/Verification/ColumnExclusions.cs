namespace PgClone.Core.Verification;

/// <summary>Columns left out of checksums: <c>column</c>, <c>table.column</c> or <c>schema.table.column</c>.</summary>
internal sealed class ColumnExclusions
{
    private readonly List<string[]> _patterns;

    private ColumnExclusions(List<string[]> patterns) => _patterns = patterns;

    public static ColumnExclusions Parse(IEnumerable<string> specs)
    {
        var patterns = new List<string[]>();
        foreach (var spec in specs.Select(s => s.Trim()).Where(s => s.Length > 0))
        {
            var parts = spec.Split('.');
            if (parts.Length > 3 || parts.Any(p => p.Length == 0))
                throw new PgCloneException($"invalid excluded column '{spec}': expected column, table.column or schema.table.column");
            patterns.Add(parts);
        }
        return new ColumnExclusions(patterns);
    }

    public bool Excludes(string schema, string table, string column) => _patterns.Any(p => p.Length switch
    {
        1 => p[0] == column,
        2 => p[0] == table && p[1] == column,
        _ => p[0] == schema && p[1] == table && p[2] == column,
    });
}
