using Microsoft.Playwright;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Schedules.SchedulesTestBed;

namespace PgClone.Tests.E2E;

/// <summary>
/// Schedules in Chromium: an Operator schedules a profile, the editor explains the cron expression and lists the next
/// firings in the chosen time zone as it is typed, the list shows it, pause and run now work from the list.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SchedulesBrowserTests(PgServersFixture fx)
{
    [Fact]
    public async Task Operator_schedules_a_profile_sees_the_words_and_next_firings_then_pauses_and_runs_it_now()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("sched_ui_console");
        var data = await fx.Servers.CreateDatabasesAsync("sched_ui_data");
        await RunsTestBed.SeedSourceAsync(data.Source);
        var settings = RunsConsole.Settings(consoleDb.Source);
        settings["DetailedErrors"] = "true";
        await using var console = await RunsConsole.StartAsync(settings, data);
        var (http, _) = await RunsTestBed.LogInAsync(console.Url, RunsConsole.Operator);
        var profile = await CreateProfileAsync(http, "notes only", new RunRequest("table", console.SourceId, console.TargetId, RunsTestBed.Schema, "notes"));

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        var errors = Chromium.CollectErrors(page);
        await page.GotoAsync(console.Url + "/Account/Login");
        await page.FillAsync("#email", RunsConsole.Operator);
        await page.FillAsync("#password", RunsTestBed.Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync(console.Url + "/");

        await page.GotoAsync($"{console.Url}/schedules/new?profile={profile}");
        await Chromium.WaitForBlazorAsync(page);
        await Assertions.Expect(page.Locator("#schedule-description")).ToHaveTextAsync("At 02:00, every day");
        // The profile keeps the default conflict strategy (error): its second firing would fail, and the editor says so.
        await Assertions.Expect(page.Locator("#schedule-conflict-warning")).ToContainTextAsync("every later one finds the tables it made and fails");
        await Assertions.Expect(page.Locator("#schedule-conflict-warning")).Not.ToContainTextAsync("zero-downtime");
        // A table profile cannot be refreshed by swapping databases: the switch is off, disabled, and says why.
        await Assertions.Expect(page.Locator("input#schedule-zero-downtime")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#schedule-zero-downtime-help")).ToHaveTextAsync("Only for a profile that clones a whole database; this one clones a table.");
        await page.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/schedule-editor-table-profile-1280.png", FullPage = true });
        await FillUntilAsync(page, "#schedule-name", "notes weekly");
        await FillUntilAsync(page, "#schedule-cron", "0 15 3 ? * SAT");
        await Assertions.Expect(page.Locator("#schedule-description")).ToHaveTextAsync("At 03:15, on Saturday");
        await FillUntilAsync(page, "#schedule-zone", "Asia/Tokyo");
        var next = page.Locator("#schedule-next li");
        await Assertions.Expect(next).ToHaveCountAsync(5);
        Assert.All(await next.AllInnerTextsAsync(), t => Assert.Matches(@"^\d{4}-\d{2}-\d{2} 03:15:00 \+09:00$", t));
        await FillUntilAsync(page, "#schedule-cron", "0 61 * * * ?");
        await Assertions.Expect(page.Locator("#schedule-preview")).ToContainTextAsync("invalid cron expression '0 61 * * * ?'");
        await FillUntilAsync(page, "#schedule-cron", "0 15 3 ? * SAT");
        await page.ClickAsync("#schedule-save");

        await page.WaitForURLAsync(console.Url + "/schedules");
        var row = page.Locator(".pgclone-schedule-row", new() { HasText = "notes weekly" });
        await Assertions.Expect(row).ToContainTextAsync("At 03:15, on Saturday");
        await Assertions.Expect(row).ToContainTextAsync("+09:00");
        await Assertions.Expect(row).ToContainTextAsync(RunsConsole.Operator);
        await row.Locator(".pgclone-toggle-schedule").ClickAsync();
        await Assertions.Expect(row.Locator(".pgclone-paused")).ToBeVisibleAsync();
        await row.Locator(".pgclone-run-now").ClickAsync();

        // Run now fires even a paused schedule; its history page lists the run.
        var schedule = Assert.Single(await ListAsync(http));
        var run = await WaitRunAsync(http, schedule.Id, r => r.Status.IsFinished());
        Assert.Equal((RunStatus.Succeeded, "notes weekly"), (run.Status, run.StartedBy));
        await page.GotoAsync($"{console.Url}/schedules/{schedule.Id}");
        await Assertions.Expect(page.Locator("#schedule-history")).ToContainTextAsync($"#{run.Id}");
        // Its runs read in the schedule's time zone, as its firings do.
        await Assertions.Expect(page.Locator("#schedule-history")).ToContainTextAsync("Fired (Asia/Tokyo)");
        await Assertions.Expect(page.Locator("#schedule-history .schedule-fired").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+09:00$"));
        await Assertions.Expect(page.Locator("#schedule-next-firing")).ToHaveTextAsync("Next firing: paused");
        Assert.Empty(errors);
    }

    /// <summary>Fills a MudTextField (its input carries the id or sits inside it); retried while the circuit connects.</summary>
    private static async Task FillUntilAsync(IPage page, string id, string value)
    {
        var input = page.Locator($"input{id}, {id} input").First;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await input.FillAsync(value);
            await input.BlurAsync();
            await Task.Delay(400);
            if (await input.InputValueAsync() == value || DateTime.UtcNow > deadline) return;
        }
    }
}
