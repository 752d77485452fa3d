using PgClone.Core.LocalServer;

namespace PgClone.Tests.Fixtures;

/// <summary>
/// A source and a target cluster of a test class's own, which its tests may stop as a crash would and restart:
/// the shared <see cref="PgServers"/> must stay up for every other test. Unlike those, these keep the server
/// default synchronous_commit = on, so what survives an immediate stop is what the engine made durable (fsync
/// stays off: an immediate stop loses the WAL not yet written, not what the OS holds).
/// </summary>
public sealed class CrashableServers : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["fsync"] = "off", ["full_page_writes"] = "off", ["max_connections"] = "100", ["shared_buffers"] = "32MB",
    };

    private string _root = "";

    public LocalCluster Source { get; private set; } = null!;
    public LocalCluster Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The pgclone-tests-<pid>- prefix lets PgServers reap these if the test process is killed.
        _root = Path.Combine(Path.GetTempPath(), $"pgclone-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var clusters = await Task.WhenAll(OpenAsync("source"), OpenAsync("target"));
        (Source, Target) = (clusters[0], clusters[1]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { Source.StopImmediately(); Target.StopImmediately(); };
    }

    private async Task<LocalCluster> OpenAsync(string side)
    {
        var cluster = await LocalCluster.OpenAsync(Path.Combine(_root, side), "pgclone-test");
        await cluster.StartAsync(0, Settings);
        return cluster;
    }

    /// <summary>Creates a database of this name on both clusters; returns their connection strings.</summary>
    public async Task<TestDatabases> CreateDatabasesAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();
        await Task.WhenAll(PgServers.ExecAsync(Unpooled(Source), $"CREATE DATABASE \"{name}\""),
            PgServers.ExecAsync(Unpooled(Target), $"CREATE DATABASE \"{name}\""));
        return new TestDatabases(name, Unpooled(Source, name), Unpooled(Target, name));
    }

    /// <summary>No pooling: a pooled connection would outlive the server it was opened to.</summary>
    public static string Unpooled(LocalCluster cluster, string database = "postgres") => cluster.ConnectionString(database) + ";Pooling=false";

    /// <summary>Stops the cluster as a crash would (pg_ctl stop -m immediate), waiting until it is down.</summary>
    public static Task CrashAsync(LocalCluster cluster) => cluster.StopAsync(immediate: true);

    /// <summary>Starts the cluster again on its port (crash recovery runs first).</summary>
    public static Task RestartAsync(LocalCluster cluster) => cluster.StartAsync(cluster.Port, Settings);

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Source.DisposeAsync().AsTask(), Target.DisposeAsync().AsTask());
        try { Directory.Delete(_root, recursive: true); } catch { /* best effort */ }
    }
}
