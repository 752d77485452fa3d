using PgClone.Core.LocalServer;

namespace PgClone.Tests.Fixtures;

/// <summary>
/// A source and a target cluster of a test class's own, apart from the shared <see cref="PgServers"/>: for tests
/// that crash a server, or that need a server set up differently.
/// </summary>
public abstract class PrivateServers(IReadOnlyDictionary<string, string> settings) : IAsyncLifetime
{
    /// <summary>Where the clusters (and anything else of this fixture's) live; removed at the end.</summary>
    protected string Root { get; private set; } = "";

    public LocalCluster Source { get; private set; } = null!;
    public LocalCluster Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The pgclone-tests-<pid>- prefix lets PgServers reap these if the test process is killed.
        Root = Path.Combine(Path.GetTempPath(), $"pgclone-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var searchPath = await BinariesAsync();
        var clusters = await Task.WhenAll(OpenAsync("source", searchPath), OpenAsync("target", searchPath));
        (Source, Target) = (clusters[0], clusters[1]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { Source.StopImmediately(); Target.StopImmediately(); };
    }

    /// <summary>Where initdb and pg_ctl are looked for; null: the installed server.</summary>
    protected virtual Task<string[]?> BinariesAsync() => Task.FromResult<string[]?>(null);

    private async Task<LocalCluster> OpenAsync(string side, string[]? searchPath)
    {
        var cluster = await LocalCluster.OpenAsync(Path.Combine(Root, side), "pgclone-test", searchPath: searchPath);
        await cluster.StartAsync(0, settings);
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

    public virtual async Task DisposeAsync()
    {
        await Task.WhenAll(Source.DisposeAsync().AsTask(), Target.DisposeAsync().AsTask());
        try { Directory.Delete(Root, recursive: true); } catch { /* best effort */ }
    }
}
