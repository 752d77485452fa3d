using System.Diagnostics;
using PgClone.Core.LocalServer;

namespace PgClone.Tests.Web.Runs;

/// <summary>The console as its own process (the built PgClone.Web.dll), configured through environment variables.</summary>
public sealed class ProcessConsole : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = [];
    public string Url { get; }

    /// <summary>What the console has written to its standard output so far (its log), line by line.</summary>
    public IReadOnlyCollection<string> Output => _output;

    private ProcessConsole(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public static async Task<ProcessConsole> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var port = LocalCluster.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PgClone.Web.dll"));
        psi.Environment["DOTNET_ENVIRONMENT"] = psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in settings) psi.Environment[key.Replace(":", "__")] = value;
        var process = Process.Start(psi)!;
        var console = new ProcessConsole(process, $"http://127.0.0.1:{port}");
        using var started = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await process.StandardOutput.ReadLineAsync(started.Token) is { } line)
        {
            console._output.Enqueue(line);
            if (line.Contains("PgClone console:")) break;
        }
        _ = console.ReadOutputAsync();
        _ = process.StandardError.ReadToEndAsync();
        return console;
    }

    private async Task ReadOutputAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line) _output.Enqueue(line);
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine dies.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
