using Npgsql;
using PgClone.Core.LocalServer;

namespace PgClone.Tests.Fixtures;

/// <summary>
/// The two PostgreSQL servers every test talks to: a "source" and a "target" cluster, because clones cross
/// servers. Started once per test process from the installed server binaries and stopped at exit; tests stay
/// parallel-safe by each creating databases of their own. PGCLONE_TEST_SOURCE / PGCLONE_TEST_TARGET point the
/// suite at existing servers instead (their users must be able to CREATE DATABASE and CREATE ROLE); without them,
/// two postgres:15 containers are used when a Docker engine answers (see <see cref="TestServerChoice"/>).
/// </summary>
public sealed class PgServers
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PgServers? _instance;
    private readonly List<LocalCluster> _owned = [];
    private string? _root;

    public string SourceAdmin { get; private set; } = "";
    public string TargetAdmin { get; private set; } = "";

    public static async Task<PgServers> GetAsync()
    {
        if (_instance is not null) return _instance;
        await Gate.WaitAsync();
        try { return _instance ??= await StartAsync(); }
        finally { Gate.Release(); }
    }

    /// <summary>
    /// A new empty directory the servers may write to (a tablespace's location), removed with the throwaway clusters;
    /// in the temp directory when the servers are not this process's own.
    /// </summary>
    public async Task<string> NewServerDirectoryAsync(string prefix)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root ?? Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}")).FullName;
        // The servers run as postgres when the tests run as root.
        if (Environment.UserName != "root") return dir;
        using var chown = System.Diagnostics.Process.Start("chown", ["postgres", dir]);
        await chown.WaitForExitAsync();
        if (chown.ExitCode != 0) throw new InvalidOperationException($"chown postgres {dir} failed");
        return dir;
    }

    private static async Task<PgServers> StartAsync()
    {
        var servers = new PgServers();
        var source = Environment.GetEnvironmentVariable("PGCLONE_TEST_SOURCE");
        var target = Environment.GetEnvironmentVariable("PGCLONE_TEST_TARGET");
        var docker = TestServerChoice.DockerEndpoint(Environment.GetEnvironmentVariable("DOCKER_HOST"), File.Exists("/var/run/docker.sock"));
        var kind = TestServerChoice.Choose(source, target, await TestServerChoice.DockerAnswersAsync(docker, TimeSpan.FromSeconds(2)));
        await Console.Error.WriteLineAsync(TestServerChoice.Describe(kind));
        var settings = new Dictionary<string, string>
        {
            ["fsync"] = "off", ["synchronous_commit"] = "off", ["full_page_writes"] = "off",
            ["max_connections"] = "1000", ["shared_buffers"] = "128MB", ["max_wal_size"] = "2GB",
            // Tests create databases and never drop them, and autovacuum visits every database once a minute: with
            // 800 of them an idle cluster spent 57% of a core on its workers. Turned off, the pair's CPU over the suite
            // fell from 1,260 to 750 s and the suite from 1,368 to 1,126 s. The engine analyzes what it copies itself;
            // no test waits for autovacuum.
            ["autovacuum"] = "off",
        };
        if (kind == TestServerKind.Environment)
        {
            servers.SourceAdmin = source!;
            servers.TargetAdmin = target!;
            return servers;
        }
        if (kind == TestServerKind.Testcontainers)
        {
            (servers.SourceAdmin, servers.TargetAdmin) = await ContainerServers.StartAsync(settings);
            return servers;
        }
        ReapAbandonedClusters();
        servers._root = Path.Combine(Path.GetTempPath(), $"pgclone-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(servers._root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => servers.StopAll();
        var started = await Task.WhenAll(
            StartOneAsync(Path.Combine(servers._root, "source"), settings),
            StartOneAsync(Path.Combine(servers._root, "target"), settings));
        servers._owned.AddRange(started);
        servers.SourceAdmin = started[0].ConnectionString();
        servers.TargetAdmin = started[1].ConnectionString();
        return servers;
    }

    private static async Task<LocalCluster> StartOneAsync(string dir, IReadOnlyDictionary<string, string> settings)
    {
        var cluster = await LocalCluster.OpenAsync(dir, "pgclone-test");
        await cluster.StartAsync(0, settings);
        return cluster;
    }

    private void StopAll()
    {
        Parallel.ForEach(_owned, c => c.StopImmediately());
        if (_root is not null) try { Directory.Delete(_root, recursive: true); } catch { /* best effort */ }
    }

    /// <summary>Clusters of test processes that were killed before their exit handler ran.</summary>
    private static void ReapAbandonedClusters()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "pgclone-tests-*"))
        {
            var parts = Path.GetFileName(dir).Split('-');
            if (parts.Length < 3 || !int.TryParse(parts[2], out var pid) || ProcessExists(pid)) continue;
            foreach (var side in new[] { "source", "target" })
                if (File.Exists(Path.Combine(dir, side, "postmaster.pid")))
                    LocalCluster.StopImmediately(LocalCluster.FindBinaries(), Path.Combine(dir, side), Environment.UserName == "root");
            try { Directory.Delete(dir, recursive: true); } catch { /* in use by a server still stopping */ }
        }
    }

    private static bool ProcessExists(int pid)
    {
        try { return !System.Diagnostics.Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>Creates a fresh, uniquely named database on each server and returns their connection strings.</summary>
    public async Task<TestDatabases> CreateDatabasesAsync(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();
        await Task.WhenAll(ExecAsync(SourceAdmin, $"CREATE DATABASE \"{name}\""), ExecAsync(TargetAdmin, $"CREATE DATABASE \"{name}\""));
        return new TestDatabases(name, WithDatabase(SourceAdmin, name), WithDatabase(TargetAdmin, name));
    }

    /// <summary>The libpq key=value form of a test connection string, as users type it on the command line.</summary>
    public static string Conninfo(string cs)
    {
        var b = new NpgsqlConnectionStringBuilder(cs);
        return $"host={b.Host} port={b.Port} dbname={b.Database} user={b.Username} password={b.Password}";
    }

    public static string WithDatabase(string cs, string db) => new NpgsqlConnectionStringBuilder(cs) { Database = db }.ConnectionString;

    public static async Task ExecAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public static async Task<List<object?[]>> RowsAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}

/// <summary>One database of the same name on the source and on the target server.</summary>
public sealed record TestDatabases(string Name, string Source, string Target);

/// <summary>xunit class fixture handing out the shared servers.</summary>
public sealed class PgServersFixture : IAsyncLifetime
{
    public PgServers Servers { get; private set; } = null!;
    public async Task InitializeAsync() => Servers = await PgServers.GetAsync();
    public Task DisposeAsync() => Task.CompletedTask;
}
