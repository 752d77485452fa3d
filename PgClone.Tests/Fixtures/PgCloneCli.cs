using System.Diagnostics;

namespace PgClone.Tests.Fixtures;

/// <summary>Runs the real `pgclone` command line (`dotnet pgclone.dll ...`, or the native build) as a process, as users do, and captures its output.</summary>
public static class PgCloneCli
{
    public sealed record Run(int ExitCode, string Stdout, string Stderr);

    /// <summary>
    /// A published (natively compiled) pgclone to run instead of the build output under dotnet: the tests of the
    /// command line then check the binary users get (<c>PGCLONE_NATIVE=~/pgclone/pgclone ./test.sh --filter ...</c>).
    /// </summary>
    public const string NativeVariable = "PGCLONE_NATIVE";

    public static Task<Run> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    /// <param name="environment">Variables to set for the process; a null value removes the variable.</param>
    public static Task<Run> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        Start(environment, args).WaitAsync();

    /// <summary>Starts the command line without waiting for it, so a test can signal or kill it mid-run.</summary>
    public static Running Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var native = Environment.GetEnvironmentVariable(NativeVariable);
        var psi = new ProcessStartInfo(string.IsNullOrEmpty(native) ? "dotnet" : native) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (string.IsNullOrEmpty(native)) psi.ArgumentList.Add(CliAssembly);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        return new Running(Process.Start(psi)!);
    }

    /// <summary>A started `pgclone` process (`dotnet pgclone.dll` runs the program in the dotnet process itself).</summary>
    public sealed class Running
    {
        private readonly Process _process;
        private readonly Task<string> _stdout, _stderr;

        internal Running(Process process)
        {
            _process = process;
            _stdout = process.StandardOutput.ReadToEndAsync();
            _stderr = process.StandardError.ReadToEndAsync();
        }

        public int Id => _process.Id;

        public bool HasExited => _process.HasExited;

        /// <summary>Sends a signal (INT, TERM, KILL) with kill(1).</summary>
        public async Task SignalAsync(string signal)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            await kill.WaitForExitAsync();
        }

        public async Task<Run> WaitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _process.Kill(); throw; }
            var run = new Run(_process.ExitCode, await _stdout, await _stderr);
            _process.Dispose();
            return run;
        }
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
