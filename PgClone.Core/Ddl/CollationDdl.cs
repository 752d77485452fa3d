using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>CREATE COLLATION for ICU and libc collations defined in a cloned schema.</summary>
internal static class CollationDdl
{
    public static string Create(CollationInfo c) => c.Provider == 'i'
        ? $"CREATE COLLATION {c.Name.Quoted} (provider = icu, locale = {Sql.Literal(c.IcuLocale)}, deterministic = {(c.Deterministic ? "true" : "false")})"
        : $"CREATE COLLATION {c.Name.Quoted} (provider = libc, lc_collate = {Sql.Literal(c.Collate)}, lc_ctype = {Sql.Literal(c.Ctype)})";
}
