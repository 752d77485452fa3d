using System.Text.Json;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Cli;

public sealed class TableCloneCliTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private static string Conninfo(string cs)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(cs);
        return $"host={b.Host} port={b.Port} user={b.Username} password={b.Password} dbname={b.Database}";
    }

    [Fact]
    public async Task A_table_clone_through_the_built_cli_exits_0_and_prints_per_table_json()
    {
        var db = await fx.Servers.CreateDatabasesAsync("clitable");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s; CREATE TABLE s.orders(id int PRIMARY KEY, note text, tags int[]);
            INSERT INTO s.orders SELECT g, CASE WHEN g % 2 = 0 THEN NULL ELSE 'n' || g END, ARRAY[g, g + 1] FROM generate_series(1, 1234) g;
            """);
        var checkpoint = Path.Combine(Path.GetTempPath(), $"pgclone-cli-{Guid.NewGuid():N}.jsonl");
        try
        {
            var r = await PgcloneProcess.RunAsync("table", "--source", Conninfo(db.Source), "--target", Conninfo(db.Target),
                "--schema", "s", "--table", "orders", "--parallel", "2", "--checkpoint", checkpoint, "--json");

            Assert.True(r.ExitCode == 0, r.Stderr);
            using var json = JsonDocument.Parse(r.Stdout);
            var root = json.RootElement;
            Assert.Equal("table", root.GetProperty("operation").GetString());
            var table = Assert.Single(root.GetProperty("tables").EnumerateArray());
            Assert.Equal("\"s\".\"orders\"", table.GetProperty("table").GetString());
            Assert.Equal(1234, table.GetProperty("rows").GetInt64());
            Assert.True(table.GetProperty("bytes").GetInt64() > 1234 * 10);
            Assert.True(table.GetProperty("seconds").GetDouble() >= 0);
            Assert.Equal((1234L, table.GetProperty("bytes").GetInt64()), (root.GetProperty("rows").GetInt64(), root.GetProperty("bytes").GetInt64()));
            Assert.Equal(await PgClone.Tests.Core.Jobs.HandPlans.ChecksumAsync(db.Source, "s.orders", "id"), await PgClone.Tests.Core.Jobs.HandPlans.ChecksumAsync(db.Target, "s.orders", "id"));

            // The job completed: resuming it has nothing to do, and says so.
            var again = await PgcloneProcess.RunAsync("resume", "--checkpoint", checkpoint);
            Assert.Equal((1, $"pgclone: job {root.GetProperty("job_id").GetString()} in {checkpoint} already completed: nothing to resume\n"), (again.ExitCode, again.Stderr));
        }
        finally { File.Delete(checkpoint); }
    }

    [Fact]
    public async Task A_clone_that_fails_on_the_target_exits_1_with_the_servers_error()
    {
        var db = await fx.Servers.CreateDatabasesAsync("clifail");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int)");
        await PgServers.ExecAsync(db.Target, "CREATE TABLE t(id int)");
        var r = await PgcloneProcess.RunAsync("table", "--source", Conninfo(db.Source), "--target", Conninfo(db.Target), "--table", "t");
        var port = new Npgsql.NpgsqlConnectionStringBuilder(db.Target).Port;
        Assert.Equal((1, "", $"pgclone: target '127.0.0.1:{port}/{db.Name}' (127.0.0.1:{port}): table \"public\".\"t\": already exists (conflict strategy is error; nothing was changed)\n"),
            (r.ExitCode, r.Stdout, r.Stderr));
    }
}
