using System.Net.Http.Json;
using Microsoft.Playwright;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Runs;
using PgClone.Tests.Web.Security;
using PgClone.Web.Data;

namespace PgClone.Tests.E2E;

/// <summary>
/// The console's frame on every main page, as an Admin in Chromium: the tab's title, the navigation drawer at
/// 1280 px and on a phone (hidden until the app bar's menu button opens it), no sideways scrolling, and the
/// navigation and a page's main action used with the keyboard alone, and the light/dark theme kept across pages.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LayoutBrowserTests(PgServersFixture fx)
{
    private const string Admin = "layout.admin@example.com";

    /// <summary>Each main page and the title its tab shows.</summary>
    private static readonly (string Path, string Title)[] Pages =
    [
        ("/", "Dashboard · PgClone"),
        ("/connections", "Connections · PgClone"),
        ("/clones", "Clone profiles · PgClone"),
        ("/clones/new", "New clone · PgClone"),
        ("/jobs", "Jobs · PgClone"),
        ("/schedules", "Schedules · PgClone"),
        ("/masking", "Masking · PgClone"),
        ("/roles", "Roles · PgClone"),
        ("/diff", "Diff and verify · PgClone"),
        ("/audit", "Audit · PgClone"),
        ("/admin", "Admin · PgClone"),
        ("/admin/users", "Users · PgClone"),
        ("/account", "My account · PgClone"),
    ];

    [Fact]
    public async Task Every_main_page_has_its_title_a_drawer_at_1280_px_a_menu_on_a_phone_no_sideways_scrolling_and_a_kept_dark_theme()
    {
        await using var console = await StartAsync("layout");

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        List<string> errors = [];
        var wide = await Chromium.LogInAsync(browser, console.Url, Admin, RunsTestBed.Password, p => errors = Chromium.CollectErrors(p));
        var phone = await wide.Context.NewPageAsync();
        phone.SetDefaultTimeout(20_000);
        await phone.SetViewportSizeAsync(390, 844);
        var phoneErrors = Chromium.CollectErrors(phone);

        foreach (var (path, title) in Pages)
        {
            await wide.GotoAsync(console.Url + path);
            await Assertions.Expect(wide).ToHaveTitleAsync(title);
            await Assertions.Expect(NavLink(wide, "Connections")).ToBeInViewportAsync();
            await AssertNoSidewaysScrollingAsync(wide, path);
            if (path == "/connections")
            {
                // The grid fits beside the drawer: a row's actions are on screen without scrolling the grid.
                await Assertions.Expect(wide.Locator("#connections-grid .action-more").First).ToBeInViewportAsync(new() { Ratio = 1 });
            }
            if (path == "/admin")
            {
                // The overview: who uses the console, and the one instance of this cluster, alive and idle.
                await Assertions.Expect(wide.Locator("#admin-user-counts")).ToHaveTextAsync("2 users: 1 Admin, 1 Operator");
                var instance = wide.Locator("#instances tbody tr");
                await Assertions.Expect(instance).ToHaveCountAsync(1);
                await Assertions.Expect(instance.Locator("td").Nth(0)).ToContainTextAsync("this one");
                await Assertions.Expect(instance.Locator("td").Nth(2)).ToHaveTextAsync("0");
                await Assertions.Expect(instance.Locator(".instance-state")).ToHaveTextAsync("alive");
                await Assertions.Expect(wide.Locator("#admin-masking-key")).ToContainTextAsync("Set in the configuration (PgClone:MaskingSecret)");
            }
            if (path == "/admin/users")
            {
                // A user's row fits: its actions are on screen without scrolling the table.
                await Assertions.Expect(wide.Locator("#users .user-actions").First).ToBeInViewportAsync(new() { Ratio = 1 });
                await Chromium.AssertInOneLineAsync(wide, "new-user-email", "new-user-role", "new-user-password");
            }
            if (path == "/masking")
            {
                // The empty list says what to do, with the way to do it.
                await Assertions.Expect(wide.Locator("#policies-empty")).ToContainTextAsync("No masking policies yet");
                await Assertions.Expect(wide.Locator("#empty-discover")).ToHaveAttributeAsync("href", "masking/discover");
            }
            if (path == "/diff") await Chromium.AssertInOneLineAsync(wide, "diff-source", "diff-target", "diff-schema");
            // For a person to look at: each page as an Admin sees it before any data.
            await wide.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/admin{(path == "/" ? "-dashboard" : path.Replace('/', '-'))}-1280.png" });

            // As the server sends the page (before the circuit could fix anything up): the title is there, the drawer is not.
            // The title is in the HTML itself (read apart from the page: once interactive, the head is re-rendered and
            // its title is briefly empty), then on the page.
            var html = await (await phone.Context.APIRequest.GetAsync(console.Url + path)).TextAsync();
            var sent = System.Text.RegularExpressions.Regex.Match(html, "<title>(.*?)</title>").Groups[1].Value;
            Assert.Equal((path, title), (path, System.Net.WebUtility.HtmlDecode(sent)));
            await phone.GotoAsync(console.Url + path);
            await Assertions.Expect(phone).ToHaveTitleAsync(title);
            Assert.True(await OffScreenAsync(phone), $"{path}: the drawer shows over the page on a phone as it loads");
            await Assertions.Expect(NavLink(phone, "Connections")).Not.ToBeInViewportAsync();
            await AssertNoSidewaysScrollingAsync(phone, path);
            if (path == "/connections")
            {
                // On a phone each connection is a card whose values stay on screen (a long address wraps).
                await Assertions.Expect(phone.Locator("#connections-grid .connection-name").First).ToBeInViewportAsync(new() { Ratio = 1 });
                await Assertions.Expect(phone.Locator("#connections-grid .action-test").First).ToBeInViewportAsync(new() { Ratio = 1 });
                await phone.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/admin-connections-390.png" });
            }
            await OpenDrawerAsync(phone, path);
            await AssertNoSidewaysScrollingAsync(phone, path);
        }

        // One theme, light or dark: the choice applies at once and is kept for the next page the server renders.
        var body = wide.Locator("body");
        await Assertions.Expect(body).ToHaveCSSAsync("background-color", "rgb(246, 248, 250)");
        await UntilAsync(() => wide.ClickAsync("#theme-toggle"), () => Assertions.Expect(body).ToHaveCSSAsync("background-color", "rgb(50, 51, 61)", new() { Timeout = 1_500 }), "the theme toggle switches to dark");
        await wide.ReloadAsync();
        Assert.Equal("rgb(50, 51, 61)", await body.EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
        Assert.Empty(errors);
        Assert.Empty(phoneErrors);
    }

    [Fact]
    public async Task The_keyboard_reaches_the_navigation_opens_connections_and_opens_and_closes_the_add_dialog()
    {
        await using var console = await StartAsync("keyboard");

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var logIn = await Chromium.LogInAsync(browser, console.Url, Admin, RunsTestBed.Password);
        var page = await logIn.Context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        var errors = Chromium.CollectErrors(page);
        await page.GotoAsync(console.Url + "/");
        await Assertions.Expect(page.Locator("#connection-count")).ToHaveTextAsync("2");
        // Keys from here on go to the interactive page: an Enter while the circuit was still starting navigated, and
        // the circuit, started for "/", then rendered the Dashboard again under /connections (Blazor's own race; 1 CI
        // run in 3 failed on it).
        await Chromium.WaitForInteractiveAsync(page);

        // From the top of a fresh page, Tab passes the app bar and lands on the drawer's links, with a visible focus.
        // The page comes prerendered and its DOM is rendered anew once the circuit is interactive, which drops the
        // focus: each step re-tabs to its element (checked with the focus in one look) and repeats its key until it acts.
        await TabUntilAsync(page, "a.mud-nav-link", "a navigation link", ".mud-drawer :focus-visible");
        await UntilAsync(async () =>
        {
            await TabUntilAsync(page, "a.mud-nav-link[href='connections']", "the Connections link");
            await page.Keyboard.PressAsync("Enter");
        }, async () =>
        {
            // The page, not only its address: an Enter as the circuit starts can change the URL and leave the old page.
            await Assertions.Expect(page).ToHaveURLAsync(console.Url + "/connections", new() { Timeout = 5_000 });
            await Assertions.Expect(page.Locator("#connections-grid")).ToBeVisibleAsync(new() { Timeout = 5_000 });
        }, "Enter on the Connections link opens the page");
        await Assertions.Expect(page).ToHaveTitleAsync("Connections · PgClone");
        await Assertions.Expect(page.Locator("#connections-grid")).ToContainTextAsync("source db");

        // The page's main action: Tab reaches Add, Enter opens its dialog, Escape closes it again.
        var dialog = page.Locator(".mud-dialog");
        await UntilAsync(async () =>
        {
            if (await dialog.CountAsync() > 0) return; // the last Enter acted after all: never a second dialog
            await TabUntilAsync(page, "#add-connection", "the Add connection button", ":focus-visible");
            await page.Keyboard.PressAsync("Enter");
        }, () => Assertions.Expect(dialog).ToBeVisibleAsync(new() { Timeout = 5_000 }), "Enter on Add opens the dialog");
        await Assertions.Expect(dialog.Locator(".mud-dialog-title")).ToHaveTextAsync("Add connection");
        // The dialog listens for Escape once its keyboard handler is registered over the circuit: a press before may be lost.
        await UntilAsync(() => page.Keyboard.PressAsync("Escape"), () => Assertions.Expect(dialog).ToHaveCountAsync(0, new() { Timeout = 1_500 }), "Escape closes the dialog");
        Assert.Empty(errors);
    }

    /// <summary>
    /// What a page shows for a moment after the browser parsed it, and takes away again: a loading bar, or a claim that
    /// there is nothing ("does not exist", an empty state, a picker's "No connection you may use"). A page read while prerendering must keep what it shows when
    /// the circuit takes over (one that read its data again went back to its loading bar, or "does not exist", for a
    /// moment). A server-data grid reads its rows only once interactive: its own first load is expected, but not an
    /// empty state before it (Jobs said "No runs yet" above the runs it then listed).
    /// </summary>
    private const string WatchFlashes = """
        window.__added = [];
        document.addEventListener('DOMContentLoaded', () => new MutationObserver(changes => {
          const watched = '.mud-progress-linear:not(.pgclone-grid-first-load), .mud-skeleton, .pgclone-empty, #no-such-schedule, #run-missing, '
            + '#no-matching-runs, #schedule-never-fired, #diff-form .mud-alert';
          for (const c of changes) for (const n of c.addedNodes)
            if (n.nodeType === 1)
              for (const e of [...(n.matches(watched) ? [n] : []), ...n.querySelectorAll(watched)])
                if (!e.closest('.mud-table-loading')) window.__added.push(e);
        }).observe(document.body, { childList: true, subtree: true }));
        window.__flashes = () => window.__added.filter(e => !e.isConnected).map(e => e.outerHTML.slice(0, 200));
        """;

    [Fact]
    public async Task Pages_read_while_prerendering_keep_what_they_show_when_the_circuit_takes_over()
    {
        var data = await fx.Servers.CreateDatabasesAsync("prerender_data");
        await RunsTestBed.SeedSourceAsync(data.Source);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings((await fx.Servers.CreateDatabasesAsync("prerender_console")).Source), data);
        await console.AddUserAsync(Admin, AppRoles.Admin);
        var (http, _) = await RunsTestBed.LogInAsync(console.Url, RunsConsole.Operator);
        var profile = await PgClone.Tests.Web.Schedules.SchedulesTestBed.CreateProfileAsync(http, "notes nightly", new PgClone.Web.Runs.RunRequest("table", console.SourceId, console.TargetId, RunsTestBed.Schema, "notes"));
        var schedule = await PgClone.Tests.Web.Schedules.SchedulesTestBed.CreateScheduleAsync(http, new PgClone.Web.Schedules.ScheduleDraft("notes at 3", profile, "0 0 3 * * ?"));
        var policy = await http.PostAsJsonAsync("api/v1/masking-policies", new PgClone.Web.Masking.MaskPolicyDraft("Notes", null, null,
            new System.Text.Json.Nodes.JsonObject { [$"{RunsTestBed.Schema}.notes"] = new System.Text.Json.Nodes.JsonObject { ["label"] = "hash" } }), RunsTestBed.Json);
        Assert.Equal(System.Net.HttpStatusCode.Created, policy.StatusCode);
        var policyId = (await policy.Content.ReadFromJsonAsync<PgClone.Web.Masking.MaskPolicyDetail>(RunsTestBed.Json))!.Policy.Id;
        var run = await RunsTestBed.StartAsync(http, new PgClone.Web.Runs.RunRequest("table", console.SourceId, console.TargetId, RunsTestBed.Schema, "notes"));
        Assert.Equal(PgClone.Web.Runs.RunStatus.Succeeded, (await RunsTestBed.WaitAsync(http, run, d => d.Run.FinishedAt is not null)).Run.Status);

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        List<string> errors = [];
        var page = await Chromium.LogInAsync(browser, console.Url, Admin, RunsTestBed.Password, p => errors = Chromium.CollectErrors(p));
        await page.Context.AddInitScriptAsync(WatchFlashes);
        (string Path, string Shows)[] pages =
        [
            ("/", "#recent-runs"), ("/jobs", "#runs-grid"), ("/audit", "h1, h4, h5"), ("/connections", "#connections-grid"), ("/clones", "#profiles-grid"), ("/schedules", "#schedules-grid"),
            ($"/schedules/{schedule.Id}", "#schedule-next-firing"), ("/masking", "#policies"), ($"/masking/policies/{policyId}", "h1, h4, h5"),
            ("/roles", "#no-role-templates"), ("/admin", "#admin-user-counts"), ("/admin/users", "#users"),
            ($"/jobs/{run}", "#run-progress"), ($"/jobs/{run}/evidence", "h1, h4, h5"),
            ("/diff", "#diff-form"), ($"/diff?run={run}", "#diff-run-scope"),
        ];
        foreach (var (path, shows) in pages)
        {
            var sent = await (await page.Context.APIRequest.GetAsync(console.Url + path)).TextAsync();
            // Sent before any grid read its rows: no grid says it has none.
            Assert.DoesNotMatch("id=\"(no-runs|no-matching-runs|no-audit-entries|schedule-never-fired)\"", sent);
            await page.GotoAsync(console.Url + path);
            await Chromium.WaitForInteractiveAsync(page);
            await Assertions.Expect(page.Locator(shows).First).ToBeVisibleAsync();
            // The circuit's first render, and any read it starts, are done well within this.
            await page.WaitForTimeoutAsync(750);
            var added = await page.EvaluateAsync<string[]>("() => window.__flashes()");
            Assert.Equal($"{path}: nothing", $"{path}: {(added.Length == 0 ? "nothing" : string.Join(" | ", added))}");
        }
        Assert.Empty(errors);
    }

    /// <summary>A console with the test bed's two connections and an Admin.</summary>
    private async Task<RunsConsole> StartAsync(string name)
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync(name + "_console");
        var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), await fx.Servers.CreateDatabasesAsync(name + "_data"));
        await console.AddUserAsync(Admin, AppRoles.Admin);
        return console;
    }

    private static async Task<bool> OffScreenAsync(IPage page) =>
        await NavLink(page, "Connections").EvaluateAsync<bool>("a => a.getBoundingClientRect().right <= 0");

    private static ILocator NavLink(IPage page, string text) =>
        page.Locator(".mud-drawer a.mud-nav-link").Filter(new() { HasText = text }).First;

    /// <summary>
    /// Presses Tab until the focused element matches (a page has no more than a few dozen stops before its content,
    /// and the circuit's re-render may send the focus back to the top once: twice that many presses);
    /// that element must then also match <paramref name="check"/> (tested in the same look, so a re-render in between
    /// cannot mislead it).
    /// </summary>
    private static async Task TabUntilAsync(IPage page, string selector, string what, string? check = null)
    {
        const string Look = "([s, check]) => { const e = document.activeElement; return e?.matches(s) === true ? (!check || e.matches(check)) : null; }";
        for (var i = 0; i <= 80; i++)
        {
            if (i > 0) await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool?>(Look, new object?[] { selector, check }) is { } holds)
            {
                Assert.True(holds, $"{page.Url}: Tab reached {what}, but not with {check}");
                return;
            }
        }
        var focused = await page.EvaluateAsync<string>("() => document.activeElement?.outerHTML.slice(0, 200) ?? 'nothing'");
        Assert.Fail($"{page.Url}: Tab never reached {what}; focus is on {focused}");
    }

    private static async Task AssertNoSidewaysScrollingAsync(IPage page, string path)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1], $"{path} at {widths[1]} px is {widths[0]} px wide");
    }

    /// <summary>The app bar's menu button slides the drawer in.</summary>
    private static Task OpenDrawerAsync(IPage page, string path)
    {
        var drawer = page.Locator(".mud-drawer");
        return UntilAsync(
            async () => { if (!await drawer.EvaluateAsync<bool>("d => d.classList.contains('mud-drawer--open')")) await page.GetByLabel("Toggle navigation").ClickAsync(); },
            () => Assertions.Expect(NavLink(page, "Connections")).ToBeInViewportAsync(new() { Timeout = 1_500 }),
            $"{path}: the menu button opens the drawer");
    }

    /// <summary>Acts until the expectation holds (retried: the first key or click can land before the circuit is interactive).</summary>
    private static async Task UntilAsync(Func<Task> act, Func<Task> expect, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await act();
            try
            {
                await expect();
                return;
            }
            catch (PlaywrightException) when (DateTime.UtcNow < deadline) { }
            catch (PlaywrightException e) { Assert.Fail($"{what}: {e.Message}"); }
        }
    }
}
