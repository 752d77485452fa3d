using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Tests.Fixtures;
using PgClone.Web.Data;
using PgClone.Web.Runs;
using PgClone.Web.Tokens;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Runs;

/// <summary>`pgclone runs ...` against a console, authenticated by a personal API token (PGCLONE_TOKEN).</summary>
[Collection(ConsoleCollection.Name)]
public sealed class RunsCliTests(PgServersFixture fx)
{
    [Fact]
    public async Task Runs_verbs_start_watch_show_list_cancel_and_clear_runs_with_an_api_token()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("runs_cli_console");
        var data = await fx.Servers.CreateDatabasesAsync("runs_cli");
        await SeedSourceAsync(data.Source);
        await SlowTargetAsync(data.Target, 0.0002, gated: true);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        string token;
        await using (var scope = console.Factory.Services.CreateAsyncScope())
        {
            var user = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(RunsConsole.Operator);
            token = (await console.Factory.Services.GetRequiredService<ApiTokenService>().CreateAsync(user!.Id, "cli test", 1)).Secret;
        }
        var env = new Dictionary<string, string?> { ["PGCLONE_TOKEN"] = token };
        string[] at = ["--console", console.Url];

        var noToken = await PgCloneCli.RunAsync(new Dictionary<string, string?> { ["PGCLONE_TOKEN"] = null }, ["runs", "list", .. at]);
        Assert.Equal((1, "pgclone: set PGCLONE_TOKEN to a personal API token of the console (My account → API tokens)\n"), (noToken.ExitCode, noToken.Stderr));
        var badToken = await PgCloneCli.RunAsync(new Dictionary<string, string?> { ["PGCLONE_TOKEN"] = "pgc_wrong" }, ["runs", "list", .. at]);
        Assert.Equal(1, badToken.ExitCode);
        Assert.StartsWith($"pgclone: console {console.Url}/: 401 ", badToken.Stderr);
        Assert.Single(badToken.Stderr.Trim().Split('\n'));

        // start --watch follows the run over the hub (token auth) and exits 0 when it succeeds.
        var started = await PgCloneCli.RunAsync(env, ["runs", "start", .. at, "--operation", "schema", "--source-id", $"{console.SourceId}",
            "--target-id", $"{console.TargetId}", "--schema", Schema, "--options", "{\"parallel\":2}", "--watch"]);
        Assert.True(started.ExitCode == 0, started.Stderr);
        var id = long.Parse(started.Stdout.Trim());
        Assert.EndsWith($"pgclone: run {id} succeeded: 4 tables, {Tables.Values.Sum():N0} rows, ", started.Stderr[..started.Stderr.LastIndexOf(',')] + ", ");
        foreach (var (table, rows) in Tables) Assert.Equal(rows, await CountAsync(data.Target, table));

        var show = await PgCloneCli.RunAsync(env, ["runs", "show", .. at, $"{id}"]);
        Assert.Equal(0, show.ExitCode);
        foreach (var (table, rows) in Tables)
            Assert.Matches($@"\n  {System.Text.RegularExpressions.Regex.Escape(Qualified(table))} +{rows:N0} rows .* copied\n", show.Stdout);
        Assert.Contains("by " + RunsConsole.Operator, show.Stdout);
        var run = await console.Factory.Services.GetRequiredService<RunsService>().GetAsync(id);
        Assert.Equal(("token", RunsConsole.Operator), (run!.Run.StartedByKind, run.Run.StartedBy));

        // A cancelled run: watch exits 2 and says so. Its rows wait at the gate, so it cannot end before the cancel (a
        // loaded machine once let this small table finish first), and the cancel stops it still waiting there.
        await using var held = await HoldLoadingAsync(data.Target);
        var second = await PgCloneCli.RunAsync(env, ["runs", "start", .. at, "--operation", "table", "--source-id", $"{console.SourceId}",
            "--target-id", $"{console.TargetId}", "--schema", Schema, "--table", "notes", "--options", "{\"target_name\":\"notes 2\"}"]);
        var secondId = long.Parse(second.Stdout.Trim());
        var cancel = await PgCloneCli.RunAsync(env, ["runs", "cancel", .. at, $"{secondId}"]);
        Assert.True(cancel.ExitCode == 0, cancel.Stderr);
        var watched = await PgCloneCli.RunAsync(env, ["runs", "watch", .. at, $"{secondId}"]);
        await held.DisposeAsync();
        Assert.Equal(2, watched.ExitCode);
        Assert.Contains($"pgclone: run {secondId} cancelled", watched.Stderr);

        var list = await PgCloneCli.RunAsync(env, ["runs", "list", .. at, "--status", "succeeded"]);
        Assert.Equal((0, 1), (list.ExitCode, list.Stdout.Trim().Split('\n').Length));
        Assert.StartsWith($"{id,6} succeeded", list.Stdout);
        var clear = await PgCloneCli.RunAsync(env, ["runs", "clear", .. at]);
        Assert.Equal("pgclone: 2 finished runs cleared\n", clear.Stdout);
        Assert.Equal(0, (await console.Factory.Services.GetRequiredService<RunsService>().ListAsync(new RunFilter(), new Paging())).Total);
    }
}
