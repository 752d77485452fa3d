using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// Operators, operator families and operator classes. A family is created empty and given its loose members
/// (ALTER OPERATOR FAMILY ... ADD) in one item; a class names its family, so the family comes first.
/// </summary>
internal static class OperatorDdl
{
    public static KindObject Render(OperatorInfo o)
    {
        var clauses = new List<string> { $"FUNCTION = {o.Function}" };
        if (o.Left is not null) clauses.Add($"LEFTARG = {o.Left}");
        if (o.Right is not null) clauses.Add($"RIGHTARG = {o.Right}");
        if (o.Commutator is not null) clauses.Add($"COMMUTATOR = {o.Commutator}");
        if (o.Negator is not null) clauses.Add($"NEGATOR = {o.Negator}");
        if (o.Restrict is not null) clauses.Add($"RESTRICT = {o.Restrict}");
        if (o.Join is not null) clauses.Add($"JOIN = {o.Join}");
        if (o.Hashes) clauses.Add("HASHES");
        if (o.Merges) clauses.Add("MERGES");
        var name = $"{Sql.Ident(o.Name.Schema)}.{o.Name.Name}";
        return new KindObject(new ObjectKey('o', o.Oid), "operator", o.Signature, DumpSection.PreData,
            [$"CREATE OPERATOR {name} (\n    {string.Join(",\n    ", clauses)}\n)"])
        {
            Comment = o.Comment is null ? null : $"COMMENT ON OPERATOR {o.Signature} IS {Sql.Literal(o.Comment)}",
            Owner = o.Owner, OwnerTarget = $"OPERATOR {o.Signature}",
        };
    }

    public static KindObject Render(OperatorFamilyInfo f)
    {
        var name = $"{f.Name.Quoted} USING {Sql.Ident(f.Method)}";
        var create = new List<string> { $"CREATE OPERATOR FAMILY {name}" };
        if (f.Members.Count > 0) create.Add($"ALTER OPERATOR FAMILY {name} ADD\n    {string.Join(",\n    ", f.Members)}");
        return new KindObject(new ObjectKey('F', f.Oid), "operator family", name, DumpSection.PreData, create)
        {
            Comment = f.Comment is null ? null : $"COMMENT ON OPERATOR FAMILY {name} IS {Sql.Literal(f.Comment)}",
            Owner = f.Owner, OwnerTarget = $"OPERATOR FAMILY {name}",
        };
    }

    public static KindObject Render(OperatorClassInfo c)
    {
        var name = $"{c.Name.Quoted} USING {Sql.Ident(c.Method)}";
        var items = new List<string>(c.Members);
        if (c.StorageType is not null) items.Add($"STORAGE {c.StorageType}");
        // CREATE OPERATOR CLASS needs at least one item; a class whose members all sit in its family gets its storage type.
        if (items.Count == 0) items.Add($"STORAGE {c.Type}");
        var sql = $"CREATE OPERATOR CLASS {c.Name.Quoted}{(c.IsDefault ? " DEFAULT" : "")} FOR TYPE {c.Type} USING {Sql.Ident(c.Method)} FAMILY {c.Family.Quoted} AS\n    {string.Join(",\n    ", items)}";
        return new KindObject(new ObjectKey('C', c.Oid), "operator class", name, DumpSection.PreData, [sql])
        {
            Comment = c.Comment is null ? null : $"COMMENT ON OPERATOR CLASS {name} IS {Sql.Literal(c.Comment)}",
            Owner = c.Owner, OwnerTarget = $"OPERATOR CLASS {name}",
        };
    }
}
