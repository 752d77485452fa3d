using System.Net.Http.Json;
using Microsoft.Playwright;
using PgClone.Core;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Masking;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Data;
using PgClone.Web.Masking;
using PgClone.Web.Runs;

namespace PgClone.Tests.E2E;

/// <summary>
/// Masking from the browser on a real console, real servers and Chromium: discover a source schema, accept the
/// suggestions as a policy, run a masked clone with it (a profile that points at the policy), read the target's
/// compliance report, and print the run's evidence with the masking proof. An Auditor sees policies without
/// any edit button.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MaskingBrowserTests(PgServersFixture fx)
{
    [Fact]
    public async Task Discover_accept_as_policy_run_masked_then_compliance_shows_masked_and_the_evidence_shows_the_proof()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("masking_ui_console");
        var data = await fx.Servers.CreateDatabasesAsync("masking_ui_data");
        await PgServers.ExecAsync(data.Source, MaskPoliciesTests.CrmFixture);
        var settings = RunsConsole.Settings(consoleDb.Source);
        settings["DetailedErrors"] = "true";
        await using var console = await RunsConsole.StartAsync(settings, data);
        await console.AddUserAsync(MaskPoliciesTests.Auditor, AppRoles.Auditor);

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var errors = new List<string>();
        var op = await RunsBrowserTests.LogInAsync(browser, console.Url, RunsConsole.Operator, errors);

        // Discover on the source schema: the email and the names in a generically named column.
        Assert.Equal(["people.display", "people.email"], await DiscoverAsync(op, console.Url, "crm", 2));
        await Assertions.Expect(op.Locator("#findings")).ToContainTextAsync("look like name");
        // The suggestion reads as a rule in words, not as its JSON ("email" came with its quotes).
        await Assertions.Expect(op.Locator("#findings tr", new() { Has = op.Locator("[data-column='people.email']") }).Locator("td.suggested")).ToHaveTextAsync("email");
        await op.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/discover-findings-1280.png", FullPage = true });

        // One click: the suggestions become version 1 of a new policy.
        await op.FillAsync("#accept-name", "CRM masked");
        await op.ClickAsync("#accept");
        await op.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/masking/policies/\\d+$"));
        await Assertions.Expect(op.Locator(".policy-version[data-version='1'] tr[data-column='crm.people.email']")).ToContainTextAsync("email");
        await Assertions.Expect(op.Locator(".policy-version[data-version='1'] tr[data-column='crm.people.display']")).ToContainTextAsync("name");
        var policyId = int.Parse(op.Url[(op.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        // A profile points at the policy; running it from the Clones page applies the policy's newest version.
        var (http, _) = await RunsTestBed.LogInAsync(console.Url, RunsConsole.Operator);
        var profile = await http.PostAsJsonAsync("api/v1/profiles",
            new ProfileDraft("crm masked copy", null, new RunRequest("schema", console.SourceId, console.TargetId, "crm"), policyId), RunsTestBed.Json);
        Assert.True(profile.IsSuccessStatusCode, await profile.Content.ReadAsStringAsync());
        await op.GotoAsync(console.Url + "/clones");
        await Chromium.WaitForBlazorAsync(op);
        await ClickUntilAsync(op, ".pgclone-run-profile", new System.Text.RegularExpressions.Regex("/jobs/\\d+$"));
        var runId = long.Parse(op.Url[(op.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var run = await RunsTestBed.WaitFinishedAsync(http, runId);
        Assert.Equal((RunStatus.Succeeded, (string?)null), (run.Run.Status, run.Run.Error));

        // The compliance report of the target: the two columns masked by that run, the rest clean.
        await op.GotoAsync(console.Url + "/masking/compliance");
        await Chromium.ChooseAsync(op, "#compliance-target", "target db");
        await Chromium.ChooseAsync(op, "#compliance-schema", "crm");
        await op.ClickAsync("#compliance-run");
        var statuses = op.Locator("#compliance .compliance-status");
        await Assertions.Expect(statuses).ToHaveCountAsync(5, new() { Timeout = 30_000 });
        var byColumn = await statuses.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.column + '=' + e.dataset.status)");
        Assert.Equal(["people.display=masked", "people.email=masked", "people.id=clean", "people.note=clean", "people.score=clean"], byColumn.Order(StringComparer.Ordinal));
        await Assertions.Expect(op.Locator("#compliance")).ToContainTextAsync($"masked by run #{runId}");

        // The evidence page of the run, reached from its detail page: the policy version and the proof.
        await op.GotoAsync(console.Url + $"/jobs/{runId}");
        // A click while the run page's circuit still starts could leave that page rendered at the evidence URL.
        await Chromium.WaitForInteractiveAsync(op);
        await op.ClickAsync("#open-evidence");
        await op.WaitForURLAsync(console.Url + $"/jobs/{runId}/evidence");
        await Assertions.Expect(op.Locator("#evidence-policy-version")).ToContainTextAsync("CRM masked, version 1");
        await Assertions.Expect(op.Locator("#evidence-proof-line")).ToHaveTextAsync(
            "masking proof: 2 masked columns in 1 table, 200 sampled rows compared with the source by primary key: no original value on the target");
        await Assertions.Expect(op.Locator("#evidence-snapshot")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^\\s*[0-9A-F]+-[0-9A-F]+-\\d+\\s*$"));
        await Assertions.Expect(op.Locator("#evidence-status")).ToHaveTextAsync("succeeded");
        await Assertions.Expect(op.Locator("#evidence-verification tbody tr")).ToHaveTextAsync(["\"crm\".\"people\"200copied"]);
        // Printed, only the evidence remains: no navigation, no buttons.
        await op.EmulateMediaAsync(new() { Media = Media.Print });
        Assert.False(await op.Locator("#print").IsVisibleAsync());
        Assert.False(await op.Locator(".mud-appbar").IsVisibleAsync());
        Assert.True(await op.Locator("#evidence-proof").IsVisibleAsync());

        // An Auditor reads the policy and the evidence, with no way to edit.
        var audit = await RunsBrowserTests.LogInAsync(browser, console.Url, MaskPoliciesTests.Auditor, errors);
        await audit.GotoAsync(console.Url + $"/masking/policies/{policyId}");
        await Assertions.Expect(audit.Locator(".policy-version")).ToHaveCountAsync(1);
        Assert.Equal(0, await audit.Locator("#edit-policy").CountAsync());
        // On a phone each rule is a card whose strategy stays on screen (the table was cut after the column).
        await audit.SetViewportSizeAsync(390, 844);
        var strategy = audit.Locator(".policy-version tr[data-column='crm.people.email'] td[data-label='Strategy']");
        await Assertions.Expect(strategy).ToHaveTextAsync("email");
        await Assertions.Expect(strategy).ToBeInViewportAsync(new() { Ratio = 1 });
        await audit.SetViewportSizeAsync(1280, 900);
        await audit.GotoAsync(console.Url + "/masking");
        await Assertions.Expect(audit.Locator("#policies")).ToContainTextAsync("CRM masked");
        Assert.Equal(0, await audit.Locator("#new-policy").CountAsync());
        await audit.GotoAsync(console.Url + $"/jobs/{runId}/evidence");
        await Assertions.Expect(audit.Locator("#evidence-proof-line")).ToContainTextAsync("no original value on the target");

        Assert.Empty(errors);
    }

    [Fact]
    public async Task Discovery_accepted_as_a_policy_gives_an_inheritance_child_a_rule_only_where_it_differs_from_its_parents()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("masking_ui_inh_console");
        var data = await fx.Servers.CreateDatabasesAsync("masking_ui_inh");
        await PgServers.ExecAsync(data.Source, """
            CREATE SCHEMA hr;
            CREATE TABLE hr.person (id int, email text);
            CREATE TABLE hr."Emp loyee" (badge text) INHERITS (hr.person);
            CREATE TABLE hr.contractor (agency text) INHERITS (hr.person);
            ALTER TABLE hr.contractor ADD UNIQUE (email);
            INSERT INTO hr.person SELECT i, 'p' || i || '@example.org' FROM generate_series(1, 60) i;
            INSERT INTO hr."Emp loyee" SELECT i, 'e' || i || '@example.org', 'B' || i FROM generate_series(1, 60) i;
            INSERT INTO hr.contractor SELECT i, 'c' || i || '@example.org', 'acme' FROM generate_series(1, 60) i;
            ANALYZE;
            """);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        const string admin = "admin@example.com";
        await console.AddUserAsync(admin, AppRoles.Admin);
        await console.AddUserAsync(MaskPoliciesTests.Auditor, AppRoles.Auditor);
        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var errors = new List<string>();

        // Operator and Admin: every flagged column is listed, each child's too.
        foreach (var (user, shot) in new[] { (RunsConsole.Operator, "operator"), (admin, "admin") })
        {
            var page = await RunsBrowserTests.LogInAsync(browser, console.Url, user, errors);
            Assert.Equal(["Emp loyee.email", "contractor.email", "person.email"], await DiscoverAsync(page, console.Url, "hr", 3));
            await page.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/discover-inheritance-{shot}-1280.png", FullPage = true });
            if (shot != "operator") continue;

            // Accepted: the parent's rule covers "Emp loyee" (its row says so); the contractor's UNIQUE email keeps
            // keyed_hash of its own.
            await Assertions.Expect(page.Locator("#findings tr", new() { Has = page.Locator("[data-column='Emp loyee.email']") }).Locator(".covered"))
                .ToHaveTextAsync("inherited: person's same rule masks it, no rule of its own");
            await Assertions.Expect(page.Locator("#findings .covered")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("#accept")).ToHaveTextAsync("Accept 3 findings (2 rules) as new policy version");
            // Without the parent ticked, the child needs its rule again; ticked again, it does not.
            var personBox = page.Locator("#findings tr", new() { Has = page.Locator("[data-column='person.email']") }).Locator("input[type=checkbox]");
            await personBox.UncheckAsync();
            await Assertions.Expect(page.Locator("#accept")).ToHaveTextAsync("Accept 2 findings (2 rules) as new policy version");
            await Assertions.Expect(page.Locator("#findings .covered")).ToHaveCountAsync(0);
            await personBox.CheckAsync();
            await Assertions.Expect(page.Locator("#accept")).ToHaveTextAsync("Accept 3 findings (2 rules) as new policy version");
            await Assertions.Expect(page.Locator("#findings .covered")).ToHaveCountAsync(1);
            await page.FillAsync("#accept-name", "HR masked");
            await page.ClickAsync("#accept");
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/masking/policies/\\d+$"));
            var rows = page.Locator(".policy-version[data-version='1'] tr[data-column]");
            await Assertions.Expect(rows).ToHaveCountAsync(2);
            await Assertions.Expect(page.Locator(".policy-version[data-version='1']")).ToContainTextAsync(
                "accepted 3 discovery suggestions for schema hr (1 inherited column masked by the parent's same rule)");
            await Assertions.Expect(page.Locator(".policy-version[data-version='1'] tr[data-column='hr.person.email']")).ToContainTextAsync("email");
            await Assertions.Expect(page.Locator(".policy-version[data-version='1'] tr[data-column='hr.contractor.email']")).ToContainTextAsync("keyed_hash");
            await page.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/policy-from-inheritance-operator-1280.png", FullPage = true });
        }

        // An Auditor is not offered discovery: the page says so in one line.
        var audit = await RunsBrowserTests.LogInAsync(browser, console.Url, MaskPoliciesTests.Auditor, errors);
        await audit.GotoAsync(console.Url + "/masking/discover");
        await Assertions.Expect(audit.Locator("#access-denied")).ToBeVisibleAsync();
        Assert.Equal(0, await audit.Locator("#discover").CountAsync());
        await audit.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/discover-auditor-1280.png", FullPage = true });

        Assert.Empty(errors);
    }

    /// <summary>Runs discovery on a schema of the "source db" connection; the flagged columns (table.column), sorted, once there are <paramref name="count"/>.</summary>
    private static async Task<IEnumerable<string>> DiscoverAsync(IPage page, string consoleUrl, string schema, int count)
    {
        await page.GotoAsync(consoleUrl + "/masking/discover");
        await Chromium.ChooseAsync(page, "#discover-source", "source db");
        await Chromium.ChooseAsync(page, "#discover-schema", schema);
        await page.ClickAsync("#discover");
        var findings = page.Locator("#findings .finding");
        await Assertions.Expect(findings).ToHaveCountAsync(count, new() { Timeout = 30_000 });
        return (await findings.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.column)")).Order(StringComparer.Ordinal);
    }

    /// <summary>Clicks until the page navigates: a click before the circuit is connected is lost.</summary>
    private static async Task ClickUntilAsync(IPage page, string selector, System.Text.RegularExpressions.Regex url)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await page.Locator(selector).First.ClickAsync();
            try
            {
                await page.WaitForURLAsync(url, new() { Timeout = 2_000 });
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                await page.ScreenshotAsync(new() { Path = "/tmp/pgclone-masking-click.png" });
            }
        }
    }
}
