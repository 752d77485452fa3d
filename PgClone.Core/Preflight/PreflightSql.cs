using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Preflight;

/// <summary>Runs the preflight's read-only queries; a driver error names the server.</summary>
internal static class PreflightSql
{
    public static async Task<List<T>> RowsAsync<T>(NpgsqlConnection conn, ServerEndpoint server, string sql, Func<NpgsqlDataReader, T> map,
        CancellationToken ct, params object[] args)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct)) rows.Add(map(reader));
            return rows;
        }
        catch (Exception e) when (e is NpgsqlException or IOException) { throw PgCloneException.FromDriver(server, "preflight", e); }
    }

    public static async Task<T> RowAsync<T>(NpgsqlConnection conn, ServerEndpoint server, string sql, Func<NpgsqlDataReader, T> map,
        CancellationToken ct, params object[] args) => (await RowsAsync(conn, server, sql, map, ct, args))[0];
}
