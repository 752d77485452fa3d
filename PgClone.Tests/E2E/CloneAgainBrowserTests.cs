using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Runs;
using PgClone.Tests.Web.Security;
using PgClone.Web.Data;
using PgClone.Web.Runs;
using static PgClone.Tests.E2E.RunsBrowserTests;

namespace PgClone.Tests.E2E;

/// <summary>A run refused for what the target cannot hold, cloned again from its page with those objects left out.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CloneAgainBrowserTests(PgServersFixture fx)
{
    [Fact]
    public async Task A_database_clone_refused_for_a_missing_role_is_cloned_again_leaving_it_out()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("again_ui_console");
        var data = await fx.Servers.CreateDatabasesAsync("again_ui");
        var absent = $"pgc_again_{Guid.NewGuid():N}"[..24];
        await PgServers.ExecAsync(data.Source, $"""
            CREATE ROLE {absent};
            CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t SELECT generate_series(1, 3);
            ALTER TABLE public.t OWNER TO {absent};
            """);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var (http, _) = await RunsTestBed.LogInAsync(console.Url, RunsConsole.Operator);
        var refusedId = await RunsTestBed.StartAsync(http, new RunRequest("database", console.SourceId, console.TargetId));
        var refused = await RunsTestBed.WaitFinishedAsync(http, refusedId);
        var admin = await PgServers.ScalarAsync<string>(data.Target, "SELECT current_user::text");
        var missing = $"1 ownership or privilege setting of role \"{absent}\": it is not on the target (objects stay owned by \"{admin}\")";
        var source = new Npgsql.NpgsqlConnectionStringBuilder(data.Source);
        Assert.Equal((RunStatus.Failed, $"source 'source db' ({source.Host}:{source.Port}): cannot clone {missing} " +
                                        "(nothing was written; clone those roles first with a roles clone, or set \"skip_unsupported\": true to clone without them)"),
            (refused.Run.Status, refused.Run.Error));

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var errors = new List<string>();
        var page = await LogInAsync(browser, console.Url, RunsConsole.Operator, errors);
        await page.GotoAsync($"{console.Url}/jobs/{refusedId}");
        await Assertions.Expect(page.Locator("#run-error")).ToContainTextAsync("cannot clone");
        await Assertions.Expect(page.Locator("#clone-again")).ToBeVisibleAsync();
        await Shot(page, "run-refused-clone-again");

        // An Auditor reads the refusal, and is offered no way to run it again.
        await console.AddUserAsync(RunsConsole.Auditor, AppRoles.Auditor);
        var audit = await LogInAsync(browser, console.Url, RunsConsole.Auditor, errors);
        await audit.GotoAsync($"{console.Url}/jobs/{refusedId}");
        await Assertions.Expect(audit.Locator("#run-error")).ToContainTextAsync("cannot clone");
        await Assertions.Expect(audit.Locator("#clone-again, #clone-again-skipping, .pgclone-resume")).ToHaveCountAsync(0);

        await page.ClickAsync("#clone-again-skipping");

        await page.WaitForURLAsync($"{console.Url}/clones/new?from={refusedId}&skip-unsupported=true");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync($"Clone again: run #{refusedId}");
        await Assertions.Expect(page.Locator("#summary-options")).ToContainTextAsync("skip unsupported true");
        // The preflight says before the start what will be left out: a warning, Start stays enabled.
        await Assertions.Expect(page.Locator("#preflight-checks")).ToHaveAttributeAsync("data-status", "warning", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#preflight-checks .preflight-check[data-id='skipped']")).ToHaveTextAsync(new Regex(Regex.Escape(missing)));
        await Shot(page, "clone-again-summary");
        await page.ClickAsync("#start-clone");
        await page.WaitForURLAsync(new Regex("/jobs/\\d+$"));
        await WatchBarAsync(page, "succeeded");

        var againId = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var again = await RunsTestBed.GetAsync(http, againId);
        Assert.Equal((RunStatus.Succeeded, "database", true), (again.Run.Status, again.Run.Operation, again.Options!.SkipUnsupported));
        Assert.Equal([$"skipped: {missing}"], again.Notes.Where(n => n.StartsWith("skipped: ", StringComparison.Ordinal)));
        await Assertions.Expect(page.Locator("#run-notes")).ToContainTextAsync(missing);
        Assert.Equal((3L, admin), (await PgServers.ScalarAsync<long>(data.Target, "SELECT count(*) FROM public.t"),
            await PgServers.ScalarAsync<string>(data.Target, "SELECT tableowner::text FROM pg_tables WHERE tablename = 't'")));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
