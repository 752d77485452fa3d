using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>
/// How a <c>mask</c> option (and a console policy) names a table: <c>table</c> (in the run's schema, <c>public</c> in
/// a database clone), <c>schema.table</c> (split at the first dot, so a table's own dots stay in its name), or, for
/// names the plain forms cannot say (a schema with a dot, a public table with one, a name starting with a quote), the
/// SQL form <c>"schema"."table"</c>. Discovery, the console and the engine write and read keys only here.
/// </summary>
public static class MaskTableKey
{
    /// <summary>The key of a table: bare in public, <c>schema.table</c> elsewhere, quoted when those would read otherwise.</summary>
    public static string Of(QualifiedName table)
    {
        var key = table.Schema == "public" ? table.Name : $"{table.Schema}.{table.Name}";
        return !key.StartsWith('"') && Split(key) == (table.Schema == "public" ? null : table.Schema, table.Name) ? key : table.Quoted;
    }

    /// <summary>The table a key names, a bare key naming one in <paramref name="defaultSchema"/>.</summary>
    public static QualifiedName Resolve(string key, string defaultSchema)
    {
        var (schema, table) = Split(key);
        return new QualifiedName(schema ?? defaultSchema, table);
    }

    /// <summary>A key's schema (null for a bare key) and table.</summary>
    public static (string? Schema, string Table) Split(string key)
    {
        if (key.StartsWith('"'))
        {
            var i = 0;
            var first = Sql.ReadIdent(key, ref i);
            if (first is not null && i == key.Length) return (null, first);
            if (first is not null && i < key.Length - 1 && key[i] == '.')
            {
                i++;
                if (Sql.ReadIdent(key, ref i) is { } second && i == key.Length) return (first, second);
            }
            throw new PgCloneException($"invalid mask key {key}: a quoted key is \"schema\".\"table\" or \"table\", with quotes inside doubled");
        }
        var dot = key.IndexOf('.');
        return dot > 0 && dot < key.Length - 1 ? (key[..dot], key[(dot + 1)..]) : (null, key);
    }
}
