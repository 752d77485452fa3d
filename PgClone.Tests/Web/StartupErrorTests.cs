using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PgClone.Tests.Web;

/// <summary>
/// Bad set-ups stop the console with one line on stderr saying what to install or change, and exit code 1.
/// The console runs as its own process, exactly as `dotnet run` starts it.
/// </summary>
public sealed class StartupErrorTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"pgclone-startup-{Guid.NewGuid():N}");

    public StartupErrorTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Missing_postgresql_binaries()
    {
        var emptyBin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        var (exit, stderr, stdout) = await RunConsoleAsync(new() { ["PgClone__PostgresBinPath"] = emptyBin });
        Assert.Equal($"pgclone: PostgreSQL server binaries (initdb, pg_ctl) were not found in {emptyBin}: install the PostgreSQL server (e.g. 'apt-get install postgresql-15') or set a connection string to an existing server\n", stderr);
        AssertNoStackTrace(exit, stdout);
    }

    [Fact]
    public async Task Embedded_port_in_use()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var (exit, stderr, stdout) = await RunConsoleAsync(new() { ["PgClone__EmbeddedPort"] = port.ToString() });
        Assert.Equal($"pgclone: port {port} is already in use: choose another port for the embedded PostgreSQL server (or 0 for any free port)\n", stderr);
        AssertNoStackTrace(exit, stdout);
    }

    [Fact]
    public async Task Data_directory_owned_by_another_user()
    {
        var dataDir = Directory.CreateDirectory(Path.Combine(_root, "pgdata")).FullName;
        await RunAsync("chown", "nobody", dataDir);
        var (exit, stderr, stdout) = await RunConsoleAsync(new());
        var runsAs = Environment.UserName == "root" ? "postgres" : Environment.UserName;
        Assert.Equal($"pgclone: data directory {dataDir} is owned by 'nobody' but the PostgreSQL server runs as '{runsAs}': change its owner (chown -R {runsAs} {dataDir}) or choose another data directory\n", stderr);
        AssertNoStackTrace(exit, stdout);
    }

    [Fact]
    public async Task Configured_server_unreachable()
    {
        var port = PgClone.Core.LocalServer.LocalCluster.FreePort();
        var (exit, stderr, stdout) = await RunConsoleAsync(new() { ["ConnectionStrings__PgClone"] = $"Host=127.0.0.1;Port={port};Database=pgclone;Username=pgclone;Password=x" });
        Assert.Equal($"pgclone: PgClone database 'pgclone' (127.0.0.1:{port}): cannot connect: Connection refused\n", stderr);
        AssertNoStackTrace(exit, stdout);
    }

    [Fact]
    public async Task Configured_connection_string_malformed()
    {
        var (exit, stderr, stdout) = await RunConsoleAsync(new() { ["ConnectionStrings__PgClone"] = "Hots=db;Database=pgclone" });
        Assert.Equal("pgclone: ConnectionStrings:PgClone is not a valid connection string: Couldn't set hots (Parameter 'hots')\n", stderr);
        AssertNoStackTrace(exit, stdout);
    }

    private static void AssertNoStackTrace(int exit, string stdout)
    {
        Assert.Equal(1, exit);
        Assert.DoesNotContain("   at ", stdout);
        Assert.DoesNotContain("Exception", stdout);
    }

    /// <summary>Starts PgClone.Web.dll (built next to the tests) in embedded mode on this test's data directory.</summary>
    private async Task<(int Exit, string Stderr, string Stdout)> RunConsoleAsync(Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PgClone.Web.dll"));
        psi.Environment.Remove("ConnectionStrings__PgClone");
        psi.Environment["DOTNET_ENVIRONMENT"] = psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["PgClone__DataDirectory"] = Path.Combine(_root, "pgdata");
        psi.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stderr, await stdout);
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        using var p = Process.Start(file, args);
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
    }
}
