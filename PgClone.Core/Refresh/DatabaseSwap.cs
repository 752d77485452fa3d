using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Refresh;

/// <summary>
/// The statements of a refresh on the target server's maintenance database: list, rename and drop databases and
/// end their sessions. Renaming needs no session on either database, so the live database's sessions are ended
/// (or waited for) only for the instant of the rename.
/// </summary>
internal sealed class DatabaseSwap(ServerEndpoint server, TimeProvider clock) : IAsyncDisposable
{
    private const string MaintenanceDatabase = "postgres";
    /// <summary>The sessions on database $1 other than this one.</summary>
    private const string OtherSessions = "FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()";
    private NpgsqlConnection? _conn;

    private async Task<NpgsqlConnection> ConnAsync(CancellationToken ct) =>
        _conn ??= await server.WithDatabase(MaintenanceDatabase).OpenAsync(ct);

    public async Task<List<string>> DatabasesAsync(CancellationToken ct)
    {
        var conn = await ConnAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT datname FROM pg_catalog.pg_database ORDER BY datname", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var names = new List<string>();
        while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        return names;
    }

    public async Task<bool> ExistsAsync(string database, CancellationToken ct) => (await DatabasesAsync(ct)).Contains(database);

    /// <summary>
    /// Renames <paramref name="from"/> to <paramref name="to"/>, first ending its sessions (<see cref="SwapSessions.Terminate"/>)
    /// or waiting for them to go (<see cref="SwapSessions.Wait"/>, up to <paramref name="timeout"/>). A session that
    /// connects between the two is ended too and the rename tried again, a few times.
    /// </summary>
    public async Task RenameAsync(string from, string to, SwapSessions sessions, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + timeout;
        for (var attempt = 1; ; attempt++)
        {
            if (sessions == SwapSessions.Terminate) await TerminateAsync(from, ct);
            else await WaitIdleAsync(from, deadline, timeout, ct);
            try
            {
                await ExecAsync(from, $"ALTER DATABASE {Sql.Ident(from)} RENAME TO {Sql.Ident(to)}", ct);
                return;
            }
            catch (PgCloneException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.ObjectInUse } && attempt < 5
                                              && (sessions == SwapSessions.Terminate || clock.GetUtcNow() < deadline))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), clock, ct);
            }
        }
    }

    /// <summary>Drops a database, ending its sessions first; a missing one is fine.</summary>
    public async Task DropAsync(string database, CancellationToken ct)
    {
        await TerminateAsync(database, ct);
        await ExecAsync(database, $"DROP DATABASE IF EXISTS {Sql.Ident(database)}", ct);
    }

    /// <summary>Ends every other session on the database (pooled idle ones of this process included).</summary>
    public async Task TerminateAsync(string database, CancellationToken ct)
    {
        var conn = await ConnAsync(ct);
        await using var cmd = new NpgsqlCommand($"SELECT count(pg_catalog.pg_terminate_backend(pid)) {OtherSessions}", conn);
        cmd.Parameters.AddWithValue(database);
        await Run(database, () => cmd.ExecuteScalarAsync(ct));
    }

    private async Task WaitIdleAsync(string database, DateTimeOffset deadline, TimeSpan timeout, CancellationToken ct)
    {
        var conn = await ConnAsync(ct);
        while (true)
        {
            await using var cmd = new NpgsqlCommand($"SELECT count(*) {OtherSessions}", conn);
            cmd.Parameters.AddWithValue(database);
            var count = (long)(await Run(database, () => cmd.ExecuteScalarAsync(ct)))!;
            if (count == 0) return;
            if (clock.GetUtcNow() >= deadline)
                throw PgCloneException.For(server, $"database {Sql.Ident(database)}",
                    $"still has {count} session{(count == 1 ? "" : "s")} after waiting {timeout.TotalSeconds:0} s; the refresh did not swap (sessions: wait)");
            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, ct);
        }
    }

    private async Task ExecAsync(string database, string sql, CancellationToken ct)
    {
        var conn = await ConnAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await Run(database, () => cmd.ExecuteNonQueryAsync(ct));
    }

    private async Task<T> Run<T>(string database, Func<Task<T>> action)
    {
        try { return await action(); }
        catch (Exception e) when (e is NpgsqlException or TimeoutException) { throw PgCloneException.FromDriver(server, $"database {Sql.Ident(database)}", e); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_conn is not null) await _conn.DisposeAsync();
    }
}
