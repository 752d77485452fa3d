using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Refresh;

namespace PgClone.Web.Runs;

/// <summary>
/// One target database is written by one run at a time, across the cluster: a run holds a session-level advisory
/// lock on its target's key (<c>host:port/database</c>) in the console database while it executes. The lock lives in a
/// session of its own, so an instance that dies releases it with its connection.
/// </summary>
public sealed class RunTargets(ConsoleDataSource data)
{
    /// <summary>The advisory lock's key for the target given as $1.</summary>
    internal const string LockKey = "pg_catalog.hashtextextended('pgclone-target:' || $1, 0)";

    /// <summary>
    /// What a run writes: the database (database-create's new name, or the target connection's database), or the whole
    /// server for roles, which are cluster-wide.
    /// </summary>
    public static string Key(string operation, ServerEndpoint source, ServerEndpoint target, string? schema, string? table, CloneOptions? options)
    {
        var server = $"{target.Host}:{target.Port}";
        if (RunOperations.ToClone(operation) is not { } op) return server;
        var database = op == CloneOperation.DatabaseCreate
            ? ZeroDowntimeRefresh.LiveDatabase(new CloneRequest(op, source, target, schema, table, options))
            : target.Database ?? "";
        return $"{server}/{database}";
    }

    /// <summary>The lock on a target, or null when another run holds it.</summary>
    public async Task<TargetLease?> TryAcquireAsync(string key, CancellationToken ct)
    {
        var conn = await data.Source.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = new NpgsqlCommand($"SELECT pg_catalog.pg_try_advisory_lock({RunTargets.LockKey})", conn);
            cmd.Parameters.AddWithValue(key);
            if ((bool)(await cmd.ExecuteScalarAsync(ct))!) return new TargetLease(conn, key);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
        await conn.DisposeAsync();
        return null;
    }
}

/// <summary>A held target lock; disposing it releases the lock.</summary>
public sealed class TargetLease(NpgsqlConnection conn, string key) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var cmd = new NpgsqlCommand($"SELECT pg_catalog.pg_advisory_unlock({RunTargets.LockKey})", conn);
            cmd.Parameters.AddWithValue(key);
            await cmd.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (NpgsqlException) { /* a broken session released its locks when it broke */ }
        finally { await conn.DisposeAsync(); }
    }
}
