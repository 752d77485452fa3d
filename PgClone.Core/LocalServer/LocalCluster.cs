using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace PgClone.Core.LocalServer;

/// <summary>
/// A private PostgreSQL cluster started from the installed server binaries: the console's embedded default
/// store and the test suite's throwaway servers. Every failure is one line saying what to install or change.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public const string Superuser = "postgres";

    private readonly string _binDir;
    private readonly bool _asPostgresUser;

    private LocalCluster(string dataDirectory, string binDir, string password)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        _binDir = binDir;
        Password = password;
        _asPostgresUser = Environment.UserName == "root";
    }

    public string DataDirectory { get; }
    public string Password { get; }
    public int Port { get; private set; }
    public bool IsRunning { get; private set; }
    public string LogFile => Path.Combine(DataDirectory, "pgclone-server.log");

    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = Superuser, Password = Password, Database = database,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>
    /// Opens the cluster at <paramref name="dataDirectory"/>, running initdb first when the directory is empty
    /// or missing. The password is written once at initdb; later opens must pass the same one.
    /// </summary>
    /// <param name="searchPath">directories to look for initdb and pg_ctl in; null = PATH, then /usr/lib/postgresql/*/bin</param>
    public static async Task<LocalCluster> OpenAsync(string dataDirectory, string password, CancellationToken ct = default, IEnumerable<string>? searchPath = null)
    {
        var cluster = new LocalCluster(dataDirectory, FindBinaries(searchPath), password);
        await cluster.InitIfNeededAsync(ct);
        return cluster;
    }

    /// <summary>
    /// The directory with initdb and pg_ctl, searched in <paramref name="searchPath"/> or, by default, PATH first,
    /// then the newest /usr/lib/postgresql/*/bin.
    /// </summary>
    public static string FindBinaries(IEnumerable<string>? searchPath = null)
    {
        var candidates = searchPath?.ToList() ?? DefaultSearchPath();
        foreach (var dir in candidates)
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"))) return dir;
        var searched = searchPath is null ? "on PATH or under /usr/lib/postgresql/*/bin" : $"in {string.Join(':', candidates)}";
        throw new PgCloneException($"PostgreSQL server binaries (initdb, pg_ctl) were not found {searched}: install the PostgreSQL server (e.g. 'apt-get install postgresql-15') or set a connection string to an existing server");
    }

    private static List<string> DefaultSearchPath()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        return candidates;
    }

    private async Task InitIfNeededAsync(CancellationToken ct)
    {
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            await CheckOwnerAsync(ct);
            return;
        }
        if (Directory.Exists(DataDirectory) && Directory.EnumerateFileSystemEntries(DataDirectory).Any())
            throw new PgCloneException($"data directory {DataDirectory} is not empty and holds no PostgreSQL cluster: empty it or choose another directory");
        // Only a directory created here is handed to the postgres user; an existing one must already be its.
        var created = !Directory.Exists(DataDirectory);
        Directory.CreateDirectory(DataDirectory);
        if (_asPostgresUser && created)
        {
            await RunAsync("chown", ["postgres:postgres", DataDirectory], asPostgres: false, ct);
            await RunAsync("chmod", ["700", DataDirectory], asPostgres: false, ct);
        }
        await CheckOwnerAsync(ct);
        var pwFile = Path.Combine(Path.GetTempPath(), $"pgclone-pw-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(pwFile, Password + "\n", ct);
        try
        {
            if (_asPostgresUser) await RunAsync("chown", ["postgres", pwFile], asPostgres: false, ct);
            await RunAsync(Path.Combine(_binDir, "initdb"),
                ["-D", DataDirectory, "-U", Superuser, "--pwfile", pwFile, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                asPostgres: _asPostgresUser, ct);
        }
        finally { File.Delete(pwFile); }
    }

    private async Task CheckOwnerAsync(CancellationToken ct)
    {
        var expected = _asPostgresUser ? "postgres" : Environment.UserName;
        var owner = (await RunAsync("stat", ["-c", "%U", DataDirectory], asPostgres: false, ct)).Trim();
        if (owner != expected)
            throw new PgCloneException($"data directory {DataDirectory} is owned by '{owner}' but the PostgreSQL server runs as '{expected}': change its owner (chown -R {expected} {DataDirectory}) or choose another data directory");
        if (_asPostgresUser)
        {
            try { await RunAsync("test", ["-w", DataDirectory], asPostgres: true, ct); }
            catch (PgCloneException)
            {
                throw new PgCloneException($"the 'postgres' user cannot reach data directory {DataDirectory} (a parent directory is not traversable): choose a directory outside /root, e.g. under /var/lib");
            }
        }
    }

    /// <summary>Starts the server on <paramref name="port"/> (0 = a free one) with extra settings.</summary>
    public async Task StartAsync(int port = 0, IReadOnlyDictionary<string, string>? settings = null, CancellationToken ct = default)
    {
        if (IsRunning) return;
        Port = port == 0 ? FreePort() : EnsurePortFree(port);
        var options = new List<string>
        {
            $"-p {Port}", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) options.Add($"-c {k}={v}");
        try
        {
            await RunAsync(Path.Combine(_binDir, "pg_ctl"),
                ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", string.Join(' ', options), "start"], _asPostgresUser, ct);
        }
        catch (PgCloneException e)
        {
            var tail = File.Exists(LogFile) ? File.ReadLines(LogFile).TakeLast(3).LastOrDefault(l => l.Contains("FATAL") || l.Contains("ERROR")) : null;
            throw new PgCloneException($"PostgreSQL server in {DataDirectory} did not start on port {Port}: {tail ?? e.Message}");
        }
        IsRunning = true;
    }

    /// <param name="immediate">stop as a crash would (no checkpoint; recovery replays the WAL at the next start)</param>
    public async Task StopAsync(CancellationToken ct = default, bool immediate = false)
    {
        if (!IsRunning) return;
        await RunAsync(Path.Combine(_binDir, "pg_ctl"), ["-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "stop"], _asPostgresUser, ct);
        IsRunning = false;
    }

    /// <summary>
    /// Immediate shutdown without waiting, for process-exit handlers that have little time: the server
    /// finishes stopping on its own.
    /// </summary>
    public void StopImmediately()
    {
        if (!IsRunning) return;
        StopImmediately(_binDir, DataDirectory, _asPostgresUser);
        IsRunning = false;
    }

    /// <summary>Stops whatever server runs in <paramref name="dataDirectory"/>; used to reap abandoned clusters.</summary>
    public static void StopImmediately(string binDir, string dataDirectory, bool asPostgresUser)
    {
        var psi = new ProcessStartInfo(asPostgresUser ? "runuser" : Path.Combine(binDir, "pg_ctl")) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        if (asPostgresUser) foreach (var a in new[] { "-u", "postgres", "--", Path.Combine(binDir, "pg_ctl") }) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "-D", dataDirectory, "-m", "immediate", "-W", "stop" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi);
        p?.WaitForExit(5000);
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); } catch (PgCloneException) { /* already gone */ }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Returns <paramref name="port"/>, or fails with one line when something already listens on it.</summary>
    public static int EnsurePortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return port;
        }
        catch (SocketException)
        {
            throw new PgCloneException($"port {port} is already in use: choose another port for the embedded PostgreSQL server (or 0 for any free port)");
        }
    }

    private static async Task<string> RunAsync(string file, IReadOnlyList<string> args, bool asPostgres, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (asPostgres) { psi.ArgumentList.Add("-u"); psi.ArgumentList.Add("postgres"); psi.ArgumentList.Add("--"); psi.ArgumentList.Add(file); }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C.UTF-8";
        using var p = Process.Start(psi) ?? throw new PgCloneException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0)
            throw new PgCloneException($"{Path.GetFileName(file)} failed: {(await stderr).Trim().Split('\n').LastOrDefault()}");
        return await stdout;
    }
}
