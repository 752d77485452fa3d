using Npgsql;

namespace PgClone.Core.Connections;

/// <summary>Runs a read-only query with positional parameters into a list; a driver error names the server and the object.</summary>
internal static class ReadQuery
{
    public static async Task<List<T>> RowsAsync<T>(NpgsqlConnection conn, ServerEndpoint server, string? objectName, string sql, Func<NpgsqlDataReader, T> map,
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
        catch (Exception e) when (e is NpgsqlException or IOException) { throw PgCloneException.FromDriver(server, objectName, e); }
    }
}
