using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>Extended statistics objects (CREATE STATISTICS), with their statistics target.</summary>
internal static class StatisticsDdl
{
    public static IEnumerable<string> Create(StatisticsInfo s, QualifiedName name, QualifiedName table)
    {
        var kinds = s.Kinds.Select(k => k switch { 'd' => "ndistinct", 'f' => "dependencies", _ => "mcv" }).ToList();
        yield return $"CREATE STATISTICS {name.Quoted}{(kinds.Count == 0 ? "" : $" ({string.Join(", ", kinds)})")} ON {s.Columns} FROM {table.Quoted}";
        if (s.StatTarget >= 0) yield return $"ALTER STATISTICS {name.Quoted} SET STATISTICS {Sql.Literal(s.StatTarget)}";
    }

    public static string? Comment(StatisticsInfo s, QualifiedName name) => s.Comment is null ? null
        : $"COMMENT ON STATISTICS {name.Quoted} IS {Sql.Literal(s.Comment)}";
}
