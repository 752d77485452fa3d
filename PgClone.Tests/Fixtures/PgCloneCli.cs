using System.Diagnostics;

namespace PgClone.Tests.Fixtures;

/// <summary>Runs the real `pgclone` command line (`dotnet pgclone.dll ...`) as a process, as users do, and captures its output.</summary>
public static class PgCloneCli
{
    public sealed record Run(int ExitCode, string Stdout, string Stderr);

    public static Task<Run> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    /// <param name="environment">Variables to set for the process; a null value removes the variable.</param>
    public static async Task<Run> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliAssembly);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// The CLI's own build output (PgClone.Cli/bin/&lt;configuration&gt;/net10.0), not the copy beside the tests:
    /// that copy resolves its dependencies through the test project's ASP.NET shared framework, which does not
    /// hold every assembly the CLI loads.
    /// </summary>
    public static string CliAssembly
    {
        get
        {
            var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = tfm.Parent!;
            var root = configuration.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "PgClone.Cli", "bin", configuration.Name, tfm.Name, "pgclone.dll");
        }
    }
}
