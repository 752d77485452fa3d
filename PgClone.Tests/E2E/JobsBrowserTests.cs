using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Data;
using static PgClone.Tests.E2E.RunsBrowserTests;

namespace PgClone.Tests.E2E;

/// <summary>The Jobs page's filters in Chromium: status, who started the run, a connection on either side, and a date range.</summary>
[Collection(BrowserCollection.Name)]
public sealed class JobsBrowserTests(PgServersFixture fx)
{
    [Fact]
    public async Task Jobs_are_filtered_by_status_user_connection_and_date()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("jobs_ui_console");
        var data = await fx.Servers.CreateDatabasesAsync("jobs_ui");
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var other = (await console.Factory.Services.GetRequiredService<PgClone.Web.Connections.ConnectionService>()
            .AddAsync(RunsConsole.New("other db", data.Target), RunsConsole.Operator)).Id;
        // Finished runs as the console stores them: who, when, which connections, which outcome.
        var ids = new Dictionary<string, long>();
        await using (var db = await console.Factory.Services.GetRequiredService<IDbContextFactory<PgCloneDbContext>>().CreateDbContextAsync())
        {
            Run Make(string status, string by, int source, int target, string day) => new()
            {
                StartedByKind = "user", StartedBy = by, SubmittedAt = DateTimeOffset.Parse($"{day}T10:00:00Z"),
                StartedAt = DateTimeOffset.Parse($"{day}T10:00:01Z"), FinishedAt = DateTimeOffset.Parse($"{day}T10:01:00Z"),
                SourceConnectionId = source, SourceName = source == console.SourceId ? "source db" : "other db", SourceServer = "127.0.0.1:5432",
                TargetConnectionId = target, TargetName = target == console.TargetId ? "target db" : "other db",
                Operation = "schema", Schema = "s", Status = status,
            };
            var runs = new Dictionary<string, Run>
            {
                ["ok-alice"] = Make("succeeded", "alice@example.com", console.SourceId, console.TargetId, "2026-11-02"),
                ["failed-bob"] = Make("failed", "bob@example.com", console.SourceId, console.TargetId, "2026-11-10"),
                ["ok-bob-other"] = Make("succeeded", "bob@example.com", console.SourceId, other, "2026-11-20"),
                ["cancelled-alice"] = Make("cancelled", "alice@example.com", console.SourceId, console.TargetId, "2026-11-21"),
            };
            db.Runs.AddRange(runs.Values);
            await db.SaveChangesAsync();
            foreach (var (name, run) in runs) ids[name] = run.Id;
        }

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var errors = new List<string>();
        var page = await LogInAsync(browser, console.Url, RunsConsole.Operator, errors);

        await OpenAsync(page, console.Url);
        await ExpectRunsAsync(page, ids, "cancelled-alice", "ok-bob-other", "failed-bob", "ok-alice");

        await Chromium.ChooseAsync(page, "#filter-status", "failed");
        await ExpectRunsAsync(page, ids, "failed-bob");

        await OpenAsync(page, console.Url);
        await page.FillAsync("#filter-user", "alice@example.com");
        await ExpectRunsAsync(page, ids, "cancelled-alice", "ok-alice");

        await OpenAsync(page, console.Url);
        await Chromium.ChooseAsync(page, "#filter-connection", "other db");
        await ExpectRunsAsync(page, ids, "ok-bob-other");

        await OpenAsync(page, console.Url);
        await page.Locator("input#filter-from, #filter-from input").First.FillAsync("2026-11-10");
        await page.Locator("input#filter-from, #filter-from input").First.PressAsync("Tab");
        await ExpectRunsAsync(page, ids, "cancelled-alice", "ok-bob-other", "failed-bob");
        await page.Locator("input#filter-to, #filter-to input").First.FillAsync("2026-11-20");
        await page.Locator("input#filter-to, #filter-to input").First.PressAsync("Tab");
        await ExpectRunsAsync(page, ids, "ok-bob-other", "failed-bob");

        // Filters combine, and nothing matching says so.
        await page.FillAsync("#filter-user", "alice@example.com");
        await Assertions.Expect(page.Locator("#no-matching-runs")).ToBeVisibleAsync();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static async Task OpenAsync(IPage page, string url)
    {
        await page.GotoAsync(url + "/jobs");
        await Chromium.WaitForBlazorAsync(page);
        await Assertions.Expect(page.Locator("#runs-grid .pgclone-run-link").First).ToBeVisibleAsync();
    }

    /// <summary>The grid shows exactly these runs, newest first.</summary>
    private static Task ExpectRunsAsync(IPage page, Dictionary<string, long> ids, params string[] names) =>
        Assertions.Expect(page.Locator("#runs-grid .pgclone-run-link")).ToHaveTextAsync(names.Select(n => $"#{ids[n]}").ToArray());
}
