using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Preflight;

/// <summary>The preflight's read-only queries: errors name the server and "preflight".</summary>
internal static class PreflightSql
{
    public static Task<List<T>> RowsAsync<T>(NpgsqlConnection conn, ServerEndpoint server, string sql, Func<NpgsqlDataReader, T> map,
        CancellationToken ct, params object[] args) => ReadQuery.RowsAsync(conn, server, "preflight", sql, map, ct, args);

    public static async Task<T> RowAsync<T>(NpgsqlConnection conn, ServerEndpoint server, string sql, Func<NpgsqlDataReader, T> map,
        CancellationToken ct, params object[] args) => (await ReadQuery.RowsAsync(conn, server, "preflight", sql, map, ct, args))[0];
}
