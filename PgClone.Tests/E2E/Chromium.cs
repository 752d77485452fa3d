using Microsoft.Playwright;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.E2E;

/// <summary>The one way tests start Chromium (Debian's /usr/bin/chromium, headless) and watch a page for errors.</summary>
public static class Chromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        // Chromium's shared memory goes to /tmp: a container's /dev/shm is often 64 MB, which a heavy page fills, and
        // the renderer then crashes or stalls.
        Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    private static readonly SemaphoreSlim SharedGate = new(1, 1);
    private static IPlaywright? _playwright;
    private static IBrowser? _shared;

    /// <summary>
    /// The one Chromium the browser tests share (they run one at a time, <see cref="PgClone.Tests.Web.BrowserCollection"/>):
    /// a Playwright driver and a browser started for each test cost each test seconds of CPU, on the suite's last chain.
    /// A browser that went away is started again.
    /// </summary>
    public static async Task<BrowserLease> LeaseAsync()
    {
        await SharedGate.WaitAsync();
        try
        {
            // A fresh machine's first start can stall (a first run of a newly installed Chromium): tried once more
            // with a new driver before the test fails.
            for (var attempt = 1; _shared is not { IsConnected: true }; attempt++)
            {
                try
                {
                    _playwright ??= await Bounded.Within(Playwright.CreateAsync(), TimeSpan.FromMinutes(1), "starting the Playwright driver");
                    _shared = await Bounded.Within(LaunchAsync(_playwright), TimeSpan.FromMinutes(1), "starting Chromium");
                }
                catch (Exception e) when (attempt == 1 && e is TimeoutException or PlaywrightException)
                {
                    await Console.Error.WriteLineAsync($"Chromium: {e.Message}; trying again with a new driver");
                    Forget();
                }
            }
            return new BrowserLease(_shared);
        }
        finally { SharedGate.Release(); }
    }

    /// <summary>
    /// A fresh browser context and its page. Playwright bounds actions, not these protocol calls, so a browser that
    /// stopped answering would hold the test until the suite's hang timeout, naming nothing.
    /// </summary>
    public static async Task<IPage> NewPageAsync(IBrowser browser, BrowserNewContextOptions? options = null)
    {
        var context = await Bounded.Within(browser.NewContextAsync(options), ProtocolLimit, "opening a browser context");
        return await Bounded.Within(context.NewPageAsync(), ProtocolLimit, "opening a page");
    }

    private static readonly TimeSpan ProtocolLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Ends the shared browser and its driver, so that the next lease starts both afresh: used when the browser
    /// stopped answering, and the test that found it out had already passed its checks.
    /// </summary>
    private static async Task DiscardAsync()
    {
        await SharedGate.WaitAsync();
        try { Forget(); }
        finally { SharedGate.Release(); }
    }

    private static void Forget()
    {
        // Disposing the driver ends the browser process it started, answering or not.
        _playwright?.Dispose();
        (_playwright, _shared) = (null, null);
    }

    /// <summary>A test's use of the shared browser: its end closes every context (and page) the test opened.</summary>
    public sealed class BrowserLease(IBrowser browser) : IAsyncDisposable
    {
        public IBrowser Browser => browser;

        public async ValueTask DisposeAsync()
        {
            try
            {
                foreach (var context in browser.Contexts.ToList())
                    await Bounded.Within(context.CloseAsync(), ProtocolLimit, "closing a browser context");
            }
            catch (TimeoutException e)
            {
                await Console.Error.WriteLineAsync($"Chromium: {e.Message}; starting a new browser for the next test");
                await DiscardAsync();
            }
        }
    }

    /// <summary>Console errors, uncaught exceptions and failed requests of the page, as they happen.</summary>
    public static List<string> CollectErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, m) => { if (IsError(m)) errors.Add($"{m.Text} ({m.Location})"); };
        page.PageError += (_, e) => errors.Add(e);
        page.Response += (_, r) => { if (r.Status >= 400) errors.Add($"HTTP {r.Status} {r.Url}"); };
        return errors;
    }

    /// <summary>
    /// A console error, but for Blazor's report of a click whose element a re-render had just replaced: the click is
    /// dropped and the circuit goes on. The tests' click-until-it-acts loops cause those on a loaded machine.
    /// </summary>
    public static bool IsError(IConsoleMessage m) =>
        m.Type == "error" && !m.Text.Contains("There is no event handler associated with this event", StringComparison.Ordinal);

    /// <summary>Where browser tests leave screenshots of the pages they drive, for a person to look at.</summary>
    public const string Shots = "/tmp/pgclone-shots";

    /// <summary>
    /// Waits (up to 30 s) until the page's circuit is interactive: MudBlazor's popover provider in the layout registers
    /// itself from the browser once rendered interactively, never while prerendered; before that, typing and clicks are lost.
    /// </summary>
    public static Task WaitForInteractiveAsync(IPage page) =>
        page.WaitForFunctionAsync("() => window.mudpopoverHelper?.mainContainerClass != null", null, new() { Timeout = 30_000 });

    /// <summary>Opens a MudSelect and picks an item (retried: the first click can land before the circuit is interactive).</summary>
    public static async Task ChooseAsync(IPage page, string select, string item)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await page.Locator(select).ClickAsync();
            var option = page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = item }).First;
            try
            {
                await option.ClickAsync(new() { Timeout = 1_500 });
                // Closed before the next pick: a list still open could offer that pick's item too (a connection
                // usable as source and target) and take the click meant for the next select.
                await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline) { }
        }
    }

    /// <summary>
    /// The first-run form: a new console sends "/" there; creating the administrator leads to the login page. When it
    /// does not (a slow or refused post), the failure names the page it stayed on and what that page says.
    /// </summary>
    public static async Task CreateFirstAdminAsync(IPage page, string url, string email, string password)
    {
        await page.GotoAsync(url + "/");
        if (page.Url != url + "/first-run") throw new InvalidOperationException($"expected the first-run page, got {page.Url}");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.FillAsync("#confirm", password);
        await page.ClickAsync("#first-run-submit");
        try
        {
            // Reaching the address is the outcome; what the login page loads is waited for by whoever uses it next
            // (a run once stood on this very address for 60 s, its load event not yet fired).
            await page.WaitForURLAsync(url + "/Account/Login?created=true", new() { Timeout = 60_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException e)
        {
            var said = await page.Locator("#first-run-errors, .pgclone-validation").AllInnerTextsAsync();
            throw new TimeoutException($"the first-run post did not reach the login page: still on {page.Url}, saying [{string.Join(" | ", said)}]", e);
        }
    }

    /// <summary>A fresh browser context at 1280 px, logged in through the form; <paramref name="watch"/> sees the page before it loads.</summary>
    public static async Task<IPage> LogInAsync(IBrowser browser, string url, string email, string password, Action<IPage>? watch = null)
    {
        var page = await NewPageAsync(browser, new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        watch?.Invoke(page);
        await page.GotoAsync(url + "/Account/Login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync(url + "/");
        await WaitForBlazorAsync(page);
        return page;
    }

    /// <summary>
    /// Waits for Blazor's script after a navigation: polled every 100 ms rather than on animation frames (which a
    /// headless page under load gets late), for up to a minute, as a run's own pages may load slowly beside it.
    /// </summary>
    public static Task WaitForBlazorAsync(IPage page) =>
        page.WaitForFunctionAsync("() => typeof window.Blazor === 'object'", null, new() { PollingInterval = 100, Timeout = 60_000 });

    /// <summary>
    /// Right after the first render the circuit may still be connecting and a click is lost: click again until the
    /// expected element shows (a click that lands but is slow to answer is not repeated over its overlay).
    /// </summary>
    public static async Task ClickUntilVisibleAsync(IPage page, string button, string appears)
    {
        var deadline = DateTime.UtcNow.AddSeconds(25);
        while (true)
        {
            try { await page.ClickAsync(button, new() { Timeout = 2_000 }); }
            catch (Exception e) when (e is TimeoutException or PlaywrightException && DateTime.UtcNow < deadline) { }
            try
            {
                await Assertions.Expect(page.Locator(appears)).ToBeVisibleAsync(new() { Timeout = 3_000 });
                return;
            }
            catch (PlaywrightException) when (DateTime.UtcNow < deadline) { }
        }
    }

    /// <summary>
    /// Clicks until <paramref name="check"/> reads <paramref name="text"/>: a click landing while the element is
    /// rendered anew (a lazily loaded tree filling in) reaches a handler that is gone, and is lost.
    /// </summary>
    public static async Task ClickUntilTextAsync(ILocator target, ILocator check, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await target.ClickAsync();
            try
            {
                await Assertions.Expect(check).ToHaveTextAsync(text, new() { Timeout = 2_000 });
                return;
            }
            catch (PlaywrightException) when (DateTime.UtcNow < deadline) { }
        }
    }

    /// <summary>The fields of a form row have their boxes at one height (a field's helper text below it moved it up).</summary>
    public static async Task AssertInOneLineAsync(IPage page, params string[] ids)
    {
        // The form may render after the page's title (its data loads first), and the prerendered form is replaced
        // when the circuit starts: measured again until every field is there at once.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        double[]? tops;
        while ((tops = await page.EvaluateAsync<double[]?>("""
                   ids => {
                       const boxes = ids.map(id => document.getElementById(id)).map(e => e && (e.closest('.mud-input') ?? e.querySelector('.mud-input')));
                       return boxes.every(b => b) ? boxes.map(b => b.getBoundingClientRect().top) : null;
                   }
                   """, ids)) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{string.Join(", ", ids)}: not all on the page");
            await Task.Delay(100);
        }
        Assert.True(tops.Max() - tops.Min() <= 1, $"{string.Join(", ", ids.Zip(tops, (id, top) => $"{id} at {top}"))}: not in one line");
    }
}
