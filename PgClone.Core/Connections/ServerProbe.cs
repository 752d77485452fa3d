using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace PgClone.Core.Connections;

/// <summary>What a quick connection test learned: the server and what its user may do, or why it failed.</summary>
public sealed record ProbeResult(bool Ok, string? ServerVersion, TimeSpan Latency, bool IsSuperuser, bool CanCreateDatabases, bool CanCreateRoles, string? Error)
{
    /// <summary>One line for a page, the CLI or an API client.</summary>
    public string Summary => Ok
        ? $"PostgreSQL {ServerVersion} · {Latency.TotalMilliseconds:0.#} ms · " + string.Join(" · ", new[]
          {
              IsSuperuser ? "superuser" : "not superuser",
              CanCreateDatabases ? "may create databases" : "may not create databases",
              CanCreateRoles ? "may create roles" : "may not create roles",
          })
        : Error!;
}

/// <summary>
/// Tests a connection the way a user asks "does this work?": connect with a short timeout, read the version and
/// the user's powers, measure one round trip. A failure becomes one line (wrong password, unknown host, timeout,
/// SSL required...) that names the server; the password is never part of it.
/// </summary>
public static class ServerProbe
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public static async Task<ProbeResult> ProbeAsync(ServerEndpoint server, CancellationToken ct, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var csb = server.Builder;
        csb.Timeout = Math.Max(1, (int)Math.Ceiling(limit.TotalSeconds));
        csb.Pooling = false;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit + TimeSpan.FromSeconds(1));
        try
        {
            // Opened as the engine opens a database it reads, so a SQL_ASCII database whose text is not UTF-8 tests
            // as it clones, a target one too (its enum labels may refuse a UTF-8 start-up): the test reads only ASCII.
            await using var conn = await (server with { Role = ServerRole.Source }).OpenAsync(deadline.Token, csb);
            var clock = Stopwatch.StartNew();
            await using (var ping = new NpgsqlCommand("SELECT 1", conn))
                await ping.ExecuteScalarAsync(deadline.Token);
            var latency = clock.Elapsed;
            await using var cmd = new NpgsqlCommand(
                "SELECT current_setting('server_version'), r.rolsuper, r.rolcreatedb, r.rolcreaterole FROM pg_roles r WHERE r.rolname = current_user", conn);
            await using var reader = await cmd.ExecuteReaderAsync(deadline.Token);
            await reader.ReadAsync(deadline.Token);
            return new ProbeResult(true, reader.GetString(0), latency, reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), null);
        }
        catch (Exception e) when (Driver(e) is NpgsqlException or TimeoutException or SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new ProbeResult(false, null, TimeSpan.Zero, false, false, false, $"{server.Describe()}: {Explain(Driver(e), csb, limit)}");
        }
    }

    /// <summary>The driver's own exception, out of the one opening the connection wraps it in.</summary>
    private static Exception Driver(Exception e) => e is PgCloneException { InnerException: { } inner } ? inner : e;

    /// <summary>The driver's exception as the one thing the user must fix.</summary>
    public static string Explain(Exception e, NpgsqlConnectionStringBuilder csb, TimeSpan timeout)
    {
        if (e is PostgresException pg)
            return pg.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword => $"wrong password for user '{csb.Username}'",
                PostgresErrorCodes.InvalidAuthorizationSpecification when pg.MessageText.Contains("no encryption", StringComparison.Ordinal) =>
                    $"SSL required: the server accepts user '{csb.Username}' only over SSL (set SSL mode to Require)",
                PostgresErrorCodes.InvalidAuthorizationSpecification => $"access denied: {pg.MessageText}",
                PostgresErrorCodes.InvalidCatalogName => $"database '{csb.Database}' does not exist",
                // A role's or a database's own limit ("too many connections for role ...") is not the server's.
                PostgresErrorCodes.TooManyConnections when pg.MessageText.StartsWith("too many connections for ", StringComparison.Ordinal) =>
                    $"{pg.MessageText}: its CONNECTION LIMIT is reached (a run opens one session per parallel worker, and a few more)",
                PostgresErrorCodes.TooManyConnections => "the server has no free connection slot",
                _ => pg.MessageText,
            };
        if (Find<SocketException>(e) is { } s)
            return s.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => $"unknown host '{csb.Host}'",
                SocketError.ConnectionRefused => $"connection refused: nothing listens on {csb.Host}:{csb.Port}",
                SocketError.TimedOut => $"timed out after {timeout.TotalSeconds:0} s connecting to {csb.Host}:{csb.Port}",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => $"host '{csb.Host}' is unreachable",
                _ => $"cannot connect to {csb.Host}:{csb.Port}: {s.Message}",
            };
        if (PgCloneException.NoServerQualifies(e, csb) is { } unqualified) return unqualified;
        if (e.Message.StartsWith("Received unknown response", StringComparison.Ordinal))
            return $"{csb.Host}:{csb.Port} is not a PostgreSQL server (it answered in another protocol)";
        if (e.Message.StartsWith("SSL connection requested", StringComparison.Ordinal))
            return "SSL required by this connection, but the server does not accept SSL connections";
        if (Find<TimeoutException>(e) is not null || e is OperationCanceledException)
            return $"timed out after {timeout.TotalSeconds:0} s connecting to {csb.Host}:{csb.Port}";
        if (e.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase) || e.InnerException is System.Security.Authentication.AuthenticationException)
            return $"SSL failed: {Innermost(e).Message}";
        return Innermost(e).Message;
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T t) return t;
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
