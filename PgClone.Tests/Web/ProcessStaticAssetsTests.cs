using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PgClone.Core.LocalServer;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Web;

/// <summary>
/// The console started the way a newcomer starts it — the built PgClone.Web.dll, Production environment, no
/// launch profile — must serve the component libraries' assets; without them every page loads unstyled and
/// MudBlazor's script is missing.
/// </summary>
public sealed class ProcessStaticAssetsTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_console_run_from_its_build_output_serves_the_packages_static_assets_anonymously()
    {
        var db = await fx.Servers.CreateDatabasesAsync("assets");
        var port = LocalCluster.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PgClone.Web.dll"));
        psi.Environment["DOTNET_ENVIRONMENT"] = psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["ConnectionStrings__PgClone"] = db.Source;
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        using var process = Process.Start(psi)!;
        try
        {
            using var started = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (await process.StandardOutput.ReadLineAsync(started.Token) is { } line)
                if (line.Contains("PgClone console:")) break;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();

            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            foreach (var asset in new[] { "_content/MudBlazor/MudBlazor.min.css", "_content/MudBlazor/MudBlazor.min.js", "_framework/blazor.web.js" })
            {
                using var response = await http.GetAsync(asset);
                Assert.True(response.IsSuccessStatusCode, $"{asset}: {(int)response.StatusCode}");
                Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 1000, asset);
            }

            await AssertStyledInChromiumAsync($"http://127.0.0.1:{port}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// What a newcomer sees: the first page (login or first run) with MudBlazor's stylesheet applied to its card and
    /// MudBlazor's script (fingerprinted by MapStaticAssets) loaded, with no console error and no failed request.
    /// </summary>
    private static async Task AssertStyledInChromiumAsync(string baseUrl)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await PgClone.Tests.E2E.Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var errors = PgClone.Tests.E2E.Chromium.CollectErrors(page);
        var loaded = new Dictionary<string, int>();
        page.Response += (_, r) => loaded[new Uri(r.Url).AbsolutePath] = r.Status;
        await page.GotoAsync(baseUrl + "/", new() { WaitUntil = WaitUntilState.NetworkIdle });

        Assert.Equal(200, loaded.Single(l => Regex.IsMatch(l.Key, @"^/_content/MudBlazor/MudBlazor\.min(\.[a-z0-9]+)?\.css$")).Value);
        Assert.Equal(200, loaded.Single(l => Regex.IsMatch(l.Key, @"^/_content/MudBlazor/MudBlazor\.min(\.[a-z0-9]+)?\.js$")).Value);
        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.mudElementRef === 'object' && typeof window.mudKeyInterceptor === 'object'"),
            "MudBlazor.min.js did not run");
        // MudBlazor's CSS gives a paper rounded corners and an elevation shadow; unstyled it has neither.
        var card = await page.EvaluateAsync<string[]>("""
            () => { const s = getComputedStyle(document.querySelector('.mud-paper')); return [s.borderTopLeftRadius, s.boxShadow, s.display]; }
            """);
        Assert.NotEqual("0px", card[0]);
        Assert.NotEqual("none", card[1]);
        Assert.NotEqual("", await page.EvaluateAsync<string>("() => getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-primary').trim()"));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
