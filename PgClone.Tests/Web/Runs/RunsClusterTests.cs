using PgClone.Core;
using PgClone.Tests.Fixtures;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Runs;

/// <summary>Several console instances on one console database, and one console restarted mid-run.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class RunsClusterTests(PgServersFixture fx)
{
    [Fact]
    public async Task A_run_started_on_A_runs_once_streams_to_B_and_B_finishes_it_after_A_is_killed_mid_copy()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("runs_cluster_console");
        var data = await fx.Servers.CreateDatabasesAsync("runs_cluster");
        await SeedSourceAsync(data.Source);
        await SlowTargetAsync(data.Target);
        var settings = RunsConsole.Settings(consoleDb.Source);
        int sourceId, targetId;
        await using (var seed = await RunsConsole.StartAsync(settings, data))
            (sourceId, targetId) = (seed.SourceId, seed.TargetId);

        await using var a = await ProcessConsole.StartAsync(new Dictionary<string, string>(settings) { ["PgClone:Runs:InstanceId"] = "console-a" });
        await using var b = await ProcessConsole.StartAsync(new Dictionary<string, string>(settings) { ["PgClone:Runs:InstanceId"] = "console-b" });
        var (httpA, _) = await LogInAsync(a.Url, RunsConsole.Operator);
        var (httpB, cookiesB) = await LogInAsync(b.Url, RunsConsole.Operator);
        await using var hubB = await HubWatcher.ConnectAsync(b.Url, cookiesB);

        var id = await StartAsync(httpA, new RunRequest("schema", sourceId, targetId, Schema));
        // Progress of a run executing on A reaches a client of B (LISTEN/NOTIFY between the instances).
        var midway = await hubB.WaitAsync(id, p => p.TablesCompleted >= 1 && !p.IsFinished);
        Assert.Equal(RunStatus.Running, midway.Status);
        var running = await GetAsync(httpB, id);
        Assert.Equal("console-a", running.Run.Instance);

        await a.KillAsync();
        var done = await WaitFinishedAsync(httpB, id, TimeSpan.FromSeconds(90));
        Assert.Equal((RunStatus.Succeeded, (string?)null, "console-b"), (done.Run.Status, done.Run.Error, done.Run.Instance));
        Assert.Contains(done.Tables, t => t.Status == "kept");
        Assert.Equal(Tables.Count, done.Tables.Count);
        Assert.All(done.Tables, t => Assert.Equal(Tables[Unqualified(t.Table)], t.Rows));
        await AssertChecksumsEqualAsync(data.Source, data.Target);
        // The final progress is relayed after the run's row is saved: it may reach B's client just after the API says so.
        Assert.Equal(RunStatus.Succeeded, (await hubB.WaitAsync(id, p => p.IsFinished)).Status);
    }

    [Fact]
    public async Task A_run_survives_a_restart_of_the_console_and_finishes_from_its_checkpoint()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("runs_restart_console");
        var data = await fx.Servers.CreateDatabasesAsync("runs_restart");
        await SeedSourceAsync(data.Source);
        await SlowTargetAsync(data.Target);
        var settings = RunsConsole.Settings(consoleDb.Source);
        long id;
        await using (var first = await RunsConsole.StartAsync(settings, data))
        {
            var (http, cookies) = await LogInAsync(first.Url, RunsConsole.Operator);
            await using var hub = await HubWatcher.ConnectAsync(first.Url, cookies);
            id = await StartAsync(http, new RunRequest("schema", first.SourceId, first.TargetId, Schema, Options: new CloneOptions { Parallel = 2 }));
            await hub.WaitAsync(id, p => p.TablesCompleted >= 1 && !p.IsFinished);
        }
        await using var second = await RunsConsole.StartAsync(settings, data, seed: false);
        var (http2, _) = await LogInAsync(second.Url, RunsConsole.Operator);
        var done = await WaitFinishedAsync(http2, id, TimeSpan.FromSeconds(60));
        Assert.Equal((RunStatus.Succeeded, (string?)null), (done.Run.Status, done.Run.Error));
        Assert.Contains(done.Tables, t => t.Status == "kept");
        await AssertChecksumsEqualAsync(data.Source, data.Target);
    }
}
