// Measures the delay from an engine progress event (RunProgress.At, stamped when the engine reports) to a .NET
// SignalR client of the progress hub, over whole runs: once with the client on the instance that executes the run,
// once with the client on a second console process (relayed by LISTEN/NOTIFY). Prints median, p95 and max.
// The delay includes the throttle (≤ 4 messages per second per run), which holds a message back up to 250 ms.
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Runs.RunsTestBed;

var runs = args.Length > 0 ? int.Parse(args[0]) : 3;
var servers = await PgServers.GetAsync();
var consoleDb = await servers.CreateDatabasesAsync("bench_latency_console");
var settings = RunsConsole.Settings(consoleDb.Source);
int sourceId, targetId;
var data = await servers.CreateDatabasesAsync("bench_latency_seed");
await using (var seed = await RunsConsole.StartAsync(settings, data))
    (sourceId, targetId) = (seed.SourceId, seed.TargetId);
await using var a = await ProcessConsole.StartAsync(new Dictionary<string, string>(settings) { ["PgClone:Runs:InstanceId"] = "bench-a" });
await using var b = await ProcessConsole.StartAsync(new Dictionary<string, string>(settings) { ["PgClone:Runs:InstanceId"] = "bench-b" });
var (httpA, cookiesA) = await LogInAsync(a.Url, RunsConsole.Operator);
var (_, cookiesB) = await LogInAsync(b.Url, RunsConsole.Operator);
await using var local = await HubWatcher.ConnectAsync(a.Url, cookiesA);
await using var relayed = await HubWatcher.ConnectAsync(b.Url, cookiesB);

for (var i = 0; i < runs; i++)
{
    // Each run clones the seeded schema into a fresh target database whose loading is slowed a little, so a
    // run lasts several seconds and sends a steady stream of progress.
    await PgServers.ExecAsync(data.Target, $"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
    if (i == 0)
    {
        await SeedSourceAsync(data.Source);
        await SlowTargetAsync(data.Target, 0.001);
    }
    var id = await StartAsync(httpA, new RunRequest("schema", sourceId, targetId, Schema));
    await WaitFinishedAsync(httpA, id, TimeSpan.FromMinutes(5));
    await Task.Delay(500);
    Report($"run {id}, client on the executing instance", local, id);
    Report($"run {id}, client on another instance  ", relayed, id);
}

static void Report(string label, HubWatcher watcher, long id)
{
    var delays = watcher.Received.Where(r => r.Progress.RunId == id && r.Progress.Status == RunStatus.Running && r.Progress.Phase == "copying data")
        .Select(r => (double)(r.ReceivedAt.ToUnixTimeMilliseconds() - r.Progress.At)).Order().ToList();
    if (delays.Count == 0) { Console.WriteLine($"{label}: no progress messages"); return; }
    double P(double q) => delays[(int)Math.Min(delays.Count - 1, Math.Ceiling(q * delays.Count) - 1)];
    Console.WriteLine($"{label}: {delays.Count,3} messages, median {P(0.5),5:F0} ms, p95 {P(0.95),5:F0} ms, max {delays[^1],5:F0} ms");
}
