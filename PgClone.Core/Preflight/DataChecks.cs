using System.Globalization;
using System.Net;
using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Preflight;

/// <summary>Rows and bytes per table (the planner's estimates), the expected duration, and the target's free disk space when it can be read.</summary>
internal static class DataChecks
{
    public static IEnumerable<PreflightCheck> Sizes(ClonePlan plan)
    {
        foreach (var t in plan.Tables.OrderBy(t => t.Target))
            yield return new PreflightCheck("size", PreflightStatus.Ok, $"{RowsOf(t.EstimatedRows)}, {Size(t.EstimatedBytes)}", $"table {t.Target}");
        var unknown = plan.Tables.Count(t => t.EstimatedRows < 0);
        yield return new PreflightCheck("size.total", PreflightStatus.Ok,
            $"{Words.Count(plan.Tables.Count, "table")}, about {Words.Count(plan.Tables.Sum(t => Math.Max(0, t.EstimatedRows)), "row")}" +
            $"{(unknown > 0 ? $" ({unknown} never analyzed, not counted)" : "")}, {Size(Bytes(plan))}");
    }

    /// <summary>The planner's estimate; a table never analyzed (nor vacuumed) has none (reltuples = -1), which is not 0 rows.</summary>
    private static string RowsOf(long estimate) => estimate < 0 ? "rows not estimated (never analyzed)" : $"about {Words.Count(estimate, "row")}";

    public static PreflightCheck Duration(ClonePlan plan, PreflightOptions options)
    {
        var seconds = Bytes(plan) / Math.Max(1, options.ThroughputBytesPerSecond);
        return new PreflightCheck("duration", PreflightStatus.Ok, string.Create(CultureInfo.InvariantCulture,
            $"about {Math.Ceiling(seconds):0} s for the data at {Size((long)options.ThroughputBytesPerSecond)}/s (indexes and constraints come on top)"));
    }

    /// <summary>
    /// PostgreSQL has no SQL function that reports free disk space. When the target runs on this machine and its user
    /// may read data_directory (superuser or pg_read_all_settings), the file system is asked directly; otherwise the
    /// check says it cannot tell.
    /// </summary>
    public static async Task<PreflightCheck> DiskAsync(NpgsqlConnection target, ServerEndpoint server, ClonePlan plan, CancellationToken ct)
    {
        var needed = Bytes(plan);
        var directory = (await PreflightSql.RowsAsync(target, server,
            "SELECT setting FROM pg_catalog.pg_settings WHERE name = 'data_directory'", r => r.GetString(0), ct)).FirstOrDefault();
        if (directory is not null && IsLocal(server.Host) && Directory.Exists(directory))
        {
            var free = new DriveInfo(directory).AvailableFreeSpace;
            return free >= needed
                ? new PreflightCheck("disk", PreflightStatus.Ok, $"{Size(free)} free on the target's data directory; the data needs about {Size(needed)} (indexes come on top)")
                : new PreflightCheck("disk", PreflightStatus.Blocker, $"only {Size(free)} free on the target's data directory; the data needs about {Size(needed)}");
        }
        return new PreflightCheck("disk", PreflightStatus.Warning, $"free disk space on the target is not readable " +
            $"({(directory is null ? "data_directory needs superuser or pg_read_all_settings" : "the server is on another machine")}): make sure about {Size(needed)} plus indexes is free");
    }

    private static bool IsLocal(string host) =>
        host.StartsWith('/') || host is "localhost" || IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);

    private static long Bytes(ClonePlan plan) => plan.Tables.Sum(t => Math.Max(0, t.EstimatedBytes));

    internal static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} kB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
