using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Refresh;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Runs;
using PgClone.Web.Schedules;
using static PgClone.Tests.Web.Runs.RunsTestBed;
using static PgClone.Tests.Web.Schedules.SchedulesTestBed;

namespace PgClone.Tests.Web.Schedules;

/// <summary>A schedule that refreshes a whole database without downtime, and the pages that show schedules.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ScheduleRefreshTests(PgServersFixture fx)
{
    [Fact]
    public async Task A_zero_downtime_schedule_swaps_a_verified_shadow_in_keeps_one_previous_copy_and_the_pages_show_it()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("sched_zd_console");
        var data = await fx.Servers.CreateDatabasesAsync("sched_zd");
        await SeedSourceAsync(data.Source);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);
        var live = $"staging \"{data.Name[^8..]}\"";
        var profile = await CreateProfileAsync(http, "staging refresh", new RunRequest("database-create", console.SourceId, console.TargetId,
            Options: new CloneOptions { TargetName = live }));

        // A refresh needs a whole-database profile.
        var table = await CreateProfileAsync(http, "one table", new RunRequest("table", console.SourceId, console.TargetId, Schema, "notes"));
        var refused = await http.PostAsJsonAsync("api/v1/schedules", new ScheduleDraft("bad", table, "0 0 2 * * ?", Refresh: new RefreshOptions()), Json);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("profile 'one table' clones a table: a zero-downtime refresh needs a database or database-create profile", await refused.Content.ReadAsStringAsync());
        // Every problem of a form in one answer, in the form's order, not one per save.
        var many = await http.PostAsJsonAsync("api/v1/schedules", new ScheduleDraft(" ", table, "0 61 * * * ?", Refresh: new RefreshOptions(),
            Webhooks: [new WebhookDraft("ftp://hooks.example.com/x", "s3cret", ["failure"]), new WebhookDraft("https://hooks.example.com/y", null, ["failure"])]), Json);
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
        var problems = JsonDocument.Parse(await many.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString()!;
        Assert.Equal(["schedule name is empty", "invalid cron expression '0 61 * * * ?'",
                      "profile 'one table' clones a table: a zero-downtime refresh needs a database or database-create profile",
                      "webhook URL 'ftp://hooks.example.com/x' is not an absolute http(s) URL", "webhook https://hooks.example.com/y: a secret is needed to sign its calls"],
            problems.Split("; ").Select(p => p.StartsWith("invalid cron", StringComparison.Ordinal) ? p[..p.IndexOf(':')] : p));

        var schedule = await CreateScheduleAsync(http, new ScheduleDraft("staging nightly", profile, "0 30 2 ? * MON-FRI", "America/New_York",
            Refresh: new RefreshOptions { KeepPrevious = 1 }));
        Assert.Equal("At 02:30, Monday through Friday", schedule.Description);
        var seen = new HashSet<long>();
        for (var i = 0; i < 3; i++)
        {
            await PostAsync(http, $"api/v1/schedules/{schedule.Id}/run", HttpStatusCode.Accepted);
            var run = await WaitRunAsync(http, schedule.Id, r => r.Status.IsFinished() && !seen.Contains(r.Id), TimeSpan.FromSeconds(90));
            seen.Add(run.Id);
            Assert.Equal((RunStatus.Succeeded, (string?)null), (run.Status, run.Error));
            var detail = await GetAsync(http, run.Id);
            Assert.Equal(live, detail.Run.TargetDatabase);
            Assert.Contains(detail.Notes, n => n.StartsWith($"refresh: {Tables.Count} tables verified by checksum", StringComparison.Ordinal));
            Assert.Contains(detail.Notes, n => n.StartsWith(i == 0 ? $"refresh: {Sql.Ident(live)} did not exist" : "refresh: swapped ", StringComparison.Ordinal));
            // Stamps are to the second: the next refresh keeps its previous copy apart.
            await Task.Delay(1100);
        }
        var liveCs = PgServers.WithDatabase(fx.Servers.TargetAdmin, live);
        await AssertChecksumsEqualAsync(data.Source, liveCs);
        var databases = (await PgServers.RowsAsync(fx.Servers.TargetAdmin, "SELECT datname FROM pg_database")).Select(r => (string)r[0]!).ToList();
        Assert.Single(databases, d => RefreshNames.IsPrevious(live, d));
        Assert.DoesNotContain(databases, d => RefreshNames.IsShadow(live, d));

        // The pages: the list shows the schedule with its words and owner; its page lists its runs; the editor previews.
        var list = await http.GetStringAsync("schedules");
        Assert.Contains("staging nightly", list);
        Assert.Contains("At 02:30, Monday through Friday", list);
        Assert.Contains(RunsConsole.Operator, list);
        var history = await http.GetStringAsync($"schedules/{schedule.Id}");
        Assert.Contains("America/New_York", history);
        var editor = await http.GetStringAsync($"schedules/{schedule.Id}/edit");
        Assert.Contains("Next firings (America/New_York)", editor);
    }
}
