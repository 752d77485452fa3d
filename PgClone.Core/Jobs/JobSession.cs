using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Jobs;

/// <summary>
/// The connections of one job. Each is its own physical session (no pooling, so closing it ends the backend
/// and nothing lingers after a cancel), named <c>&lt;application_name&gt; &lt;job id&gt; &lt;role&gt;</c> so the
/// job's sessions can be told apart in pg_stat_activity. Source sessions start with default_transaction_read_only.
/// </summary>
internal sealed class JobSession(string jobId) : IAsyncDisposable
{
    private readonly List<NpgsqlConnection> _open = [];
    /// <summary>Whether the job's source database is in SQL_ASCII, once its first session started (false if it failed to).</summary>
    private readonly TaskCompletionSource<bool> _sourceSqlAscii = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ended;

    public string JobId { get; } = jobId;

    /// <param name="setup">Statements the session runs before it is handed out (its settings), or null.</param>
    public async Task<NpgsqlConnection> OpenAsync(ServerEndpoint server, string role, CancellationToken ct, string? database = null, string? setup = null)
    {
        var csb = server.Builder;
        if (database is not null) csb.Database = database;
        csb.Pooling = false;
        var name = csb.ApplicationName ?? "pgclone";
        // The role is set after the start: one connection string per job and server, so Npgsql loads the server's
        // types once for all of the job's sessions there (each load is a catalog query of 10-30 ms).
        csb.ApplicationName = Truncate($"{name} {JobId}", 63);
        // Every source session is read-only from its start, whatever the options: a clone never writes there; and
        // it fails on a table whose row security would hide rows from it, rather than copy only the rows it sees.
        if (server.Role.Reads()) csb.Options = $"{csb.Options} -c default_transaction_read_only=on -c row_security=off".TrimStart();
        // Values and definitions travel as text in one form on both servers, whatever the databases or roles set
        // (as pg_dump sets them): ISO dates, postgres intervals (sql_standard reads mixed signs otherwise), floats
        // at full precision, C money, hex bytea; and XML content fragments are accepted, in text and in binary.
        // A source's DateStyle is set to ISO after the start instead (SessionSettings), which keeps the field order
        // its database gives: output is ISO either way, and a row filter's '01/02/03' reads as in the user's psql.
        var dateStyle = server.Role.Reads() ? "" : "-c DateStyle=ISO,YMD ";
        csb.Options = $"{csb.Options} {dateStyle}-c IntervalStyle=postgres -c extra_float_digits=3 -c lc_monetary=C -c bytea_output=hex -c xmloption=content".TrimStart();
        csb.ReadBufferSize = Math.Max(csb.ReadBufferSize, 1 << 16);
        csb.WriteBufferSize = Math.Max(csb.WriteBufferSize, 1 << 16);
        // A target is written byte for byte when the source is SQL_ASCII: it asks once its own start-up is done, and
        // its first session waits there for the source's first.
        NpgsqlConnection conn;
        try { conn = await server.OpenAsync(ct, csb, server.Role == ServerRole.Target && database is null ? () => _sourceSqlAscii.Task.WaitAsync(ct) : null); }
        catch
        {
            if (server.Role == ServerRole.Source) _sourceSqlAscii.TrySetResult(false);
            throw;
        }
        if (server.Role == ServerRole.Source) _sourceSqlAscii.TrySetResult(ServerEndpoint.IsByteForByte(conn));
        try { await ExecAsync(conn, server, null, $"{NameSql(server, role)}; {SessionSettings(conn, server.Role)}{(setup is null ? "" : "; " + setup)}", ct); }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
        // Handed to the job only once started: the job ending closes what it holds at once, and a connection must
        // not be closed from there while its start-up statement runs (Npgsql's connections are not thread-safe: a
        // test run hung so, the failed job's dispose and the starting session's SET each waiting, the backend idle).
        // A start the job stopped waiting for (the other server failed first): nothing may linger after it.
        await HoldAsync(conn, $"job {JobId} ended while its session to {server.Describe()} was starting");
        return conn;
    }

    /// <summary>Hands <paramref name="conn"/> to the job, or closes it and throws <see cref="OperationCanceledException"/> when the job has ended.</summary>
    private async Task HoldAsync(NpgsqlConnection conn, string whenEnded)
    {
        bool ended;
        lock (_open)
        {
            ended = _ended;
            if (!ended) _open.Add(conn);
        }
        if (!ended) return;
        try { await conn.DisposeAsync(); } catch { /* closing anyway */ }
        throw new OperationCanceledException(whenEnded);
    }

    /// <summary>
    /// Settings a database or role may give its sessions, overridden as pg_dump's script overrides them. Limits are
    /// lifted: a clone's COPY, index build, or session waiting for the others must not be cancelled halfway (a target
    /// database with statement_timeout = 30s failed on its first large table). A target creates what the catalog read
    /// in the database's default tablespace (no TABLESPACE) there, and a table or materialized view read as heap (no
    /// USING) as heap, whatever default_tablespace and default_table_access_method its database or role sets. Each as
    /// far as the server knows it.
    /// </summary>
    private static string SessionSettings(NpgsqlConnection conn, ServerRole role) =>
        (role.Reads() ? "SET DateStyle = ISO; " : "") +
        "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0" +
        (conn.PostgreSqlVersion.Major >= 14 ? "; SET idle_session_timeout = 0" : "") +
        (conn.PostgreSqlVersion.Major >= 17 ? "; SET transaction_timeout = 0" : "") +
        (role == ServerRole.Target ? "; SET default_tablespace = ''" : "") +
        (role == ServerRole.Target && conn.PostgreSqlVersion.Major >= 12 ? "; SET default_table_access_method = heap" : "");

    /// <summary>
    /// Runs statements on a session the job holds, out of the job's hands meanwhile: the job ending then does not
    /// close it under them (see <see cref="OpenAsync"/>: Npgsql's connections are not thread-safe). A session made
    /// ready ahead, beside the run, is so (the snapshot imported into it): a run failing at once, its dispose and that
    /// import hung each other. The session is the job's again after, or closed when the job ended meanwhile (then the
    /// caller gets <see cref="OperationCanceledException"/>, or the statements' own failure).
    /// </summary>
    public async Task ApartAsync(NpgsqlConnection conn, Func<Task> use)
    {
        lock (_open)
            if (!_open.Remove(conn)) throw new OperationCanceledException($"job {JobId} ended before its session was used");
        try { await use(); }
        catch
        {
            try { await HoldAsync(conn, ""); }
            catch (OperationCanceledException) { /* the statements' own failure is the one reported */ }
            throw;
        }
        await HoldAsync(conn, $"job {JobId} ended while its session was in use");
    }

    public async Task CloseAsync(NpgsqlConnection conn)
    {
        lock (_open) _open.Remove(conn);
        try { await conn.DisposeAsync(); } catch { /* a broken connection is closed anyway */ }
    }

    public static async Task ExecAsync(NpgsqlConnection conn, ServerEndpoint server, string? objectName, string sql, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            throw PgCloneException.FromDriver(server, objectName, e);
        }
    }

    /// <summary>Whether statements can go in one batch: each must be a single statement (a semicolon may join several).</summary>
    public static bool Batchable(IEnumerable<string> sql) => !sql.Any(s => s.Contains(';'));

    /// <summary>
    /// <see cref="Batchable"/> statements in one round trip (an implicit transaction unless one is open): false when
    /// the server rejected one and the connection is still usable (the caller undoes what the batch began and falls
    /// back); a connection that broke fails, named <paramref name="objectName"/>.
    /// </summary>
    public static async Task<bool> TryBatchAsync(NpgsqlConnection conn, ServerEndpoint server, string? objectName, IReadOnlyList<string> sql, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn);
        foreach (var s in sql) batch.BatchCommands.Add(new NpgsqlBatchCommand(s));
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (PostgresException) when (conn.FullState == System.Data.ConnectionState.Open)
        {
            return false;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            throw PgCloneException.FromDriver(server, objectName, e);
        }
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, ServerEndpoint server, string sql, CancellationToken ct, params object[] args)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
            return (T)(await FirstValueAsync(cmd, ct))!;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            throw PgCloneException.FromDriver(server, null, e);
        }
    }

    /// <summary>
    /// ExecuteScalarAsync's result (null without a row, DBNull for NULL) read through a reader: Npgsql's scalar reads
    /// its value synchronously, and a value larger than what has arrived then blocks on the socket — for good on the
    /// socket event thread, where the CLI runs completions (a 30 MB large object hung a clone so). ReadAsync buffers the row.
    /// </summary>
    public static async Task<object?> FirstValueAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? reader.GetValue(0) : null;
    }

    /// <summary>Names a session of the job by its <paramref name="role"/> (<c>&lt;application_name&gt; &lt;job id&gt; &lt;role&gt;</c>).</summary>
    public string NameSql(ServerEndpoint server, string role) =>
        $"SET application_name = {Sql.Literal(Truncate($"{server.Builder.ApplicationName ?? "pgclone"} {JobId} {role}", 63))}";

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection[] open;
        lock (_open) { _ended = true; open = [.. _open]; _open.Clear(); }
        await Task.WhenAll(open.Select(async c => { try { await c.DisposeAsync(); } catch { /* closing anyway */ } }));
    }
}
