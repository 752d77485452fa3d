using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Runs;
using PgClone.Tests.Web.Security;
using PgClone.Web.Data;

namespace PgClone.Tests.E2E;

/// <summary>
/// In Chromium on a real console and real servers: an Auditor filters the audit trail and verifies its chain; an
/// Operator saves a role template, runs it and finds its result in Jobs; the diff page shows a drifted table and a
/// verification with match marks.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AuditRolesDiffBrowserTests(PgServersFixture fx)
{
    [Fact]
    public async Task Auditor_filters_and_verifies_the_audit_trail_an_Operator_runs_a_role_template_and_sees_drift_on_the_diff_page()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("ard_ui_console");
        var data = await fx.Servers.CreateDatabasesAsync("ard_ui_data");
        var role = $"ui_role_{Guid.NewGuid():N}"[..20];
        await PgServers.ExecAsync(data.Source, $"""
            CREATE ROLE {role} NOLOGIN;
            CREATE SCHEMA app;
            CREATE TABLE app.items (id int PRIMARY KEY, name text);
            INSERT INTO app.items SELECT g, 'item ' || g FROM generate_series(1, 40) g;
            CREATE TABLE app.events (id int PRIMARY KEY, at timestamptz);
            CREATE TABLE app.a_codes (code text PRIMARY KEY);
            INSERT INTO app.a_codes SELECT 'c' || g FROM generate_series(1, 1200) g;
            ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
            """);
        await PgServers.ExecAsync(data.Target, """
            CREATE SCHEMA app;
            CREATE TABLE app.a_codes (code text PRIMARY KEY);
            INSERT INTO app.a_codes SELECT 'c' || g FROM generate_series(1, 1200) g;
            CREATE TABLE app.items (id int PRIMARY KEY, name varchar(5));
            INSERT INTO app.items SELECT g, 'i' || g FROM generate_series(1, 39) g;
            GRANT SELECT ON app.a_codes TO PUBLIC;
            """);
        var settings = RunsConsole.Settings(consoleDb.Source);
        settings["DetailedErrors"] = "true";
        await using var console = await RunsConsole.StartAsync(settings, data);
        await console.AddUserAsync(RunsConsole.Auditor, AppRoles.Auditor);

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var op = await Chromium.LogInAsync(browser, console.Url, RunsConsole.Operator, RunsTestBed.Password);
        var opErrors = Chromium.CollectErrors(op);

        // Roles: a template saved from the form, run, and its result on the run page and in Jobs.
        await op.GotoAsync(console.Url + "/roles");
        await ClickUntilAsync(op, "#role-template-new", "#role-template-form");
        await op.FillAsync("#role-template-name", "ui roles");
        await Chromium.ChooseAsync(op, "#role-template-source", "source db");
        await Chromium.ChooseAsync(op, "#role-template-target", "target db");
        await op.FillAsync("#role-template-roles", role);
        // Passwords are not copied unless chosen, and the form says what that means.
        await Assertions.Expect(op.Locator("#role-template-passwords-help")).ToHaveTextAsync("The roles are created without a password: set one on the target, or copy them on purpose.");
        await op.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/role-template-form-1280.png", FullPage = true });
        await op.ClickAsync("#role-template-save");
        var row = op.Locator("#role-templates tbody tr").Filter(new() { HasText = "ui roles" });
        await Assertions.Expect(row).ToContainTextAsync(role);
        await Assertions.Expect(row).ToContainTextAsync("not copied");
        await row.Locator(".pgclone-role-template-run").ClickAsync();
        await op.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/jobs/\d+$"));
        await Assertions.Expect(op.Locator("#run-notes")).ToContainTextAsync($"created: role {role}", new() { Timeout = 30_000 });
        var runId = op.Url[(op.Url.LastIndexOf('/') + 1)..];
        await op.GotoAsync(console.Url + "/jobs");
        var jobRow = op.Locator("#runs-grid tbody tr").Filter(new() { HasText = $"#{runId}" });
        await Assertions.Expect(jobRow).ToContainTextAsync("Succeeded");
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(data.Target, $"SELECT count(*) FROM pg_roles WHERE rolname = '{role}'"));

        // Diff and verify: the drifted table, the table missing on the target, and the match marks.
        await op.GotoAsync(console.Url + "/diff");
        await Chromium.ChooseAsync(op, "#diff-source", "source db");
        await Chromium.ChooseAsync(op, "#diff-target", "target db");
        await Chromium.ChooseAsync(op, ".pgclone-diff-schema", "app");
        // Each chosen connection's address shows under its picker, which keeps both pickers on one line.
        await Assertions.Expect(op.Locator("#diff-form .mud-input-helper-text").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^postgres@127\.0\.0\.1:\d+/ard_ui_data_"));
        await Chromium.AssertInOneLineAsync(op, "diff-source", "diff-target", "diff-schema");
        await op.ClickAsync("#diff-run");
        var tables = op.Locator(".pgclone-diff-category[data-category='tables']");
        await Assertions.Expect(tables.Locator("[data-kind='missing']")).ToContainTextAsync("events");
        var different = tables.Locator("[data-kind='different']");
        await Assertions.Expect(different).ToContainTextAsync("items");
        await Assertions.Expect(different.Locator(".pgclone-diff-columns")).ToContainTextAsync("character varying(5)");
        await op.ClickAsync("#verify-run");
        var verify = op.Locator("#verify-result tbody tr");
        await Assertions.Expect(verify).ToHaveCountAsync(3);
        // The tables that differ come first, then the one that matches; counts are formatted.
        await Assertions.Expect(op.Locator("#verify-summary")).ToHaveTextAsync("2 of 3 tables differ");
        Assert.Equal(["app.events", "app.items", "app.a_codes"], (await verify.Locator(".pgclone-verify-table").AllInnerTextsAsync()).Select(t => t.Trim()));
        await Assertions.Expect(verify.Last).ToContainTextAsync(new System.Text.RegularExpressions.Regex("1,200\\s+1,200\\s+✓"));
        await Assertions.Expect(verify.Filter(new() { HasText = "app.items" }).Locator(".pgclone-verify-match")).ToHaveTextAsync("✗");
        await Assertions.Expect(verify.Filter(new() { HasText = "app.events" }).Locator(".pgclone-verify-match")).ToHaveTextAsync("✗ (missing)");
        // Categories are headed in words with their number of differences.
        await Assertions.Expect(tables.Locator("h3")).ToHaveTextAsync("Tables (2)");
        // A grant only the target has is drift in privileges, both ACLs side by side; the switch leaves owners and grants out.
        var privileges = op.Locator(".pgclone-diff-category[data-category='privileges']");
        await Assertions.Expect(privileges.Locator("h3")).ToHaveTextAsync("Privileges (1)");
        await Assertions.Expect(privileges.Locator("[data-kind='different'] code")).ToHaveTextAsync("table app.a_codes");
        await Assertions.Expect(privileges.Locator(".pgclone-diff-side").Last).ToContainTextAsync("=r/");
        await op.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/diff-operator-1280.png", FullPage = true });
        await op.GetByLabel("Owners and grants").UncheckAsync();
        await op.ClickAsync("#diff-run");
        await Assertions.Expect(op.Locator("#diff-summary")).ToHaveTextAsync("4 differences");
        await Assertions.Expect(privileges).ToHaveCountAsync(0);
        // The download is the comparison shown, without owners and grants.
        await Assertions.Expect(op.Locator("#diff-download")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("privileges=false&databaseWide=true&download=true$"));
        // The source's default privilege not IN SCHEMA is the database's: the switch leaves it out, as after a schema clone.
        var defaults = op.Locator(".pgclone-diff-category[data-category='default_privileges']");
        await Assertions.Expect(defaults.Locator("[data-kind='missing'] code")).ToHaveTextAsync("for role postgres on tables");
        await Assertions.Expect(op.Locator("#diff-database-wide-help")).ToHaveTextAsync(
            "Access methods, foreign servers, publications, event triggers, default privileges not in a schema. Off after a schema or table clone, which does not bring them.");
        await Assertions.Expect(op.Locator("#diff-scope")).ToHaveCountAsync(0);
        await op.GetByLabel("Database-wide objects").UncheckAsync();
        await op.ClickAsync("#diff-run");
        await Assertions.Expect(op.Locator("#diff-summary")).ToHaveTextAsync("3 differences");
        await Assertions.Expect(defaults).ToHaveCountAsync(0);
        await Assertions.Expect(op.Locator("#diff-scope")).ToHaveTextAsync("Database-wide objects not compared");
        await Assertions.Expect(op.Locator("#diff-download")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("privileges=false&databaseWide=false&download=true$"));
        Assert.Empty(opErrors);

        // Audit: the Auditor filters by action and verifies the chain.
        var auditor = await Chromium.LogInAsync(browser, console.Url, RunsConsole.Auditor, RunsTestBed.Password);
        var auditorErrors = Chromium.CollectErrors(auditor);
        await auditor.GotoAsync(console.Url + "/audit");
        await Assertions.Expect(auditor.Locator("#audit-grid tbody tr").First).ToBeVisibleAsync();
        await Chromium.ChooseAsync(auditor, "#audit-filter-action", "role-template.created");
        var entries = auditor.Locator("#audit-grid tbody tr.pgclone-audit-row");
        await Assertions.Expect(entries).ToHaveCountAsync(1);
        await Assertions.Expect(entries).ToContainTextAsync("role template 'ui roles'");
        await Assertions.Expect(entries).ToContainTextAsync(RunsConsole.Operator);
        await Assertions.Expect(entries.Locator(".pgclone-audit-action")).ToHaveTextAsync("role template created");
        // The details read as fields; the JSON is folded beneath, indented and without \u0027-style escapes.
        var json = entries.Locator("pre.pgclone-audit-details");
        await Assertions.Expect(json).Not.ToBeVisibleAsync();
        await entries.Locator(".pgclone-audit-json summary").ClickAsync();
        await Assertions.Expect(json).ToBeVisibleAsync();
        Assert.DoesNotContain("\\u00", await json.InnerTextAsync());
        await auditor.ClickAsync("#audit-verify");
        await Assertions.Expect(auditor.Locator("#audit-chain-status")).ToContainTextAsync("Chain intact");
        // The head the check shows, given back at the next check, must still be in the chain.
        var head = (await auditor.InnerTextAsync("#audit-chain-head")).Trim();
        Assert.Matches("^[0-9]+:[0-9a-f]{64}$", head);
        await auditor.FillAsync("#audit-anchor", "12:abc");
        await auditor.ClickAsync("#audit-verify");
        await Assertions.Expect(auditor.Locator("#audit-anchor-error")).ToHaveTextAsync("The recorded head must be written as a check shows it: id:hash, with the 64-digit hash.");
        await auditor.FillAsync("#audit-anchor", head);
        await auditor.ClickAsync("#audit-verify");
        await Assertions.Expect(auditor.Locator("#audit-chain-status")).ToContainTextAsync($"and holds entry #{head[..head.IndexOf(':')]} as recorded");
        await auditor.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/audit-1280.png" });
        await auditor.GotoAsync(console.Url + "/diff");
        await Assertions.Expect(auditor.Locator("h1")).ToHaveTextAsync("Diff and verify");
        // No source chosen yet: the schema field says what to do (it once showed its parameter's name instead).
        await Assertions.Expect(auditor.Locator("#diff-form .mud-input-helper-text")).ToHaveTextAsync("Choose the source to pick one of its schemas.");
        // An Auditor sees every connection: both pickers offer them (the page once showed "No connection you may use"
        // on both sides until its read of them came back).
        await Assertions.Expect(auditor.Locator("#diff-form .mud-alert")).ToHaveCountAsync(0);
        await Assertions.Expect(auditor.Locator("#diff-form input[placeholder='Choose the source'], #diff-form input[placeholder='Choose the target']")).ToHaveCountAsync(2);
        await auditor.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/diff-auditor-1280.png", FullPage = true });
        Assert.Empty(auditorErrors);

        // With its grants taken back, the Operator is told what to do, not shown pickers with nothing in them.
        var rights = console.Factory.Services.GetRequiredService<PgClone.Web.Connections.ConnectionService>();
        foreach (var id in new[] { console.SourceId, console.TargetId })
            await rights.SetRightsAsync(id, new PgClone.Web.Connections.ConnectionRights([], [], [], []));
        await op.GotoAsync(console.Url + "/diff");
        await Assertions.Expect(op.Locator("#diff-empty")).ToContainTextAsync("ask an administrator to grant you a source and a target");
        await Assertions.Expect(op.Locator("#diff-form")).ToHaveCountAsync(0);
        await op.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/diff-no-connections-1280.png" });
    }

    /// <summary>Clicks until the click's effect shows: a click can land before the page's circuit is interactive and be lost.</summary>
    private static async Task ClickUntilAsync(IPage page, string button, string shows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await page.ClickAsync(button);
            try
            {
                await page.Locator(shows).WaitForAsync(new() { Timeout = 1_500 });
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline) { }
        }
    }
}
