using System.Text.Json;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Verification;

public sealed class VerifyCommandTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Tables = "CREATE TABLE a(id int); INSERT INTO a VALUES (1), (2); CREATE TABLE b(id int)";

    [Fact]
    public async Task Verify_prints_a_table_and_exits_0_when_everything_matches()
    {
        var db = await fx.Servers.CreateDatabasesAsync("verify_cli_ok");
        await Task.WhenAll(PgServers.ExecAsync(db.Source, Tables), PgServers.ExecAsync(db.Target, Tables));

        var run = await PgCloneCli.RunAsync("verify", "--source", db.Source, "--target", db.Target, "--schema", "public");

        Assert.Equal("", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""
            schema  table  source rows  target rows  match  note
            public  a      2            2            ✓
            public  b      0            0            ✓
            2 tables match

            """.ReplaceLineEndings("\n"), run.Stdout);
    }

    [Fact]
    public async Task Verify_exits_2_on_a_mismatch_and_reports_json()
    {
        var db = await fx.Servers.CreateDatabasesAsync("verify_cli_bad");
        await Task.WhenAll(PgServers.ExecAsync(db.Source, Tables), PgServers.ExecAsync(db.Target, "CREATE TABLE a(id int); INSERT INTO a VALUES (1), (3)"));

        var run = await PgCloneCli.RunAsync("verify", "--source", db.Source, "--target", db.Target, "--mode", "checksum", "--json");

        Assert.Equal(2, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("checksum", json.GetProperty("mode").GetString());
        Assert.False(json.GetProperty("all_match").GetBoolean());
        var tables = json.GetProperty("tables").EnumerateArray().Select(t =>
            $"{t.GetProperty("table").GetString()} {t.GetProperty("source_rows")} {t.GetProperty("target_rows")} {t.GetProperty("match").GetString()}");
        Assert.Equal(["a 2 2 ✗", "b 0  ✗ (missing)"], tables);
        Assert.Equal(["mismatch", "missing_on_target"], json.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Fast_mode_says_its_counts_are_estimates_and_a_bad_mode_is_an_error()
    {
        var db = await fx.Servers.CreateDatabasesAsync("verify_cli_fast");
        await Task.WhenAll(PgServers.ExecAsync(db.Source, Tables + "; ANALYZE a"), PgServers.ExecAsync(db.Target, Tables + "; ANALYZE a"));

        var run = await PgCloneCli.RunAsync("verify", "--source", db.Source, "--target", db.Target, "--mode", "fast");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""
            fast mode: row counts are planner estimates (pg_class.reltuples), not exact counts
            schema  table  source rows (estimate)  target rows (estimate)  match  note
            public  a      2                       2                       ✓
            public  b      -                       -                       ?      no estimate: the table was never analyzed
            2 tables match

            """.ReplaceLineEndings("\n"), run.Stdout);
        Assert.Equal(1, (await PgCloneCli.RunAsync("verify", "--source", db.Source, "--target", db.Target, "--mode", "slow")).ExitCode);
    }
}
