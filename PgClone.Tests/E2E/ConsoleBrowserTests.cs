using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Web.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace PgClone.Tests.E2E;

/// <summary>
/// The console in Chromium on a real Kestrel port: first run, login, and interactive pages over the Blazor
/// circuit. Fails when blazor.web.js is missing or the circuit never comes up, since clicks then do nothing.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleBrowserTests(PgServersFixture fx)
{
    private const string Email = "first.admin@example.com";
    private const string Password = "Br0wser-secret!";

    [Fact]
    public async Task Newcomer_creates_the_admin_logs_in_and_uses_interactive_pages()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_e2e");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var baseUrl = console.StartKestrel();
        await console.Services.GetRequiredService<ConnectionService>()
            .AddAsync(new NewConnection("warehouse", "db.example.com", 5433, "sales", "reader", "s3cret"), "test");

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (Chromium.IsError(m)) consoleErrors.Add($"{m.Text} ({m.Location})"); };
        page.PageError += (_, e) => consoleErrors.Add(e);
        var scripts = new Dictionary<string, int>();
        page.Response += (_, r) =>
        {
            if (r.Url.EndsWith(".js")) scripts[new Uri(r.Url).AbsolutePath] = r.Status;
            if (r.Status >= 400) consoleErrors.Add($"HTTP {r.Status} {r.Url}");
        };

        // The circuit's traffic passes through here, so the test can cut the connection like a network outage.
        var outage = false;
        IWebSocketRoute? circuitSocket = null;
        var blazorHub = new Regex("/_blazor(/|\\?|$)");
        await page.RouteWebSocketAsync(blazorHub, ws =>
        {
            if (outage) { _ = ws.CloseAsync(new() { Code = 4000, Reason = "outage" }); return; }
            ws.ConnectToServer();
            circuitSocket = ws;
        });
        await page.RouteAsync(blazorHub, route => outage ? route.AbortAsync() : route.ContinueAsync());

        // First run: the console sends a newcomer to create the administrator, then to the login page.
        await Chromium.CreateFirstAdminAsync(page, baseUrl, Email, Password);
        Assert.Equal("The administrator was created: log in with it.", (await page.InnerTextAsync("#created-message")).Trim());

        await page.FillAsync("#email", Email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync(baseUrl + "/");
        Assert.Equal(Email, (await page.InnerTextAsync("#user-name")).Trim());

        // The circuit is up: blazor.web.js loaded, Blazor defined, and a click changes the DOM from the server.
        // Both scripts are fingerprinted by MapStaticAssets (blazor.web.<hash>.js).
        Assert.Equal(200, scripts.Single(s => Regex.IsMatch(s.Key, @"^/_framework/blazor\.web(\.[a-z0-9]+)?\.js$")).Value);
        Assert.Equal(200, scripts.Single(s => Regex.IsMatch(s.Key, @"^/_content/MudBlazor/MudBlazor\.min(\.[a-z0-9]+)?\.js$")).Value);
        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.Blazor === 'object'"));
        Assert.Equal("1", (await page.InnerTextAsync("#connection-count")).Trim());
        await ClickUntilAsync(page, "#refresh", "#refresh-count", "1");
        await page.ClickAsync("#refresh");
        await Assertions.Expect(page.Locator("#refresh-count")).ToHaveAttributeAsync("data-refreshes", "2");
        await Assertions.Expect(page.Locator("#refresh-count")).ToHaveTextAsync(new Regex(@"^Updated \d\d:\d\d:\d\d UTC$"));

        // Theme toggle: MudBlazor switches to the dark palette and the choice is kept in a cookie across reloads.
        var background = "() => getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-background').trim()";
        var light = await page.EvaluateAsync<string>(background);
        await page.ClickAsync("#theme-toggle");
        await page.WaitForFunctionAsync($"() => ({background})() !== '{light}'");
        var cookies = await page.Context.CookiesAsync();
        Assert.Equal("dark", cookies.Single(c => c.Name == "PgClone.Theme").Value);
        var dark = await page.EvaluateAsync<string>(background);
        await page.ReloadAsync();
        Assert.Equal(dark, await page.EvaluateAsync<string>(background));
        await ClickUntilAsync(page, "#refresh", "#refresh-count", "1");
        Assert.Equal(dark, await page.EvaluateAsync<string>(background));

        // Reconnect UI: the connection drops, the console says so, then resumes the same circuit (state kept).
        var errorsBeforeOutage = consoleErrors.Count;
        outage = true;
        await circuitSocket!.CloseAsync(new() { Code = 4000, Reason = "outage" });
        var reconnect = page.Locator("#components-reconnect-modal");
        await Assertions.Expect(reconnect).ToHaveClassAsync(new Regex("components-reconnect-(show|retrying)"));
        await Assertions.Expect(reconnect).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#reconnect-message")).ToHaveTextAsync("Connection to the PgClone console lost. Reconnecting…");
        outage = false;
        await Assertions.Expect(reconnect).Not.ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.ClickAsync("#refresh");
        await Assertions.Expect(page.Locator("#refresh-count")).ToHaveAttributeAsync("data-refreshes", "2");
        consoleErrors.RemoveRange(errorsBeforeOutage, consoleErrors.Count - errorsBeforeOutage); // the outage's own errors

        // Interactive navigation to the connections grid.
        await page.ClickAsync("text=Connections >> nth=0");
        await page.WaitForURLAsync(baseUrl + "/connections");
        var row = page.Locator("#connections-grid tbody tr.mud-table-row").First;
        await Assertions.Expect(row).ToContainTextAsync("warehouse");
        Assert.Equal(["warehouse", "other", "db.example.com:5433/sales", "reader\nSSL prefer"],
            (await row.Locator("td").AllInnerTextsAsync()).Take(4).Select(t => t.Trim()));

        // Log out from the user menu.
        await page.ClickAsync("#user-menu");
        await page.ClickAsync("#logout");
        await page.WaitForURLAsync(baseUrl + "/Account/Login");

        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    /// <summary>
    /// Right after the first render the circuit may still be connecting, and a click then is lost: clicks until the
    /// circuit answers, <paramref name="target"/>'s data-refreshes reaching <paramref name="count"/>.
    /// </summary>
    private static async Task ClickUntilAsync(IPage page, string button, string target, string count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await page.ClickAsync(button);
            try
            {
                await Assertions.Expect(page.Locator(target)).ToHaveAttributeAsync("data-refreshes", count, new() { Timeout = 1_000 });
                return;
            }
            catch (PlaywrightException) when (DateTime.UtcNow < deadline) { }
        }
    }
}
