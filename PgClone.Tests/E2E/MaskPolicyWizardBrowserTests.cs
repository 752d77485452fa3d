using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Connections;
using PgClone.Web.Data;
using PgClone.Web.Masking;
using PgClone.Web.Runs;
using static PgClone.Tests.E2E.RunsBrowserTests;

namespace PgClone.Tests.E2E;

/// <summary>
/// The clone wizard with a masking policy, in Chromium on a real console and servers: the policy's rules for the
/// scope are shown and drive the preview; a production → non-production clone needs no confirmation when the policy
/// masks every flagged column; the profile saved from the wizard keeps the policy, reopens with it, runs with
/// version 1 and, once the policy is edited, with version 2; the target holds exactly the masked values.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MaskPolicyWizardBrowserTests(PgServersFixture fx)
{
    private const string SourceSql = """
        CREATE SCHEMA crm;
        CREATE TABLE crm.people (id int PRIMARY KEY, email text, display text, phone text, note text, score int);
        INSERT INTO crm.people SELECT g, 'person' || g || '@example.com',
            (ARRAY['James Smith', 'Maria Garcia', 'Wei Zhang', 'Priya Patel', 'Olivia Brown'])[1 + g % 5],
            '+1 555 01' || lpad(g::text, 3, '0'), 'note ' || g, g % 10
        FROM generate_series(1, 200) g;
        ANALYZE;
        """;

    private const string Version1 = """
        {"crm.people": {"email": "keyed_hash", "display": {"type": "constant", "value": "Anon"}, "phone": "null", "note": "null"}}
        """;

    [Fact]
    public async Task A_policy_chosen_in_the_wizard_masks_the_preview_and_the_run_and_its_profile_runs_the_newest_version()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("maskpol_ui_console");
        var data = await fx.Servers.CreateDatabasesAsync("maskpol_ui");
        await PgServers.ExecAsync(data.Source, SourceSql);
        var settings = RunsConsole.Settings(consoleDb.Source);
        settings["DetailedErrors"] = "true"; // a circuit failure then names its exception in the browser's console
        await using var console = await RunsConsole.StartAsync(settings, data);
        var connections = console.Factory.Services.GetRequiredService<ConnectionService>();
        await connections.UpdateAsync(console.SourceId, RunsConsole.New("source db", data.Source) with { Environment = ConnectionEnvironment.Production }, "admin");
        var (http, _) = await RunsTestBed.LogInAsync(console.Url, RunsConsole.Operator);
        var created = await http.PostAsJsonAsync("api/v1/masking-policies", new MaskPolicyDraft("CRM", null, null, JsonNode.Parse(Version1)!.AsObject()), RunsTestBed.Json);
        var policy = (await created.Content.ReadFromJsonAsync<MaskPolicyDetail>(RunsTestBed.Json))!;

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var errors = new List<string>();
        var page = await LogInAsync(browser, console.Url, RunsConsole.Operator, errors);

        // The wizard up to Masking: schema crm.
        await page.GotoAsync(console.Url + "/clones/new");
        await Chromium.ChooseAsync(page, "#source-picker", "source db");
        await Chromium.ChooseAsync(page, "#target-picker", "target db");
        await NextAsync(page, "text=A schema");
        await page.ClickAsync("text=A schema");
        await NextAsync(page, "#scope-tree .schema-tree-node[data-node='crm']");
        await page.Locator("#scope-tree .schema-tree-node[data-node='crm']").ClickAsync();
        await Assertions.Expect(page.Locator("#scope-chosen")).ToHaveTextAsync("Schema crm");
        await NextAsync(page, "#option-conflict");
        await NextAsync(page, "#subset-enabled");
        await NextAsync(page, "#mask-policy");

        // The policy: its rules for the scope, read-only; typed rules give way.
        await Assertions.Expect(page.Locator("#add-rule")).ToHaveCountAsync(1);
        await Chromium.ChooseAsync(page, ".mud-input-control:has(#mask-policy-select)", "CRM (v1, 4 rules)");
        await AssertPolicyShownAsync(page, 1);
        Assert.Equal(0, await page.Locator("#add-rule, #mask-rules").CountAsync());

        // The preview masks with the policy's rules.
        await Chromium.ChooseAsync(page, "#preview-table", "people");
        await page.ClickAsync("#preview");
        var previewRows = page.Locator("#mask-preview tbody tr");
        await Assertions.Expect(previewRows).ToHaveCountAsync(5, new() { Timeout = 30_000 });
        var first = (await previewRows.First.Locator("td").AllInnerTextsAsync()).Select(t => t.Trim()).ToList();
        Assert.Equal(["1", "Anon", "NULL", "NULL", "1"], [first[0], .. first[2..]]);
        Assert.Matches("^[0-9a-f]{64}$", first[1]);

        // Production into non-production: the summary finds the flagged columns itself; the policy masks them all.
        await NextAsync(page, "#summary-what");
        await AssertNoConfirmationAsync(page);
        await Assertions.Expect(page.Locator("#summary-mask")).ToHaveTextAsync("4 mask rules of policy CRM (newest version, now v1), applied before any row reaches the target.");

        // Save as profile: it keeps the policy.
        await page.FillAsync("#profile-name", "crm masked");
        await page.ClickAsync("#save-profile");
        await page.WaitForURLAsync(new Regex("/clones$"));
        var profile = (await console.Factory.Services.GetRequiredService<ProfilesService>().ListAsync()).Single();
        Assert.Equal(("crm masked", policy.Policy.Id, (JsonObject?)null), (profile.Name, profile.MaskPolicyId, profile.Request.Options!.Mask));

        // Reopened, the profile shows its policy; started from the wizard, the run records version 1.
        await page.GotoAsync($"{console.Url}/clones/{profile.Id}/edit");
        await BackToMaskingAsync(page);
        await AssertPolicyShownAsync(page, 1);
        await NextAsync(page, "#summary-what");
        await AssertNoConfirmationAsync(page);
        await page.ClickAsync("#start-clone");
        await page.WaitForURLAsync(new Regex("/jobs/\\d+$"));
        try { await Assertions.Expect(page.Locator("#run-progress")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 60_000 }); }
        catch (PlaywrightException e) { throw new TimeoutException($"{e.Message[..200]}\nbrowser errors: {string.Join("\n", errors)}\nurl: {page.Url}", e); }
        await Assertions.Expect(page.Locator("#run-policy")).ToHaveTextAsync("with policy CRM version 1");
        var runId = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var run = await RunsTestBed.GetAsync(http, runId);
        Assert.Equal((policy.Versions[0].Id, false), (run.MaskPolicyVersionId, run.ProductionConfirmed));
        Assert.Equal(200L, await CountAsync(data.Target, "display = 'Anon' AND phone IS NULL AND note IS NULL AND score = id % 10 AND email ~ '^[0-9a-f]{64}$'"));
        Assert.Equal(200L, await PgServers.ScalarAsync<long>(data.Target, "SELECT count(DISTINCT email) FROM crm.people"));
        // The preview showed exactly what the run wrote (the same keyed hash), and never the source's value.
        Assert.Equal(first[1], await PgServers.ScalarAsync<string>(data.Target, "SELECT email FROM crm.people WHERE id = 1"));

        // The policy is edited: the profile's next run applies version 2, and its wizard shows it.
        var v2 = await http.PostAsJsonAsync($"api/v1/masking-policies/{policy.Policy.Id}/versions", new MaskPolicyVersionDraft(JsonNode.Parse("""
            {"crm.people": {"email": {"type": "constant", "value": "hidden@example.com"}, "display": "null", "phone": "null", "note": "null"}}
            """)!.AsObject()), RunsTestBed.Json);
        var version2 = (await v2.Content.ReadFromJsonAsync<MaskPolicyVersionInfo>(RunsTestBed.Json))!;
        await PgServers.ExecAsync(data.Target, "DROP SCHEMA crm CASCADE"); // the profile's conflict strategy is error
        var started = await http.PostAsJsonAsync($"api/v1/profiles/{profile.Id}/run", new { }, RunsTestBed.Json);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var second = await RunsTestBed.WaitFinishedAsync(http, (await started.Content.ReadFromJsonAsync<JsonElement>(RunsTestBed.Json)).GetProperty("id").GetInt64());
        Assert.Equal((RunStatus.Succeeded, version2.Id), (second.Run.Status, second.MaskPolicyVersionId));
        Assert.Equal(200L, await CountAsync(data.Target, "email = 'hidden@example.com' AND display IS NULL AND phone IS NULL AND note IS NULL AND score = id % 10"));
        await page.GotoAsync($"{console.Url}/clones/{profile.Id}/edit");
        await BackToMaskingAsync(page);
        await AssertPolicyShownAsync(page, 2);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>Next, until the following step shows <paramref name="shown"/> (a click before the selection reached the circuit stays on the step).</summary>
    private static async Task NextAsync(IPage page, string shown)
    {
        for (var attempt = 1; ; attempt++)
        {
            await page.ClickAsync("#wizard-next");
            try
            {
                await page.Locator(shown).First.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 10_000 });
                return;
            }
            catch (TimeoutException) when (attempt < 4) { }
            catch (TimeoutException e) { throw new TimeoutException($"{e.Message}\npage: {await page.InnerTextAsync("body")}", e); }
        }
    }

    /// <summary>A reopened profile opens on its summary, every step done; the Masking step is one click on its title.</summary>
    private static async Task BackToMaskingAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("#summary-what")).ToBeVisibleAsync();
        // For a person to look at: a reopened profile.
        await page.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/wizard-reopened-profile-1280.png" });
        await Chromium.ClickUntilVisibleAsync(page, "#clone-wizard >> role=tab[name=/^Masking/]", "#mask-policy");
    }

    private static async Task AssertPolicyShownAsync(IPage page, int version)
    {
        await Assertions.Expect(page.Locator("#mask-policy-version")).ToContainTextAsync($"Version {version} of CRM: 4 rules in this clone's scope.");
        var rows = page.Locator("#mask-policy-rules tr[data-column]");
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        var lines = new List<string>();
        foreach (var row in await rows.AllAsync()) lines.Add(string.Join(" | ", (await row.Locator("td").AllInnerTextsAsync()).Select(t => t.Trim())));
        Assert.Equal(version == 1
            ? ["crm.people | email | keyed_hash | ", "crm.people | display | constant | value = \"Anon\"", "crm.people | phone | null | ", "crm.people | note | null | "]
            : ["crm.people | email | constant | value = \"hidden@example.com\"", "crm.people | display | null | ", "crm.people | phone | null | ", "crm.people | note | null | "],
            lines);
    }

    /// <summary>The summary's own discovery ends, the preflight passes, and no production confirmation is asked.</summary>
    private static async Task AssertNoConfirmationAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("#preflight-checks")).ToHaveAttributeAsync("data-status", "ok", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#summary-discovering")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        Assert.Equal(0, await page.Locator("#production-warning").CountAsync());
        await Assertions.Expect(page.Locator("#start-clone")).ToBeEnabledAsync();
    }

    private static Task<long> CountAsync(string cs, string where) =>
        PgServers.ScalarAsync<long>(cs, $"SELECT count(*) FROM crm.people WHERE {where}");
}
