using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PgClone.Core;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Runs;

namespace PgClone.Tests.E2E;

/// <summary>
/// "Verify this run" in the browser for the runs that do not clone one schema: a database run verifies every schema
/// and compares the drift of the schema picked among the source's; a functions run compares its functions only.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RunScopeBrowserTests(PgServersFixture fx)
{
    [Fact]
    public async Task A_database_run_verifies_every_schema_and_a_functions_run_compares_its_functions_only()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("scope_ui_console");
        var data = await fx.Servers.CreateDatabasesAsync("scope_ui_data");
        await RunsTestBed.SeedSourceAsync(data.Source);
        await PgServers.ExecAsync(data.Source, """
            CREATE SCHEMA extra;
            CREATE TABLE extra.tickets (id serial PRIMARY KEY, title text);
            INSERT INTO extra.tickets (title) VALUES ('a'), ('b');
            CREATE FUNCTION extra.twice(i int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2 * i';
            """);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var (http, _) = await RunsTestBed.LogInAsync(console.Url, RunsConsole.Operator);
        async Task<long> RunAsync(RunRequest request)
        {
            var id = await RunsTestBed.StartAsync(http, request);
            Assert.Equal(RunStatus.Succeeded, (await RunsTestBed.WaitFinishedAsync(http, id)).Run.Status);
            return id;
        }
        var database = await RunAsync(new RunRequest("database", console.SourceId, console.TargetId));
        var functions = await RunAsync(new RunRequest("functions", console.SourceId, console.TargetId, "extra",
            Options: new CloneOptions { Conflict = ConflictStrategy.Replace }));

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var errors = new List<string>();
        var op = await RunsBrowserTests.LogInAsync(browser, console.Url, RunsConsole.Operator, errors);

        await op.GotoAsync($"{console.Url}/jobs/{database}");
        await Assertions.Expect(op.Locator($"#verify-this-run[href='diff?run={database}']")).ToHaveTextAsync("Verify this run", new() { Timeout = 30_000 });
        // Opened by its address: a click on the live run page can land while it re-renders.
        await op.GotoAsync($"{console.Url}/diff?run={database}");
        await Assertions.Expect(op.Locator("#diff-run-scope")).ToHaveTextAsync(new Regex(
            "source db → target db, the whole database\\.\\s+Verify covers every schema and the large objects; drift compares the schema picked here\\.\\s+The run masked no column\\.\\s*$"));
        // A click on the prerendered page, before its circuit is interactive, would be lost.
        await Chromium.WaitForInteractiveAsync(op);
        await op.ClickAsync("#verify-run");
        await Assertions.Expect(op.Locator("#verify-summary")).ToHaveTextAsync("5 tables and 1 sequence match", new() { Timeout = 30_000 });
        await Assertions.Expect(op.Locator("#verify-result")).ToContainTextAsync("extra.tickets");
        await Chromium.ChooseAsync(op, ".pgclone-diff-schema", "extra");
        await op.ClickAsync("#diff-run");
        await Assertions.Expect(op.Locator("#diff-result h2")).ToHaveTextAsync("Drift of schema extra", new() { Timeout = 30_000 });
        await Assertions.Expect(op.Locator("#diff-summary")).ToHaveTextAsync("in sync");
        await RunsBrowserTests.Shot(op, "diff-database-run");

        // A table run verifies its table alone, under the name it gave; its drift says that it reads the whole schema.
        // (Run after the database run's verification, which would count its copy as a table only the target has.)
        var table = await RunAsync(new RunRequest("table", console.SourceId, console.TargetId, "extra", "tickets", new CloneOptions { TargetName = "tickets 2" }));
        await op.GotoAsync($"{console.Url}/diff?run={table}");
        await Assertions.Expect(op.Locator("#diff-run-scope")).ToHaveTextAsync(new Regex(
            "source db → target db, table \"extra\"\\.\"tickets\" as \"tickets 2\"\\.\\s+Verify covers that table, its partitions and the sequences it owns; " +
            "drift compares the whole schema \"extra\", so the objects of it that the run did not clone show as missing on the target\\.\\s+The run masked no column\\.\\s*$"));
        await Chromium.WaitForInteractiveAsync(op);
        await op.ClickAsync("#verify-run");
        await Assertions.Expect(op.Locator("#verify-summary")).ToHaveTextAsync("1 table and 1 sequence match", new() { Timeout = 30_000 });
        await RunsBrowserTests.Shot(op, "diff-table-run");
        // On a phone each row is a card whose values are named.
        Assert.Equal(["Table", "Source rows", "Target rows", "Match", "Excluded columns", "Note"],
            await op.Locator("#verify-result tbody tr").First.Locator("td").EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.label)"));

        await op.GotoAsync($"{console.Url}/jobs/{functions}");
        await Assertions.Expect(op.Locator($"#verify-this-run[href='diff?run={functions}']")).ToHaveTextAsync("Compare this run", new() { Timeout = 30_000 });
        await op.GotoAsync($"{console.Url}/diff?run={functions}");
        await Chromium.WaitForInteractiveAsync(op);
        await Assertions.Expect(op.Locator("#diff-run-scope")).ToHaveTextAsync(new Regex(
            "source db → target db, the functions of schema \"extra\"\\.\\s+A functions run copied no rows: its drift compares the schema's functions only\\.\\s*$"));
        Assert.Equal(0, await op.Locator("#verify-run").CountAsync());
        await PgServers.ExecAsync(data.Target, "DROP FUNCTION extra.twice(int)");
        await op.ClickAsync("#diff-run");
        await Assertions.Expect(op.Locator("#diff-summary")).ToHaveTextAsync("1 differences", new() { Timeout = 30_000 });
        Assert.Equal(1, await op.Locator(".pgclone-diff-category").CountAsync());
        Assert.Empty(errors);
    }
}
