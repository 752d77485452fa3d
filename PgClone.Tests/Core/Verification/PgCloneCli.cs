using System.Diagnostics;

namespace PgClone.Tests.Core.Verification;

/// <summary>Runs the real `pgclone` command line as a process and captures its output.</summary>
public static class PgCloneCli
{
    public sealed record Run(int ExitCode, string Stdout, string Stderr);

    public static async Task<Run> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliAssembly());
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// The CLI's own build output: the copy beside the tests resolves its dependencies through the test project's
    /// ASP.NET shared framework, which does not hold every assembly Npgsql loads.
    /// </summary>
    private static string CliAssembly()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var configuration = tfm.Parent!;
        var root = configuration.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "PgClone.Cli", "bin", configuration.Name, tfm.Name, "pgclone.dll");
        return File.Exists(path) ? path : Path.Combine(AppContext.BaseDirectory, "pgclone.dll");
    }
}
