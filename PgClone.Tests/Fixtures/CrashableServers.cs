using PgClone.Core.LocalServer;

namespace PgClone.Tests.Fixtures;

/// <summary>
/// Clusters its tests may stop as a crash would and restart: the shared <see cref="PgServers"/> must stay up for
/// every other test. Unlike those, these keep the server default synchronous_commit = on, so what survives an
/// immediate stop is what the engine made durable (fsync stays off: an immediate stop loses the WAL not yet
/// written, not what the OS holds).
/// </summary>
public sealed class CrashableServers() : PrivateServers(Settings)
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["fsync"] = "off", ["full_page_writes"] = "off", ["max_connections"] = "100", ["shared_buffers"] = "32MB",
    };

    /// <summary>Stops the cluster as a crash would (pg_ctl stop -m immediate), waiting until it is down.</summary>
    public static Task CrashAsync(LocalCluster cluster) => cluster.StopAsync(immediate: true);

    /// <summary>Starts the cluster again on its port (crash recovery runs first).</summary>
    public static Task RestartAsync(LocalCluster cluster) => cluster.StartAsync(cluster.Port, Settings);
}
