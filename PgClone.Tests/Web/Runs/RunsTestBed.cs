using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Verification;
using PgClone.Tests.Fixtures;
using PgClone.Web.Runs;

namespace PgClone.Tests.Web.Runs;

/// <summary>What the runs tests share: a source schema with odd names, a slowed target, HTTP and hub clients, checksums.</summary>
public static class RunsTestBed
{
    public const string Password = "Sup3r-secret!";
    public const string Schema = "Sales Data";
    /// <summary>Tables and their row counts in <see cref="Schema"/>.</summary>
    public static readonly IReadOnlyDictionary<string, int> Tables = new Dictionary<string, int>
    {
        ["customers"] = 1500, ["Order Lines"] = 1200, ["payments"] = 1000, ["notes"] = 800,
    };

    /// <summary>A table of the schema as the engine names it (quoted only where needed).</summary>
    public static string Qualified(string table) => $"{Sql.Ident(Schema)}.{Sql.Ident(table)}";

    public static string Unqualified(string qualified) => Tables.Keys.Single(t => Qualified(t) == qualified);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task SeedSourceAsync(string cs)
    {
        var sql = $"CREATE SCHEMA \"{Schema}\";";
        foreach (var (table, rows) in Tables)
            sql += $"""
                CREATE TABLE "{Schema}"."{table}" (id int PRIMARY KEY, label text NOT NULL, amount numeric(12,2), at timestamptz, tags text[]);
                INSERT INTO "{Schema}"."{table}" SELECT g, 'row ' || g || ' of {table}', g * 1.25, '2026-01-01'::timestamptz + g * interval '1 minute',
                    ARRAY['a' || (g % 7), NULL] FROM generate_series(1, {rows}) g;
                """;
        await PgServers.ExecAsync(cs, sql);
    }

    /// <summary>
    /// Makes loading into the target slow (a sleep per row in a BEFORE INSERT trigger that an event trigger adds to
    /// every table the clone creates), so a test can act while a run is mid-copy. The data stays the same. With
    /// <paramref name="gated"/>, each row also passes a gate that <see cref="HoldLoadingAsync"/> closes: a run then
    /// cannot finish, whatever the machine's load, until the test lets it. With <paramref name="only"/> (a table's
    /// identity, <c>s.t</c>) only that table is slowed.
    /// </summary>
    public static Task SlowTargetAsync(string cs, double secondsPerRow = 0.0008, bool gated = false, string? only = null) => PgServers.ExecAsync(cs, $"""
        CREATE FUNCTION public.zz_slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep({secondsPerRow.ToString(System.Globalization.CultureInfo.InvariantCulture)});
          {(gated ? $"PERFORM pg_advisory_lock_shared({LoadGate}); PERFORM pg_advisory_unlock_shared({LoadGate});" : "")} RETURN NEW; END $$;
        CREATE FUNCTION public.zz_slow_table() RETURNS event_trigger LANGUAGE plpgsql AS $$
        DECLARE r record;
        BEGIN
          FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND object_type = 'table'
                     {(only is null ? "" : $"AND object_identity = {PgClone.Core.Connections.Sql.Literal(only)}")} LOOP
            EXECUTE format('CREATE TRIGGER zz_slow BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION public.zz_slow_row()', r.object_identity);
          END LOOP;
        END $$;
        CREATE EVENT TRIGGER zz_slow_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.zz_slow_table();
        """);

    /// <summary>The advisory lock key of the gate every row loaded into a gated slow target passes.</summary>
    private const int LoadGate = 86_753;

    /// <summary>Closes the gate of a target made slow with <c>gated: true</c>; loading waits until the returned session is disposed.</summary>
    public static async Task<IAsyncDisposable> HoldLoadingAsync(string cs)
    {
        var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using (var cmd = new NpgsqlCommand($"SELECT pg_advisory_lock({LoadGate})", conn)) await cmd.ExecuteNonQueryAsync();
        return new LoadingHeld(conn);
    }

    private sealed class LoadingHeld(NpgsqlConnection conn) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            // Unlocked explicitly: a closed connection goes back to the pool with its session's advisory locks.
            await using (var cmd = new NpgsqlCommand($"SELECT pg_advisory_unlock({LoadGate})", conn)) await cmd.ExecuteNonQueryAsync();
            await conn.DisposeAsync();
        }
    }

    /// <summary>Every seeded table of the schema has the same count and content checksum on both sides.</summary>
    public static async Task AssertChecksumsEqualAsync(string source, string target)
    {
        var result = await new TableVerifier().VerifyAsync(
            ServerEndpoint.Parse(ServerRole.Source, source), ServerEndpoint.Parse(ServerRole.Target, target),
            new VerifyOptions { Schema = Schema, Mode = VerifyMode.Checksum });
        // Other runs of a test may add tables of their own beside the seeded ones (a copy under another name).
        var seeded = result.Tables.Where(t => Tables.ContainsKey(t.Table)).ToList();
        Assert.Equal(Tables.Keys.Order(StringComparer.Ordinal), seeded.Select(t => t.Table).Order(StringComparer.Ordinal));
        foreach (var t in seeded)
        {
            Assert.Equal((t.Table, VerifyStatus.Match), (t.Table, t.Status));
            Assert.Equal(Tables[t.Table], t.TargetRows);
            Assert.Equal(t.SourceChecksum, t.TargetChecksum);
        }
    }

    /// <summary>An HTTP client on a console URL, logged in (its cookie container is reused by the hub client).</summary>
    public static async Task<(HttpClient Http, CookieContainer Cookies)> LogInAsync(string baseUrl, string email)
    {
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl + "/") };
        var response = await ConsoleForms.LogInAsync(http, email, Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return (http, cookies);
    }

    public static async Task<long> StartAsync(HttpClient http, RunRequest request)
    {
        var response = await http.PostAsJsonAsync("api/v1/runs", request, Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetInt64();
    }

    public static async Task<RunDetail> GetAsync(HttpClient http, long id) =>
        (await http.GetFromJsonAsync<RunDetail>($"api/v1/runs/{id}", Json))!;

    public static async Task<RunDetail> WaitAsync(HttpClient http, long id, Func<RunDetail, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var run = await GetAsync(http, id);
            if (until(run)) return run;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"run #{id} is {run.Run.Status} ({run.Run.Phase}, {run.Run.QueueReason}, {run.Run.Error})");
            await Task.Delay(150);
        }
    }

    public static Task<RunDetail> WaitFinishedAsync(HttpClient http, long id, TimeSpan? timeout = null) =>
        WaitAsync(http, id, r => r.Run.Status.IsFinished(), timeout);

    /// <summary>A SignalR client on the console's progress hub, authenticated by the login cookie, recording what it receives.</summary>
    public sealed class HubWatcher : IAsyncDisposable
    {
        public HubConnection Connection { get; }
        public ConcurrentQueue<(RunProgress Progress, DateTimeOffset ReceivedAt)> Received { get; } = new();

        private HubWatcher(HubConnection connection)
        {
            Connection = connection;
            connection.On<RunProgress>(ProgressHub.ProgressMethod, p => Received.Enqueue((p, DateTimeOffset.UtcNow)));
        }

        public static async Task<HubWatcher> ConnectAsync(string baseUrl, CookieContainer cookies)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(baseUrl + ProgressHub.Path, o =>
                {
                    o.Cookies = cookies;
                    o.Transports = HttpTransportType.WebSockets;
                })
                .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()))
                .Build();
            var watcher = new HubWatcher(connection);
            await connection.StartAsync();
            await connection.InvokeAsync(nameof(ProgressHub.WatchDashboard));
            return watcher;
        }

        public List<RunProgress> Of(long runId) => [.. Received.Where(r => r.Progress.RunId == runId).Select(r => r.Progress)];

        public async Task<RunProgress> WaitAsync(long runId, Func<RunProgress, bool> until, TimeSpan? timeout = null)
        {
            var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
            while (DateTime.UtcNow < deadline)
            {
                if (Of(runId).FirstOrDefault(until) is { } p) return p;
                await Task.Delay(50);
            }
            throw new TimeoutException($"run #{runId}: no such progress message; last: {JsonSerializer.Serialize(Of(runId).LastOrDefault())}");
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    /// <summary>
    /// The most messages of one run the server sent within any one second, by the send time each carries: when they
    /// were received says more about the network and the test machine's load (queued messages arrive in a burst).
    /// </summary>
    public static int MaxPerSecond(IReadOnlyList<RunProgress> messages)
    {
        Assert.All(messages, m => Assert.True(m.SentAt > 0, $"a message without its send time: {JsonSerializer.Serialize(m)}"));
        var times = messages.Select(m => m.SentAt).Order().ToList();
        var max = 0;
        for (int i = 0, j = 0; i < times.Count; i++)
        {
            while (times[i] - times[j] >= 1000) j++;
            max = Math.Max(max, i - j + 1);
        }
        return max;
    }

    public static async Task<long> CountAsync(string cs, string table) =>
        await PgServers.ScalarAsync<long>(cs, $"SELECT count(*) FROM \"{Schema}\".\"{table}\"");

    public static NpgsqlConnectionStringBuilder Parts(string cs) => new(cs);
}
