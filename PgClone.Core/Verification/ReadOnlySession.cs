using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Verification;

/// <summary>
/// One connection inside a REPEATABLE READ READ ONLY transaction, with settings that make catalog and row text
/// identical on every server: search_path = pg_catalog (so pg_get_*def qualifies every name), UTC, ISO dates,
/// full float precision, hex bytea. Reading through it can never change a server.
/// </summary>
public sealed class ReadOnlySession : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;

    private ReadOnlySession(ServerEndpoint server, NpgsqlConnection connection)
    {
        Server = server;
        _connection = connection;
    }

    public ServerEndpoint Server { get; }

    /// <summary>Whether the session reads a SQL_ASCII database byte for byte (see <see cref="ServerEndpoint.OpenAsync"/>).</summary>
    public bool ByteForByte => ServerEndpoint.IsByteForByte(_connection);

    /// <summary>The database's encoding (<see cref="ServerEndpoint.DatabaseEncoding"/>).</summary>
    public string DatabaseEncoding => ServerEndpoint.DatabaseEncoding(_connection);

    /// <summary>Text a user typed as this session reads it (<see cref="ServerEndpoint.AsByteForByte"/>).</summary>
    public string AsRead(string typed) => ByteForByte ? ServerEndpoint.AsByteForByte(typed) : typed;

    /// <param name="textFromSqlAscii">A target whose text is compared with (or written from) a source read byte for byte (<see cref="ByteForByte"/>).</param>
    public static async Task<ReadOnlySession> OpenAsync(ServerEndpoint server, CancellationToken ct, bool textFromSqlAscii = false)
    {
        var connection = await server.OpenAsync(ct, textFromSqlAscii: textFromSqlAscii ? () => Task.FromResult(true) : null);
        var session = new ReadOnlySession(server, connection);
        try
        {
            session._transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await session.ExecuteAsync(
                "SET TRANSACTION READ ONLY; SET LOCAL search_path = pg_catalog; SET LOCAL TimeZone = 'UTC'; " +
                "SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 3; " +
                "SET LOCAL bytea_output = 'hex'; SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0", ct);
            return session;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await session.DisposeAsync();
            throw PgCloneException.FromDriver(server, null, e);
        }
    }

    /// <summary><see cref="QueryAsync"/> of a query the server plans through <paramref name="table"/>'s indexes (see <see cref="PlannedRead"/>).</summary>
    public Task<List<T>> PlannedQueryAsync<T>(string table, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, string? objectName = null) =>
        (_warmup ??= new SessionWarmup(_connection, Server)).ReadAsync(table, () => QueryAsync(sql, map, ct, objectName), ct);

    private SessionWarmup? _warmup;

    public async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, _connection, _transaction);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Runs a query and maps every row; driver errors name this server and <paramref name="objectName"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct,
        string? objectName = null, IReadOnlyList<object?>? parameters = null)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, _connection, _transaction);
            foreach (var p in parameters ?? []) cmd.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct)) rows.Add(map(reader));
            return rows;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PgCloneException.FromDriver(Server, objectName, e);
        }
    }

    /// <summary>
    /// Two sessions' answers to queries run at once; when one fails, the other's is waited for before the error is
    /// thrown, so no session is closed under a query still running on it (which left verify hanging).
    /// </summary>
    public static async Task<(T, T)> BothAsync<T>(Task<T> source, Task<T> target)
    {
        await Task.WhenAll(source, target);
        return (source.Result, target.Result);
    }

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken ct, IReadOnlyList<object?>? parameters = null) =>
        (await QueryAsync(sql, r => r.GetFieldValue<T>(0), ct, null, parameters)).Single();

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null) await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
