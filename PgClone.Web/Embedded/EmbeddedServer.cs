using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.LocalServer;

namespace PgClone.Web.Embedded;

/// <summary>
/// The console's private PostgreSQL cluster, used when no ConnectionStrings:PgClone is configured. Its generated
/// superuser password lives in a 0600 file beside the data directory (pgdata.password) and its last port in
/// pgdata.port, so the next start reuses both. Stopped when the host stops. While the console runs it holds
/// pgdata.lock, so a second console on the same directory stops with one line instead of taking the server over.
/// </summary>
public sealed class EmbeddedServer(IOptions<PgCloneOptions> options, ILogger<EmbeddedServer> logger) : IHostedService, IAsyncDisposable
{
    private LocalCluster? _cluster;
    private FileStream? _lock;

    public LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("the embedded server is not started");

    /// <summary>The port of the previous run when it differs from this one, so stored connections can follow.</summary>
    public int? PreviousPort { get; private set; }

    public async Task<LocalCluster> StartAsync(CancellationToken ct)
    {
        var o = options.Value;
        var dataDir = o.ResolvedDataDirectory;
        var binDir = LocalCluster.FindBinaries(o.BinSearchPath);
        if (o.EmbeddedPort != 0) LocalCluster.EnsurePortFree(o.EmbeddedPort); // before a slow initdb
        _lock = Lock(dataDir);
        var password = await ReadOrCreatePasswordAsync(dataDir, ct);
        var cluster = await LocalCluster.OpenAsync(dataDir, password, ct, [binDir]);
        // We hold the lock, so a server still running here was left by a console that was killed: stop it.
        await StopOrphanAsync(binDir, dataDir, ct);

        var portFile = dataDir + ".port";
        var previous = File.Exists(portFile) && int.TryParse(await File.ReadAllTextAsync(portFile, ct), out var p) ? p : (int?)null;
        var port = o.EmbeddedPort != 0 ? o.EmbeddedPort : previous is { } prev && IsFree(prev) ? prev : 0;
        await cluster.StartAsync(port, ct: ct);
        _cluster = cluster;
        await File.WriteAllTextAsync(portFile, cluster.Port.ToString(), ct);
        PreviousPort = previous is { } old && old != cluster.Port ? old : null;
        logger.LogInformation("Embedded PostgreSQL server in {DataDirectory} on 127.0.0.1:{Port}", dataDir, cluster.Port);
        return cluster;
    }

    private static FileStream Lock(string dataDir)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(dataDir)!);
        try { return new FileStream(dataDir + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException)
        {
            throw new PgCloneException($"data directory {dataDir} is in use by another running PgClone console: stop that console or choose another data directory (PgClone:DataDirectory)");
        }
    }

    private static async Task StopOrphanAsync(string binDir, string dataDir, CancellationToken ct)
    {
        var pidFile = Path.Combine(dataDir, "postmaster.pid");
        if (!File.Exists(pidFile)) return;
        LocalCluster.StopImmediately(binDir, dataDir, Environment.UserName == "root");
        for (var i = 0; i < 100 && File.Exists(pidFile); i++) await Task.Delay(100, ct);
    }

    /// <summary>Creates <paramref name="database"/> on the cluster unless it exists; true when it was created.</summary>
    public static async Task<bool> CreateDatabaseIfMissingAsync(LocalCluster cluster, string database, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cluster.ConnectionString());
        await conn.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", conn) { Parameters = { new() { Value = database } } };
        if ((bool)(await exists.ExecuteScalarAsync(ct))!) return false;
        await using var create = new NpgsqlCommand($"CREATE DATABASE {Sql.Ident(database)}", conn);
        await create.ExecuteNonQueryAsync(ct);
        return true;
    }

    public static async Task ExecAsync(LocalCluster cluster, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cluster.ConnectionString());
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<string> ReadOrCreatePasswordAsync(string dataDir, CancellationToken ct)
    {
        var file = dataDir + ".password";
        if (File.Exists(file)) return (await File.ReadAllTextAsync(file, ct)).Trim();
        if (File.Exists(Path.Combine(dataDir, "PG_VERSION")))
            throw new PgCloneException($"data directory {dataDir} holds a cluster but its password file {file} is missing: restore the file or choose another data directory");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var password = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(file, fileOptions))
        await using (var writer = new StreamWriter(stream))
            await writer.WriteLineAsync(password);
        return password;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException) { return false; }
    }

    Task IHostedService.StartAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken ct)
    {
        if (_cluster is not null)
        {
            logger.LogInformation("Stopping the embedded PostgreSQL server");
            await _cluster.StopAsync(CancellationToken.None);
            // Pooled connections to the stopped server are dead; a host restarted in this process must not get them.
            NpgsqlConnection.ClearAllPools();
        }
        ReleaseLock();
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        ReleaseLock();
    }

    private void ReleaseLock()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
