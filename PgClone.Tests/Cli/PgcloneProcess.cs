using System.Diagnostics;

namespace PgClone.Tests.Cli;

/// <summary>Runs the built command line (`dotnet pgclone.dll ...`) as users do, with redirected output.</summary>
internal static class PgcloneProcess
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    /// <summary>
    /// The CLI's own build output (PgClone.Cli/bin/&lt;configuration&gt;/net10.0), not the copy next to the tests:
    /// the test project's ASP.NET framework reference replaces some of the CLI's dependencies there.
    /// </summary>
    private static string DllPath
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = testBin.Parent!.Name;
            var repo = testBin.Parent.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(repo, "PgClone.Cli", "bin", configuration, testBin.Name, "pgclone.dll");
        }
    }

    public static async Task<Outcome> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(DllPath);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }
}
