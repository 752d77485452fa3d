using System.Diagnostics;
using PgClone.Core.LocalServer;

namespace PgClone.Tests.Fixtures;

/// <summary>
/// A source cluster with a hot standby streaming from it (a read replica, which is what production is usually
/// cloned from), and a target. The standby starts on first use.
/// </summary>
public sealed class StandbyServers() : PrivateServers(Settings)
{
    // A standby needs max_connections at least the primary's; both get the same settings.
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["fsync"] = "off", ["max_connections"] = "100", ["shared_buffers"] = "32MB",
    };

    private LocalCluster? _standby;
    private readonly SemaphoreSlim _starting = new(1, 1);

    /// <summary>The standby of <see cref="PrivateServers.Source"/>, made with pg_basebackup and started in recovery.</summary>
    public async Task<LocalCluster> StandbyAsync()
    {
        await _starting.WaitAsync();
        try
        {
            if (_standby is not null) return _standby;
            var dir = Path.Combine(Root, "standby");
            Directory.CreateDirectory(dir);
            var asPostgres = Environment.UserName == "root";
            if (asPostgres)
            {
                await RunAsync("chown", ["postgres:postgres", dir], false);
                await RunAsync("chmod", ["700", dir], false);
            }
            // -R writes primary_conninfo and standby.signal: the copy starts as a standby streaming from the source. A fast
            // checkpoint: the default spreads it over minutes.
            await RunAsync("/usr/bin/pg_basebackup",
                ["-h", "127.0.0.1", "-p", Source.Port.ToString(), "-U", LocalCluster.Superuser, "-D", dir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"], asPostgres);
            var standby = await LocalCluster.OpenAsync(dir, Source.Password);
            await standby.StartAsync(0, Settings);
            return _standby = standby;
        }
        finally { _starting.Release(); }
    }

    /// <summary>Waits until the standby has replayed everything the source wrote so far.</summary>
    public async Task CaughtUpAsync()
    {
        var standby = await StandbyAsync();
        var lsn = await PgServers.ScalarAsync<string>(Unpooled(Source), "SELECT pg_current_wal_lsn()::text");
        for (var i = 0; i < 600; i++)
        {
            if (await PgServers.ScalarAsync<bool>(Unpooled(standby), $"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn")) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"the standby did not replay up to {lsn} in 30 s");
    }

    public override async Task DisposeAsync()
    {
        if (_standby is not null) await _standby.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres)
    {
        var psi = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres) foreach (var a in new[] { "-u", "postgres", "--", file }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PGPASSWORD"] = Source.Password;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} failed: {await stderr}");
    }
}
