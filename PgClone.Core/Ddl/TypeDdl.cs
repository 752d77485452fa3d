using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>CREATE TYPE / CREATE DOMAIN for enum, domain, composite and range types.</summary>
internal static class TypeDdl
{
    public static IEnumerable<string> Create(UserType t)
    {
        var q = t.Name.Quoted;
        switch (t.Kind)
        {
            case UserTypeKind.Enum:
                yield return $"CREATE TYPE {q} AS ENUM ({string.Join(", ", t.EnumLabels.Select(Sql.Literal))})";
                break;
            case UserTypeKind.Composite:
                yield return $"CREATE TYPE {q} AS ({string.Join(", ", t.Attributes.Select(a => $"{Sql.Ident(a.Name)} {a.Type}{Collate(a.Collation)}"))})";
                break;
            case UserTypeKind.Range:
                var parts = new List<string> { $"subtype = {t.Subtype}" };
                if (t.SubtypeOpclass is not null) parts.Add($"subtype_opclass = {t.SubtypeOpclass}");
                if (t.Collation is not null) parts.Add($"collation = {t.Collation}");
                if (t.Canonical is not null) parts.Add($"canonical = {t.Canonical}");
                if (t.SubtypeDiff is not null) parts.Add($"subtype_diff = {t.SubtypeDiff}");
                if (t.Multirange is { } m) parts.Add($"multirange_type_name = {m.Quoted}");
                yield return $"CREATE TYPE {q} AS RANGE ({string.Join(", ", parts)})";
                break;
            case UserTypeKind.Domain:
                var checks = string.Concat(t.Checks.Where(c => c.Validated).Select(c => $" CONSTRAINT {Sql.Ident(c.Name)} {c.Definition}"));
                yield return $"CREATE DOMAIN {q} AS {t.BaseType}{Collate(t.Collation)}{(t.Default is null ? "" : " DEFAULT " + t.Default)}{(t.NotNull ? " NOT NULL" : "")}{checks}";
                break;
        }
    }

    /// <summary>
    /// A domain's NOT VALID checks, added after the data as pg_dump does: old rows that break them are copied,
    /// and the checks stay not validated.
    /// </summary>
    public static IEnumerable<string> LateChecks(UserType t) =>
        t.Checks.Where(c => !c.Validated).Select(c => $"ALTER DOMAIN {t.Name.Quoted} ADD CONSTRAINT {Sql.Ident(c.Name)} {c.Definition}");

    public static string Collate(string? collation) => collation is null ? "" : " COLLATE " + collation;

    public static IEnumerable<string> Comments(UserType t)
    {
        var keyword = t.Kind == UserTypeKind.Domain ? "DOMAIN" : "TYPE";
        if (t.Comment is not null) yield return $"COMMENT ON {keyword} {t.Name.Quoted} IS {Sql.Literal(t.Comment)}";
        foreach (var a in t.Attributes.Where(a => a.Comment is not null))
            yield return $"COMMENT ON COLUMN {t.Name.Quoted}.{Sql.Ident(a.Name)} IS {Sql.Literal(a.Comment)}";
        foreach (var c in t.Checks.Where(c => c.Comment is not null))
            yield return $"COMMENT ON CONSTRAINT {Sql.Ident(c.Name)} ON DOMAIN {t.Name.Quoted} IS {Sql.Literal(c.Comment)}";
    }
}
