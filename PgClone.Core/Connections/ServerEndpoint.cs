using Npgsql;

namespace PgClone.Core.Connections;

/// <summary>Which side of a clone a server is on; used in every error message.</summary>
public enum ServerRole { Source, Target }

/// <summary>
/// A server PgClone talks to: its role, a display name (the console's connection name, or host:port), and the
/// Npgsql connection string. Every error about a server is phrased through <see cref="Describe"/>.
/// </summary>
public sealed record ServerEndpoint(ServerRole Role, string Name, string ConnectionString)
{
    public static ServerEndpoint Parse(ServerRole role, string conninfo, string? name = null)
    {
        var csb = ConnInfo.Parse(conninfo, role);
        return new ServerEndpoint(role, name ?? $"{csb.Host}:{csb.Port}/{csb.Database}", csb.ConnectionString);
    }

    public NpgsqlConnectionStringBuilder Builder => new(ConnectionString);

    public string Host => Builder.Host ?? "localhost";
    public int Port => Builder.Port;
    public string? Database => Builder.Database;

    /// <summary>source 'prod' (db.example:5432)</summary>
    public string Describe() => $"{(Role == ServerRole.Source ? "source" : "target")} '{Name}' ({Host}:{Port})";

    /// <summary>The same server, another database.</summary>
    public ServerEndpoint WithDatabase(string database)
    {
        var b = Builder;
        b.Database = database;
        return this with { ConnectionString = b.ConnectionString };
    }

    /// <summary>
    /// Opens a connection to this server; any failure (refused, wrong password, unknown database) becomes one
    /// PgCloneException that names the server. <paramref name="settings"/> replaces the connection string when a
    /// caller tunes it (pooling, application_name, buffers).
    /// </summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct, NpgsqlConnectionStringBuilder? settings = null)
    {
        var conn = new NpgsqlConnection(settings?.ConnectionString ?? ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            return conn;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await conn.DisposeAsync();
            throw PgCloneException.FromDriver(this, null, e);
        }
    }

    public override string ToString() => Describe();
}
