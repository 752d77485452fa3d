using System.Diagnostics;
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
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
