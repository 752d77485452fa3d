using System.Text.Json;
using System.Text.RegularExpressions;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Cli;

public sealed class TableCloneCliTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
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
            var r = await PgCloneCli.RunAsync("table", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target),
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
            var again = await PgCloneCli.RunAsync("resume", "--checkpoint", checkpoint);
            Assert.Equal((1, $"pgclone: job {root.GetProperty("job_id").GetString()} in {checkpoint} already completed: nothing to resume\n"), (again.ExitCode, again.Stderr));
        }
        finally { File.Delete(checkpoint); }
    }

    [Fact]
    public async Task A_schema_clone_failing_at_its_indexes_resumes_from_the_checkpoint_without_copying_again()
    {
        var db = await fx.Servers.CreateDatabasesAsync("cliresume");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.a(id int PRIMARY KEY, v text); INSERT INTO s.a SELECT g, 'a' || g FROM generate_series(1, 500) g;
            CREATE TABLE s.b(id int PRIMARY KEY, a_id int REFERENCES s.a); INSERT INTO s.b SELECT g, g FROM generate_series(1, 300) g;
            """);
        // The first run loads the data, then the target refuses to build indexes.
        await PgServers.ExecAsync(db.Target, """
            CREATE FUNCTION public.no_indexes() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'indexes are not allowed today'; END$$;
            CREATE EVENT TRIGGER no_indexes ON ddl_command_end WHEN TAG IN ('ALTER TABLE', 'CREATE INDEX') EXECUTE FUNCTION public.no_indexes();
            """);
        var checkpoint = Path.Combine(Path.GetTempPath(), $"pgclone-cli-{Guid.NewGuid():N}.jsonl");
        try
        {
            var first = await PgCloneCli.RunAsync("schema", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target), "--schema", "s", "--checkpoint", checkpoint);
            Assert.Equal(1, first.ExitCode);
            // Progress lines come first on stderr (not a terminal here); the failure is the line before the last, which says how to go on.
            var lines = first.Stderr.TrimEnd('\n').Split('\n');
            Assert.Equal($"pgclone: the objects this run created stay on the target (2 of 2 tables copied); once the cause is fixed, finish it with: pgclone resume --checkpoint {checkpoint}", lines[^1]);
            var failure = Regex.Match(lines[^2],
                "^pgclone: target '[^']+' \\(127\\.0\\.0\\.1:[0-9]+\\): index \"([ab])_pkey\" on \"s\"\\.\"\\1\": indexes are not allowed today$");
            Assert.True(failure.Success, first.Stderr);
            // Index steps start as soon as their table is in, so the key that failed was on a table already loaded.
            var loadedFirst = $"\"s\".\"{failure.Groups[1].Value}\"";
            await PgServers.ExecAsync(db.Target, "DROP EVENT TRIGGER no_indexes");

            // The checkpoint keeps no password: the resume reads it from PGPASSWORD.
            var resumed = await PgCloneCli.RunAsync(new Dictionary<string, string?> { ["PGPASSWORD"] = new Npgsql.NpgsqlConnectionStringBuilder(db.Source).Password },
                "resume", "--checkpoint", checkpoint, "--json");

            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            using var json = JsonDocument.Parse(resumed.Stdout);
            var tables = json.RootElement.GetProperty("tables").EnumerateArray().ToList();
            Assert.Equal([500L, 300L], tables.Select(t => t.GetProperty("rows").GetInt64()).Order().Reverse());
            var resumeJob = json.RootElement.GetProperty("job_id").GetString();
            Assert.NotEqual(resumeJob, tables.Single(t => t.GetProperty("table").GetString() == loadedFirst).GetProperty("copied_by_job").GetString());
            Assert.Equal(500L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.a"));
            Assert.Equal(300L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.b"));
            Assert.Equal(3L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 's' AND contype IN ('p', 'f')"));
        }
        finally { File.Delete(checkpoint); }
    }

    [Fact]
    public async Task Target_name_and_no_data_flags_reach_the_clone()
    {
        var db = await fx.Servers.CreateDatabasesAsync("cliflags");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int PRIMARY KEY); INSERT INTO t VALUES (1), (2)");

        var r = await PgCloneCli.RunAsync("table", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target), "--table", "t", "--target-name", "t_copy", "--no-data", "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM t_copy"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 't'"));
        using var json = JsonDocument.Parse(r.Stdout);
        Assert.Equal(0L, json.RootElement.GetProperty("rows").GetInt64());
    }

    [Fact]
    public async Task A_clone_that_fails_on_the_target_exits_1_with_the_servers_error()
    {
        var db = await fx.Servers.CreateDatabasesAsync("clifail");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int)");
        await PgServers.ExecAsync(db.Target, "CREATE TABLE t(id int)");
        var r = await PgCloneCli.RunAsync("table", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target), "--table", "t");
        var port = new Npgsql.NpgsqlConnectionStringBuilder(db.Target).Port;
        Assert.Equal((1, "", $"pgclone: target '127.0.0.1:{port}/{db.Name}' (127.0.0.1:{port}): table \"public\".\"t\": already exists (conflict strategy is error; nothing was changed)\n"),
            (r.ExitCode, r.Stdout, r.Stderr));
    }
}
