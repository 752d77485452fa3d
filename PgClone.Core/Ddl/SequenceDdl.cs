using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>Sequences: every parameter, ownership, and the current value.</summary>
internal static class SequenceDdl
{
    public static string Create(SequenceInfo s, QualifiedName name) =>
        $"CREATE {(s.Unlogged ? "UNLOGGED " : "")}SEQUENCE {name.Quoted} AS {s.DataType} {Options(s)}";

    /// <summary>The options of an identity column's sequence, named, inside GENERATED ... AS IDENTITY (...).</summary>
    public static string IdentityOptions(SequenceInfo s, QualifiedName name) => $"SEQUENCE NAME {name.Quoted} {Options(s)}";

    private static string Options(SequenceInfo s) =>
        $"START WITH {Sql.Literal(s.Start)} INCREMENT BY {Sql.Literal(s.Increment)} MINVALUE {Sql.Literal(s.Min)} " +
        $"MAXVALUE {Sql.Literal(s.Max)} CACHE {Sql.Literal(s.Cache)} {(s.Cycle ? "CYCLE" : "NO CYCLE")}";

    public static string OwnedBy(QualifiedName sequence, QualifiedName table, string column) =>
        $"ALTER SEQUENCE {sequence.Quoted} OWNED BY {table.Quoted}.{Sql.Ident(column)}";

    public static string SetValue(SequenceInfo s, QualifiedName name) => SetValue(name, s.LastValue, s.IsCalled);

    public static string SetValue(QualifiedName name, long value, bool called) =>
        $"SELECT pg_catalog.setval({Sql.Literal(name.Quoted)}::pg_catalog.regclass, {Sql.Literal(value)}, {(called ? "true" : "false")})";
}
