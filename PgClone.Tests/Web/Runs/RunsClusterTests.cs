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
    public async Task A_run_executes_once_on_one_of_two_consoles_streams_to_the_other_which_finishes_it_after_the_first_is_killed_mid_copy()
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
        var (httpA, cookiesA) = await LogInAsync(a.Url, RunsConsole.Operator);
        var (httpB, cookiesB) = await LogInAsync(b.Url, RunsConsole.Operator);
        await using var hubA = await HubWatcher.ConnectAsync(a.Url, cookiesA);
        await using var hubB = await HubWatcher.ConnectAsync(b.Url, cookiesB);

        var id = await StartAsync(httpA, new RunRequest("schema", sourceId, targetId, Schema));
        await hubA.WaitAsync(id, p => p.TablesCompleted >= 1 && !p.IsFinished);
        // The run executes on whichever console's scheduler takes its trigger first from the shared job store: usually
        // A, which was signalled when it was started there, but B when its own scheduler polls at that moment.
        var running = await GetAsync(httpA, id);
        var onA = running.Run.Instance == "console-a";
        Assert.Equal(onA ? "console-a" : "console-b", running.Run.Instance);
        var (executor, survivor, survivorHttp, survivorHub) = onA ? (a, "console-b", httpB, hubB) : (b, "console-a", httpA, hubA);
        // Progress of a run executing on one console reaches a client of the other (LISTEN/NOTIFY between the instances).
        var midway = await survivorHub.WaitAsync(id, p => p.TablesCompleted >= 1 && !p.IsFinished);
        Assert.Equal(RunStatus.Running, midway.Status);

        await executor.KillAsync();
        var done = await WaitFinishedAsync(survivorHttp, id, TimeSpan.FromSeconds(90));
        Assert.Equal((RunStatus.Succeeded, (string?)null, survivor), (done.Run.Status, done.Run.Error, done.Run.Instance));
        Assert.Contains(done.Tables, t => t.Status == "kept");
        Assert.Equal(Tables.Count, done.Tables.Count);
        Assert.All(done.Tables, t => Assert.Equal(Tables[Unqualified(t.Table)], t.Rows));
        await AssertChecksumsEqualAsync(data.Source, data.Target);
        // The final progress is relayed after the run's row is saved: it may reach the client just after the API says so.
        Assert.Equal(RunStatus.Succeeded, (await survivorHub.WaitAsync(id, p => p.IsFinished)).Status);
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
