using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Data;

namespace PgClone.Tests.E2E;

/// <summary>
/// Clones from the browser on a real console, real servers and Chromium: an Operator runs a masked schema clone
/// through the wizard and watches it live; an Auditor watches a run live without Start, Cancel or Resume; the
/// Operator cancels a run mid-copy and resumes it, and the target ends equal to the source.
/// Screenshots of each page at 1280 px and 390 px go to /tmp/pgclone-shots.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RunsBrowserTests(PgServersFixture fx)
{
    private const string Shots = Chromium.Shots;

    private const string ShopSql = """
        CREATE SCHEMA shop;
        CREATE TABLE shop.customers (id int PRIMARY KEY, email text NOT NULL, city text);
        INSERT INTO shop.customers SELECT g, 'user' || g || '@example.com', 'city ' || (g % 20) FROM generate_series(1, 1500) g;
        CREATE TABLE shop.orders (id int PRIMARY KEY, customer_id int REFERENCES shop.customers, total numeric(10,2));
        INSERT INTO shop.orders SELECT g, 1 + g % 1500, g * 0.5 FROM generate_series(1, 2500) g;
        ANALYZE shop.customers; ANALYZE shop.orders;
        """;

    [Fact]
    public async Task Operator_clones_masked_from_the_wizard_an_auditor_watches_and_a_cancelled_run_resumes_to_equal_checksums()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("runs_ui_console");
        var data = await fx.Servers.CreateDatabasesAsync("runs_ui_data");
        await PgServers.ExecAsync(data.Source, ShopSql);
        await RunsTestBed.SeedSourceAsync(data.Source);
        await RunsTestBed.SlowTargetAsync(data.Target, 0.002, gated: true);
        var settings = RunsConsole.Settings(consoleDb.Source);
        settings["DetailedErrors"] = "true"; // a circuit failure then names its exception in the browser's console
        await using var console = await RunsConsole.StartAsync(settings, data);
        await console.AddUserAsync(RunsConsole.Auditor, AppRoles.Auditor);
        Directory.CreateDirectory(Shots);

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var errors = new List<string>();
        var op = await LogInAsync(browser, console.Url, RunsConsole.Operator, errors);

        // The wizard: connections, operation, scope, options, masking (discovery's suggestion accepted, preview), summary.
        await op.GotoAsync(console.Url + "/clones/new");
        await Chromium.ChooseAsync(op, "#source-picker", "source db");
        await Chromium.ChooseAsync(op, "#target-picker", "target db");
        await Shot(op, "wizard-connections");
        await op.ClickAsync("#wizard-next");
        await op.ClickAsync("text=A schema");
        await op.ClickAsync("#wizard-next");
        await op.Locator("#scope-tree .schema-tree-node[data-node='shop']").ClickAsync();
        await Assertions.Expect(op.Locator("#scope-chosen")).ToHaveTextAsync("Schema shop");
        await Shot(op, "wizard-scope");
        await op.ClickAsync("#wizard-next");
        await Assertions.Expect(op.Locator("#option-conflict")).ToBeAttachedAsync();
        await Shot(op, "wizard-options");
        await op.ClickAsync("#wizard-next");
        await Assertions.Expect(op.Locator("#subset-enabled")).ToBeAttachedAsync();
        await op.ClickAsync("#wizard-next");
        await op.ClickAsync("#discover");
        var flagged = op.Locator("#flagged-columns tbody tr");
        await Assertions.Expect(flagged).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(flagged).ToContainTextAsync("customers.email");
        await op.ClickAsync("#accept-all");
        await Assertions.Expect(op.Locator("#mask-rules tbody tr")).ToHaveTextAsync(new Regex("^\\s*customers\\s*email\\s*email\\s*$"));
        await Chromium.ChooseAsync(op, "#preview-table", "customers");
        await op.ClickAsync("#preview");
        var previewRows = op.Locator("#mask-preview tbody tr");
        await Assertions.Expect(previewRows).ToHaveCountAsync(5, new() { Timeout = 30_000 });
        Assert.Equal(["1", "u***@example.com", "city 1"], (await previewRows.First.Locator("td").AllInnerTextsAsync()).Select(t => t.Trim()));
        await Shot(op, "wizard-masking");
        await op.ClickAsync("#wizard-next");
        await Assertions.Expect(op.Locator("#preflight-checks")).ToHaveAttributeAsync("data-status", "ok", new() { Timeout = 30_000 });
        await Assertions.Expect(op.Locator("#summary-size")).ToHaveTextAsync(new Regex("^2 tables, about 4,000 rows, "));
        // The step just entered shows whole in the stepper's header: beside the drawer at 1280 px, and on a phone,
        // where the header scrolls sideways.
        var activeStep = op.Locator("#clone-wizard .mud-step.active .mud-step-label-content");
        await Assertions.Expect(activeStep).ToContainTextAsync("Summary");
        await Assertions.Expect(activeStep).ToBeInViewportAsync(new() { Ratio = 1 });
        await op.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(activeStep).ToBeInViewportAsync(new() { Ratio = 1 });
        await op.SetViewportSizeAsync(1280, 900);
        await Shot(op, "wizard-summary");
        await op.ClickAsync("#start-clone");
        await op.WaitForURLAsync(new Regex("/jobs/\\d+$"));
        await ShowsRunOfUrlAsync(op);
        var maskedRun = long.Parse(op.Url[(op.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);

        // The bar moves and reaches 100%; per-table rows equal the source's.
        List<double> values;
        try { values = await WatchBarAsync(op, "succeeded"); }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            await op.ScreenshotAsync(new() { Path = $"{Shots}/failure.png", FullPage = true });
            throw new TimeoutException($"{e.Message}\nbrowser errors: {string.Join("\n", errors)}\npage: {await op.InnerTextAsync("body")}", e);
        }
        Assert.Contains(values, v => v is > 0 and < 100);
        Assert.Equal("100", values[^1].ToString(CultureInfo.InvariantCulture));
        var tables = await TableRowsAsync(op);
        Assert.Equal(new Dictionary<string, string> { ["shop.customers"] = "1,500", ["shop.orders"] = "2,500" }, tables);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(data.Target, "SELECT count(*) FROM shop.customers WHERE email NOT LIKE 'u***@example.com'"));
        // What the run was told, readable: no option away from its default, the one mask rule as a row.
        await Assertions.Expect(op.Locator("#run-options-changed")).ToHaveTextAsync("defaults");
        Assert.Equal(["customers", "email", "email", ""], (await op.Locator("#run-header .policy-rules tr[data-column='customers.email'] td").AllInnerTextsAsync()).Select(t => t.Trim()));
        await Assertions.Expect(op.Locator("#run-header")).ToContainTextAsync("masked before any row reached the target");
        // In the narrow side panel each rule is a card of labelled lines: no header row, no column cut off.
        await Assertions.Expect(op.Locator("#run-header .policy-rules thead")).ToBeHiddenAsync();
        await Assertions.Expect(op.Locator("#run-header .policy-rules td[data-label='Strategy']")).ToBeInViewportAsync(new() { Ratio = 1 });
        await Shot(op, "run-detail");
        // Its drift, opened from the run: a schema clone brings none of the database's own objects, so they are left out.
        await op.ClickAsync("#verify-this-run");
        await Assertions.Expect(op.Locator("#diff-run-scope")).ToContainTextAsync($"Comparing run #{maskedRun}");
        await Assertions.Expect(op.Locator("#diff-run-scope")).ToContainTextAsync("source db → target db, schema \"shop\".");
        await Assertions.Expect(op.GetByLabel("Database-wide objects")).Not.ToBeCheckedAsync();
        await op.ClickAsync("#diff-run");
        await Assertions.Expect(op.Locator("#diff-scope")).ToHaveTextAsync("Database-wide objects not compared");
        // The only drift is the test bed's own slow-loading triggers on the target (not its event trigger, database-wide).
        await Assertions.Expect(op.Locator("#diff-summary")).ToHaveTextAsync("2 differences");
        Assert.Equal(["customers.zz_slow", "orders.zz_slow"], (await op.Locator(".pgclone-diff-category[data-category='triggers'] [data-kind='extra'] code").AllInnerTextsAsync()).Select(t => t.Trim()));

        // A long run started by the Operator: the Auditor watches it live, with no Start, Cancel or Resume.
        var (http, _) = await RunsTestBed.LogInAsync(console.Url, RunsConsole.Operator);

        // The run's summary downloads as CSV (one line per table) and JSON.
        var csv = (await http.GetStringAsync($"api/v1/runs/{maskedRun}/summary.csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("run,table,status,rows,bytes,seconds,copied_by_job,error", csv[0]);
        Assert.Equal([$"{maskedRun},\"\"\"shop\"\".\"\"customers\"\"\",copied,1500,", $"{maskedRun},\"\"\"shop\"\".\"\"orders\"\"\",copied,2500,"],
            csv[1..].Select(l => string.Join(',', l.Split(',').Take(4)) + ","));
        var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"api/v1/runs/{maskedRun}/summary.json")).RootElement;
        Assert.Equal(maskedRun, json.GetProperty("run").GetProperty("id").GetInt64());
        Assert.Equal([1500L, 2500L], json.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("rows").GetInt64()));
        // Its loading waits at a gate until the cancel is requested: on a busy machine it could otherwise end first.
        await using var gate = await RunsTestBed.HoldLoadingAsync(data.Target);
        var run = await RunsTestBed.StartAsync(http, new PgClone.Web.Runs.RunRequest("schema", console.SourceId, console.TargetId, RunsTestBed.Schema));
        var audit = await LogInAsync(browser, console.Url, RunsConsole.Auditor, errors);
        await audit.GotoAsync($"{console.Url}/jobs/{run}");
        await op.GotoAsync($"{console.Url}/jobs/{run}");
        await WaitBarAsync(audit, v => v > 0);
        Assert.Equal(0, await audit.Locator(".pgclone-cancel, .pgclone-resume").CountAsync());
        // Submitted through the API without options: the page says it ran with the defaults.
        await Assertions.Expect(audit.Locator("#run-options-changed")).ToHaveTextAsync("defaults");
        await Shot(audit, "run-live-auditor");

        // Cancel mid-copy from the browser.
        await WaitBarAsync(op, v => v > 0);
        await CancelFromPageAsync(op);
        await gate.DisposeAsync();
        await Assertions.Expect(op.Locator("#run-progress")).ToHaveAttributeAsync("data-status", "cancelled", new() { Timeout = 30_000 });
        await Assertions.Expect(audit.Locator("#run-progress")).ToHaveAttributeAsync("data-status", "cancelled", new() { Timeout = 30_000 });
        Assert.Equal(0, await audit.Locator(".pgclone-cancel, .pgclone-resume").CountAsync());
        await audit.GotoAsync(console.Url + "/jobs");
        await Assertions.Expect(audit.Locator("#runs-grid")).ToContainTextAsync($"#{run}");
        Assert.Equal(0, await audit.Locator("#jobs-new-clone, .pgclone-cancel, .pgclone-resume").CountAsync());
        await Shot(audit, "jobs");

        // Resume: a new run finishes what the cancelled one left; the target equals the source.
        await op.Locator(".pgclone-resume").First.ClickAsync();
        await op.WaitForURLAsync(new Regex($"/jobs/(?!{run}$)\\d+$"));
        await ShowsRunOfUrlAsync(op);
        await WatchBarAsync(op, "succeeded", TimeSpan.FromSeconds(90));
        await RunsTestBed.AssertChecksumsEqualAsync(data.Source, data.Target);

        foreach (var (path, name) in new[] { ("/", "dashboard"), ("/jobs", "jobs-operator"), ("/clones", "profiles") })
        {
            await op.GotoAsync(console.Url + path);
            await op.WaitForTimeoutAsync(800);
            await Shot(op, name);
        }
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    internal static Task<IPage> LogInAsync(IBrowser browser, string url, string email, List<string> errors) =>
        Chromium.LogInAsync(browser, url, email, RunsTestBed.Password, page =>
        {
            page.PageError += (_, e) => errors.Add($"{email}: {e}");
            page.Console += (_, m) => { if (Chromium.IsError(m)) errors.Add($"{email}: {m.Text}"); };
        });


    /// <summary>
    /// Clicks Cancel until the page shows the request taken ("Cancelling…", or the run already cancelled): the page
    /// is first sent prerendered, and a click before its circuit is interactive is lost.
    /// </summary>
    private static async Task CancelFromPageAsync(IPage page)
    {
        var cancel = page.Locator(".pgclone-cancel").First;
        var taken = page.Locator(".pgclone-cancel:has-text('Cancelling'), .pgclone-resume").First;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if (await cancel.CountAsync() > 0 && await cancel.IsEnabledAsync()) await cancel.ClickAsync(new() { Timeout = 5_000 });
                await Assertions.Expect(taken).ToBeVisibleAsync(new() { Timeout = 1_500 });
                return;
            }
            catch (PlaywrightException) when (DateTime.UtcNow < deadline) { }
        }
    }

    /// <summary>
    /// Waits until the page shows the run its address names: Resume changes the address at once, and the cancelled
    /// run stays on screen until the server has rendered the new one.
    /// </summary>
    private static Task ShowsRunOfUrlAsync(IPage page)
    {
        var id = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        return Assertions.Expect(page.Locator("#download-json")).ToHaveAttributeAsync("href", $"api/v1/runs/{id}/summary.json", new() { Timeout = 30_000 });
    }

    private static async Task<double?> BarAsync(IPage page)
    {
        var value = await page.Locator("#run-progress").GetAttributeAsync("data-value");
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    private static async Task WaitBarAsync(IPage page, Func<double, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await BarAsync(page) is not { } v || !until(v))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"bar is {await BarAsync(page)}");
            await Task.Delay(50);
        }
    }

    /// <summary>The bar's values until the run reaches <paramref name="status"/>.</summary>
    internal static async Task<List<double>> WatchBarAsync(IPage page, string status, TimeSpan? timeout = null)
    {
        var values = new List<double>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        await page.Locator("#run-progress").WaitForAsync();
        while (true)
        {
            if (await BarAsync(page) is { } v && (values.Count == 0 || values[^1] != v)) values.Add(v);
            var now = await page.Locator("#run-progress").GetAttributeAsync("data-status");
            if (now == status && values.Count > 0 && values[^1] == 100) return values;
            if (now is "failed" or "cancelled" && now != status) throw new InvalidOperationException($"run {now}: {await page.InnerTextAsync("#main")}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"run is {now}, bar {string.Join(",", values)}");
            await Task.Delay(50);
        }
    }

    private static async Task<Dictionary<string, string>> TableRowsAsync(IPage page)
    {
        var rows = page.Locator("#run-tables tbody tr");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        var result = new Dictionary<string, string>();
        for (var i = 0; i < await rows.CountAsync(); i++)
            result[(await rows.Nth(i).Locator("code").InnerTextAsync()).Replace("\"", "")] = (await rows.Nth(i).Locator(".pgclone-table-rows").InnerTextAsync()).Trim();
        return result;
    }

    /// <summary>The page at desktop and at phone width, for a person to look at.</summary>
    internal static async Task Shot(IPage page, string name)
    {
        Directory.CreateDirectory(Shots);
        await page.ScreenshotAsync(new() { Path = $"{Shots}/{name}-1280.png", FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        await page.WaitForTimeoutAsync(300);
        await page.ScreenshotAsync(new() { Path = $"{Shots}/{name}-390.png", FullPage = true });
        await page.SetViewportSizeAsync(1280, 900);
        await page.WaitForTimeoutAsync(200);
    }
}
