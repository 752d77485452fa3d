using PgClone.Web.Runs;

namespace PgClone.Web.Components.Shared;

/// <summary>A run's operation and scope in a few words ("schema shop", "table shop.orders", "database").</summary>
public static class RunText
{
    public static string What(RunSummary r) => What(r.Operation, r.Schema, r.Table);

    public static string What(string operation, string? schema, string? table) => operation switch
    {
        "table" => $"table {schema}.{table}",
        "schema" or "functions" => $"{operation} {schema}",
        "database-create" => "new database",
        _ => operation,
    };
}
