using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>CREATE TYPE / CREATE DOMAIN for enum, domain, composite, range, base and shell types.</summary>
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
            case UserTypeKind.Shell:
                yield return Shell(t);
                break;
            case UserTypeKind.Base:
                yield return $"CREATE TYPE {q} ({string.Join(", ", BaseOptions(t.Base!))})";
                break;
            case UserTypeKind.Domain:
                var checks = string.Concat(t.Checks.Where(c => c.Validated).Select(c => $" CONSTRAINT {Sql.Ident(c.Name)} {c.Definition}"));
                yield return $"CREATE DOMAIN {q} AS {t.BaseType}{Collate(t.Collation)}{(t.Default is null ? "" : " DEFAULT " + t.Default)}{(t.NotNull ? " NOT NULL" : "")}{checks}";
                break;
        }
    }

    /// <summary>The shell a base type's I/O functions are created against (CREATE TYPE fills it in), or a shell type alone.</summary>
    public static string Shell(UserType t) => $"CREATE TYPE {t.Name.Quoted}";

    private static IEnumerable<string> BaseOptions(BaseTypeInfo b)
    {
        yield return $"INTERNALLENGTH = {(b.Length == -1 ? "VARIABLE" : b.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
        yield return $"INPUT = {b.Input}";
        yield return $"OUTPUT = {b.Output}";
        var functions = new[] { ("RECEIVE", b.Receive), ("SEND", b.Send), ("TYPMOD_IN", b.TypmodIn), ("TYPMOD_OUT", b.TypmodOut), ("ANALYZE", b.Analyze), ("SUBSCRIPT", b.Subscript) };
        foreach (var (option, function) in functions)
            if (function is not null) yield return $"{option} = {function}";
        yield return $"ALIGNMENT = {b.Alignment switch { 'c' => "char", 's' => "int2", 'i' => "int4", _ => "double" }}";
        yield return $"STORAGE = {b.Storage switch { 'p' => "plain", 'e' => "external", 'm' => "main", _ => "extended" }}";
        yield return $"CATEGORY = {Sql.Literal(b.Category.ToString())}";
        if (b.Preferred) yield return "PREFERRED = true";
        if (b.Default is not null) yield return $"DEFAULT = {Sql.Literal(b.Default)}";
        if (b.Element is not null) yield return $"ELEMENT = {b.Element}";
        yield return $"DELIMITER = {Sql.Literal(b.Delimiter.ToString())}";
        if (b.PassedByValue) yield return "PASSEDBYVALUE";
        if (b.Collatable) yield return "COLLATABLE = true";
    }

    /// <summary>A domain's default and validated checks, set apart from its creation (a function they call needs the domain).</summary>
    public static IEnumerable<string> DomainParts(UserType t)
    {
        if (t.Default is not null) yield return $"ALTER DOMAIN {t.Name.Quoted} SET DEFAULT {t.Default}";
        foreach (var c in t.Checks.Where(c => c.Validated)) yield return AddCheck(t, c);
    }

    /// <summary>
    /// A domain's NOT VALID checks, added after the data as pg_dump does: old rows that break them are copied,
    /// and the checks stay not validated.
    /// </summary>
    public static IEnumerable<string> LateChecks(UserType t) =>
        t.Checks.Where(c => !c.Validated).Select(c => AddCheck(t, c));

    private static string AddCheck(UserType t, DomainCheck c) => $"ALTER DOMAIN {t.Name.Quoted} ADD CONSTRAINT {Sql.Ident(c.Name)} {c.Definition}";

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
