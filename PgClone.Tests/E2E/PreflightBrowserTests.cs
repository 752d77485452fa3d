using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Runs;
using static PgClone.Tests.E2E.RunsBrowserTests;

namespace PgClone.Tests.E2E;

/// <summary>
/// The wizard's preflight and Subset step in Chromium on a real console and servers: a blocker disables Start while
/// Save as profile still saves; a subset clone picked in the browse tree, with a virtual foreign key, lands exactly
/// the rows an independent SQL computation of the closure selects.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PreflightBrowserTests(PgServersFixture fx)
{
    private const string SourceSql = """
        CREATE SCHEMA shop;
        CREATE TABLE shop.customers (id int PRIMARY KEY, city text);
        INSERT INTO shop.customers SELECT g, 'city ' || (g % 20) FROM generate_series(1, 1500) g;
        CREATE TABLE shop.orders (id int PRIMARY KEY, customer_id int REFERENCES shop.customers, total numeric(10,2));
        INSERT INTO shop.orders SELECT g, 1 + g % 1500, g * 0.5 FROM generate_series(1, 2500) g;
        -- No declared key: the wizard adds a virtual one.
        CREATE TABLE shop.notes (id int PRIMARY KEY, customer_ref int, body text);
        INSERT INTO shop.notes SELECT g, 1 + g % 300, 'note ' || g FROM generate_series(1, 900) g;
        CREATE TABLE shop.countries (code text PRIMARY KEY);
        INSERT INTO shop.countries VALUES ('DE'), ('FR');
        CREATE SCHEMA blocked;
        CREATE TABLE blocked.t (id int PRIMARY KEY);
        ANALYZE;
        """;

    [Fact]
    public async Task A_blocker_disables_start_but_not_save_and_a_subset_clone_from_the_wizard_lands_the_exact_closure()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("pf_ui_console");
        var data = await fx.Servers.CreateDatabasesAsync("pf_ui");
        await PgServers.ExecAsync(data.Source, SourceSql);
        await PgServers.ExecAsync(data.Target, "CREATE SCHEMA blocked; CREATE TABLE blocked.t (x text)");
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var errors = new List<string>();
        var page = await LogInAsync(browser, console.Url, RunsConsole.Operator, errors);

        // A table in the way under conflict=error: the preflight's blocker, Start disabled, Save as profile allowed.
        await ToOptionsAsync(page, "blocked");
        await page.ClickAsync("#wizard-next"); // options
        await page.ClickAsync("#wizard-next"); // subset: none
        await page.ClickAsync("#wizard-next"); // masking: none
        await Assertions.Expect(page.Locator("#preflight-checks")).ToHaveAttributeAsync("data-status", "blocker", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#preflight-group-blocker .preflight-check[data-id='conflict']"))
            .ToHaveTextAsync("conflict table \"blocked\".\"t\": already exists (conflict strategy is error; nothing was changed)");
        await Assertions.Expect(page.Locator("#start-clone")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#save-profile")).ToBeEnabledAsync();
        await page.FillAsync("#profile-name", "blocked for later");
        await page.ClickAsync("#save-profile");
        await page.WaitForURLAsync(new Regex("/clones$"));
        var (http, _) = await RunsTestBed.LogInAsync(console.Url, RunsConsole.Operator);
        var profiles = await http.GetFromJsonAsync<JsonElement>("api/v1/profiles");
        var saved = Assert.Single(profiles.EnumerateArray());
        Assert.Equal(("blocked for later", "schema", "blocked"), (saved.GetProperty("name").GetString(),
            saved.GetProperty("request").GetProperty("operation").GetString(), saved.GetProperty("request").GetProperty("schema").GetString()));

        // A subset: root picked in the browse tree, a filter, a virtual foreign key; the summary shows the rows per table.
        await ToOptionsAsync(page, "shop");
        await page.ClickAsync("#wizard-next");
        await page.ClickAsync("text=Copy a referentially complete subset of the rows, not all of them");
        await TreeArrow(page, "shop").ClickAsync();
        await Chromium.ClickUntilTextAsync(page.Locator(".schema-tree-node[data-node='shop.customers']"), page.Locator("#subset-root"), "Root: \"shop\".\"customers\"");
        await page.FillAsync("#subset-where", "id <= 10");
        await page.FillAsync("#vfk-from", "shop.notes(customer_ref)");
        await page.FillAsync("#vfk-to", "shop.customers(id)");
        await page.ClickAsync("#vfk-add");
        await Assertions.Expect(page.Locator("#virtual-keys tbody tr")).ToHaveCountAsync(1);
        await page.ClickAsync("#wizard-next");
        await Assertions.Expect(page.Locator("#discover")).ToBeAttachedAsync();
        await page.ClickAsync("#wizard-next");
        await Assertions.Expect(page.Locator("#preflight-checks")).ToHaveAttributeAsync("data-status", "ok", new() { Timeout = 30_000 });

        var expected = new Dictionary<string, long>
        {
            ["customers"] = 10,
            ["orders"] = await PgServers.ScalarAsync<long>(data.Source, "SELECT count(*) FROM shop.orders WHERE customer_id <= 10"),
            ["notes"] = await PgServers.ScalarAsync<long>(data.Source, "SELECT count(*) FROM shop.notes WHERE customer_ref <= 10"),
        };
        var subsetRows = await page.Locator("#subset-rows tbody tr").AllInnerTextsAsync();
        foreach (var (table, rows) in expected)
            Assert.Contains(subsetRows, r => r.Contains($"\"shop\".\"{table}\"") && r.Contains($"{rows:N0} rows"));
        await Assertions.Expect(page.Locator("#start-clone")).ToBeEnabledAsync();
        await page.ClickAsync("#start-clone");
        await page.WaitForURLAsync(new Regex("/jobs/\\d+$"));
        await WatchBarAsync(page, "succeeded");

        foreach (var (table, rows) in expected)
            Assert.Equal(rows, await PgServers.ScalarAsync<long>(data.Target, $"SELECT count(*) FROM shop.{table}"));
        // Outside the foreign-key graph: copied whole (the default).
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(data.Target, "SELECT count(*) FROM shop.countries"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(data.Target, "SELECT count(*) FROM shop.orders o WHERE NOT EXISTS (SELECT 1 FROM shop.customers c WHERE c.id = o.customer_id)"));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>A new wizard through connections, schema operation and the scope, onto the Options step.</summary>
    private static async Task ToOptionsAsync(IPage page, string schema)
    {
        await page.GotoAsync(page.Url[..page.Url.IndexOf('/', 8)] + "/clones/new");
        await Chromium.ChooseAsync(page, "#source-picker", "source db");
        await Chromium.ChooseAsync(page, "#target-picker", "target db");
        await page.ClickAsync("#wizard-next");
        await page.ClickAsync("text=A schema");
        await page.ClickAsync("#wizard-next");
        await page.Locator($"#scope-tree .schema-tree-node[data-node='{schema}']").ClickAsync();
        await Assertions.Expect(page.Locator("#scope-chosen")).ToHaveTextAsync($"Schema {schema}");
        await page.ClickAsync("#wizard-next");
        await Assertions.Expect(page.Locator("#option-conflict")).ToBeAttachedAsync();
    }

    private static ILocator TreeItem(IPage page, string key) =>
        page.Locator(".mud-treeview-item-content", new() { Has = page.Locator($".schema-tree-node[data-node='{key}']") });

    private static ILocator TreeArrow(IPage page, string key) => TreeItem(page, key).Locator(".mud-treeview-item-arrow button");
}
