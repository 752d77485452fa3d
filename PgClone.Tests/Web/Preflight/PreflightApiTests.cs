using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using PgClone.Tests.Web.Security;
using PgClone.Web.Data;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Preflight;

/// <summary>POST /api/v1/preflight: the checks of <c>pgclone preflight --json</c> for the body of an ad-hoc run, by whoever may run.</summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class PreflightApiTests(PgServersFixture fx)
{
    private const string SourceSql = """
        CREATE SCHEMA s;
        CREATE TABLE s.t (id int PRIMARY KEY, v text);
        INSERT INTO s.t SELECT g, 'row ' || g FROM generate_series(1, 300) g;
        CREATE TABLE s."Odd name" (id int PRIMARY KEY, t_id int REFERENCES s.t);
        INSERT INTO s."Odd name" SELECT g, g FROM generate_series(1, 30) g;
        ANALYZE s.t; ANALYZE s."Odd name";
        """;

    /// <summary>A console (its database and a source/target pair holding <see cref="SourceSql"/>) named after the test.</summary>
    private async Task<(TestDatabases ConsoleDb, TestDatabases Data, RunsConsole Console)> ConsoleAsync(string name, string? targetSql = null)
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync(name + "_console");
        var data = await fx.Servers.CreateDatabasesAsync(name);
        await PgServers.ExecAsync(data.Source, SourceSql);
        if (targetSql is not null) await PgServers.ExecAsync(data.Target, targetSql);
        return (consoleDb, data, await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data));
    }

    [Fact]
    public async Task The_api_returns_the_cli_list_with_the_conflict_blocker_and_changes_nothing()
    {
        var (_, data, started) = await ConsoleAsync("pf_api", "CREATE SCHEMA s; CREATE TABLE s.t (x text); INSERT INTO s.t VALUES ('kept')");
        await using var console = started;
        var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);

        var cli = await PgCloneCli.RunAsync("preflight", "--source", PgServers.Conninfo(data.Source), "--target", PgServers.Conninfo(data.Target), "--schema", "s", "--json");
        var response = await http.PostAsJsonAsync("api/v1/preflight", new RunRequest("schema", console.SourceId, console.TargetId, "s"), Json);

        Assert.Equal(2, cli.ExitCode);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var api = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var expected = JsonDocument.Parse(cli.Stdout);
        Assert.Equal("blocker", api.RootElement.GetProperty("status").GetString());
        // The same checks in the same order and shape; only the servers' names differ (the console names them after
        // its connections) and the free disk space, which moves between the two calls.
        Assert.Equal(Checks(expected), Checks(api));
        Assert.Contains(("conflict", "blocker", "table \"s\".\"t\"", "already exists (conflict strategy is error; nothing was changed)"), Checks(api));
        Assert.Contains(("connection.source", "ok", null, "connected to source 'source db' (" + Parts(data.Source).Host + ":" + Parts(data.Source).Port + ")"),
            Checks(api, normalizeNames: false));
        Assert.Equal([["kept"]], await PgServers.RowsAsync(data.Target, "SELECT x FROM s.t"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(data.Target, "SELECT count(*) FROM pg_class WHERE relname = 'Odd name'"));
    }

    [Fact]
    public async Task The_duration_rests_on_earlier_runs_that_copied_enough_to_measure_a_throughput()
    {
        var (consoleDb, _, started) = await ConsoleAsync("pf_rate");
        await using var console = started;
        var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);
        var request = new RunRequest("schema", console.SourceId, console.TargetId, "s", Options: new PgClone.Core.CloneOptions { Conflict = PgClone.Core.ConflictStrategy.Replace });
        async Task<string> DurationAsync()
        {
            var response = await http.PostAsJsonAsync("api/v1/preflight", request, Json);
            using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "duration").GetProperty("message").GetString()!;
        }

        // A run of a few kB spends its seconds connecting and planning: it says nothing of the copy's speed.
        var run = await StartAsync(http, request);
        await WaitAsync(http, run, d => d.Run.Status == RunStatus.Succeeded);
        Assert.StartsWith("about 1 s for the data at 50.0 MB/s ", await DurationAsync());

        // One that copied 200 MB in 10 s does.
        await PgServers.ExecAsync(consoleDb.Source, $"UPDATE runs SET \"Bytes\" = 200 * 1048576, \"StartedAt\" = \"FinishedAt\" - interval '10 seconds' WHERE \"Id\" = {run}");
        Assert.StartsWith("about 1 s for the data at 20.0 MB/s ", await DurationAsync());
    }

    [Fact]
    public async Task Only_who_may_run_gets_a_preflight_and_a_bad_request_is_a_problem()
    {
        var (_, data, started) = await ConsoleAsync("pf_api_rights");
        await using var console = started;
        await ConsoleUsers.AddAsync(console.Factory, "auditor@example.com", AppRoles.Auditor, Password);
        var (auditor, _) = await LogInAsync(console.Url, "auditor@example.com");
        var (op, _) = await LogInAsync(console.Url, RunsConsole.Operator);
        var anonymous = new HttpClient { BaseAddress = new Uri(console.Url + "/") };
        var body = new RunRequest("schema", console.SourceId, console.TargetId, "s");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("api/v1/preflight", body, Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsJsonAsync("api/v1/preflight", body, Json)).StatusCode);
        var ok = JsonDocument.Parse(await (await op.PostAsJsonAsync("api/v1/preflight", body, Json)).Content.ReadAsStringAsync());
        Assert.Equal("ok", ok.RootElement.GetProperty("status").GetString());
        // Source and target swapped: the Operator may use neither that way.
        var swapped = await op.PostAsJsonAsync("api/v1/preflight", body with { SourceConnectionId = console.TargetId, TargetConnectionId = console.SourceId }, Json);
        Assert.Equal(HttpStatusCode.Forbidden, swapped.StatusCode);
        var roles = await op.PostAsJsonAsync("api/v1/preflight", new RunRequest("roles", console.SourceId, console.TargetId, null), Json);
        Assert.Equal(HttpStatusCode.BadRequest, roles.StatusCode);
        Assert.Equal("a roles clone has no preflight: the preflight checks table, schema, functions and database clones",
            (await roles.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    private static List<(string Id, string Status, string? Object, string Message)> Checks(JsonDocument report, bool normalizeNames = true) =>
        report.RootElement.GetProperty("checks").EnumerateArray().Select(c =>
        {
            var id = c.GetProperty("id").GetString()!;
            var message = c.GetProperty("message").GetString()!;
            if (normalizeNames) message = ServerName().Replace(message, "$1 '…' (");
            if (id == "disk") message = Number().Replace(message, "N");
            return (id, c.GetProperty("status").GetString()!, c.TryGetProperty("object", out var o) ? o.GetString() : null, message);
        }).ToList();

    [GeneratedRegex(@"\b(source|target) '[^']*' \(")]
    private static partial Regex ServerName();

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex Number();
}
