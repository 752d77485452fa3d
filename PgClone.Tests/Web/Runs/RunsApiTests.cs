using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Core;
using PgClone.Tests.Fixtures;
using PgClone.Web.Connections;
using PgClone.Web.Data;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Runs;

/// <summary>Runs through the REST API and the progress hub, on one console in this process.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class RunsApiTests(PgServersFixture fx)
{
    [Fact]
    public async Task A_schema_run_submitted_through_the_api_copies_every_table_and_streams_throttled_progress_to_a_hub_client()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("runs_api_console");
        var data = await fx.Servers.CreateDatabasesAsync("runs_api");
        await SeedSourceAsync(data.Source);
        await SlowTargetAsync(data.Target, 0.0002);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var (http, cookies) = await LogInAsync(console.Url, RunsConsole.Operator);
        await using var hub = await HubWatcher.ConnectAsync(console.Url, cookies);

        var id = await StartAsync(http, new RunRequest("schema", console.SourceId, console.TargetId, Schema, Options: new CloneOptions { Parallel = 2 }));
        var final = await hub.WaitAsync(id, p => p.IsFinished);
        var run = await WaitFinishedAsync(http, id);

        Assert.Equal((RunStatus.Succeeded, (string?)null), (run.Run.Status, run.Run.Error));
        Assert.Equal(RunStatus.Succeeded, final.Status);
        Assert.Equal(("user", RunsConsole.Operator, "source db", "target db"), (run.Run.StartedByKind, run.Run.StartedBy, run.Run.SourceName, run.Run.TargetName));
        Assert.Equal(Tables.Select(t => (Qualified(t.Key), (long)t.Value, "copied")).OrderBy(t => t.Item1, StringComparer.Ordinal),
            run.Tables.Select(t => (t.Table, t.Rows, t.Status)).OrderBy(t => t.Table, StringComparer.Ordinal));
        foreach (var (table, rows) in Tables) Assert.Equal(rows, await CountAsync(data.Target, table));
        Assert.Equal(Tables.Values.Sum(), run.Run.Rows);
        Assert.Equal(4, run.Run.TablesCompleted);
        Assert.True(run.PhaseSeconds.ContainsKey("copying data"));

        var messages = hub.Of(id);
        Assert.Equal(RunStatus.Queued, messages[0].Status);
        Assert.Contains(messages, m => m.Status == RunStatus.Running && m.Phase == "copying data" && m.Rows > 0 && m.Rows < Tables.Values.Sum());
        Assert.True(MaxPerSecond(messages) <= 4, $"{MaxPerSecond(messages)} messages sent in one second");

        // The list filters, and the run is not found for a wrong id.
        var page = await http.GetFromJsonAsync<RunPage>($"api/v1/runs?status=succeeded&connection={console.SourceId}", Json);
        Assert.Equal([id], page!.Items.Select(r => r.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"api/v1/runs/{id + 1000}")).StatusCode);

        // From a production connection into a non-production one, a column discovery flags needs a mask rule or
        // an explicit confirmation, which the run records.
        await PgServers.ExecAsync(data.Source, """
            CREATE SCHEMA crm;
            CREATE TABLE crm.people (id int PRIMARY KEY, email text);
            INSERT INTO crm.people SELECT g, 'person' || g || '@example.com' FROM generate_series(1, 50) g;
            """);
        var connections = console.Factory.Services.GetRequiredService<ConnectionService>();
        await connections.UpdateAsync(console.SourceId, RunsConsole.New("source db", data.Source) with { Environment = ConnectionEnvironment.Production }, "admin");
        var refused = await http.PostAsJsonAsync("api/v1/runs", new RunRequest("schema", console.SourceId, console.TargetId, "crm"), Json);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("source 'source db' is a production connection and the target is not: mask these columns or confirm the clone without masking: \"crm\".\"people\".\"email\"",
            (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        var confirmed = await StartAsync(http, new RunRequest("schema", console.SourceId, console.TargetId, "crm", ConfirmProductionWithoutMasking: true));
        var recorded = await WaitFinishedAsync(http, confirmed);
        Assert.Equal((RunStatus.Succeeded, true, "production", "other"),
            (recorded.Run.Status, recorded.ProductionConfirmed, recorded.Run.SourceEnvironment, recorded.Run.TargetEnvironment));
    }

    [Fact]
    public async Task A_run_cancelled_mid_copy_then_resumed_ends_with_the_source_checksums_and_a_queued_run_waits_for_a_free_slot()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("runs_cancel_console");
        var data = await fx.Servers.CreateDatabasesAsync("runs_cancel");
        await SeedSourceAsync(data.Source);
        await SlowTargetAsync(data.Target);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source, maxRuns: 1), data);
        var (http, cookies) = await LogInAsync(console.Url, RunsConsole.Operator);
        await using var hub = await HubWatcher.ConnectAsync(console.Url, cookies);

        var first = await StartAsync(http, new RunRequest("schema", console.SourceId, console.TargetId, Schema));
        await hub.WaitAsync(first, p => p.TablesCompleted >= 1 && !p.IsFinished);
        var cancelled = await http.PostAsync($"api/v1/runs/{first}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var run = await WaitFinishedAsync(http, first);
        Assert.Equal((RunStatus.Cancelled, $"cancelled by {RunsConsole.Operator}"), (run.Run.Status, run.Run.Error));
        Assert.InRange(run.Tables.Count, 1, 3);
        Assert.All(run.Tables, t => Assert.Equal(Tables[Unqualified(t.Table)], t.Rows));

        // Resume it; while it runs (one run per instance here) a new run waits, queued, and says why.
        var resumed = (await (await http.PostAsync($"api/v1/runs/{first}/resume", null)).Content.ReadFromJsonAsync<RunsApiStarted>(Json))!.Id;
        await hub.WaitAsync(resumed, p => p.Status == RunStatus.Running);
        // While it runs, it lists the tables it kept from the cancelled run (its begin checkpoint holds them).
        var kept = run.Tables.Select(t => t.Table).Order(StringComparer.Ordinal).ToList();
        var live = await GetAsync(http, resumed);
        for (var i = 0; i < 100 && live.Tables.Count(t => t.Status == "kept") < kept.Count && !live.Run.Status.IsFinished(); i++)
        {
            await Task.Delay(100);
            live = await GetAsync(http, resumed);
        }
        Assert.Equal(RunStatus.Running, live.Run.Status);
        Assert.Equal(kept, live.Tables.Where(t => t.Status == "kept").Select(t => t.Table).Order(StringComparer.Ordinal).ToList());
        Assert.All(live.Tables.Where(t => t.Status == "kept"), t => Assert.Equal(Tables[Unqualified(t.Table)], t.Rows));
        var queued = await StartAsync(http, new RunRequest("table", console.SourceId, console.TargetId, Schema, "notes",
            new CloneOptions { TargetName = "notes copy" }));
        var waiting = await GetAsync(http, queued);
        Assert.Equal((RunStatus.Queued, "waiting for a free run slot"), (waiting.Run.Status, waiting.Run.QueueReason));

        var done = await WaitFinishedAsync(http, resumed);
        Assert.Equal((RunStatus.Succeeded, first), (done.Run.Status, done.Run.ResumedFromRunId));
        Assert.Contains(done.Tables, t => t.Status == "kept");
        Assert.Contains(done.Tables, t => t.Status == "copied");
        Assert.Equal(Tables.Count, done.Tables.Count);
        await AssertChecksumsEqualAsync(data.Source, data.Target);

        var later = await WaitFinishedAsync(http, queued);
        Assert.Equal(RunStatus.Succeeded, later.Run.Status);
        Assert.True(later.Run.StartedAt >= done.Run.FinishedAt, "the queued run started only once the slot was free");
        Assert.Equal(Tables["notes"], await PgServers.ScalarAsync<long>(data.Target, $"SELECT count(*) FROM \"{Schema}\".\"notes copy\""));
    }

    private sealed record RunsApiStarted(long Id);
}
