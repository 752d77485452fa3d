using System.Text.Json;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Cli;

public sealed class CloneVerbTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_malformed_conninfo_exits_1_with_one_clear_stderr_line()
    {
        var r = await PgCloneCli.RunAsync("table", "--source", "nonsense", "--target", "host=127.0.0.1 dbname=x", "--table", "t");
        Assert.Equal((1, "", "pgclone: source: invalid connection string: missing \"=\" after \"nonsense\"\n"), (r.ExitCode, r.Stdout, r.Stderr));
    }

    [Fact]
    public async Task An_unreachable_server_and_a_wrong_password_exit_1_naming_the_server()
    {
        var r = await PgCloneCli.RunAsync("schema", "--source", "host=127.0.0.1 port=1 user=postgres dbname=app", "--target", "host=127.0.0.1 port=1 dbname=x", "--schema", "public");
        Assert.Equal((1, "", "pgclone: source '127.0.0.1:1/app' (127.0.0.1:1): connection refused: nothing listens on 127.0.0.1:1\n"), (r.ExitCode, r.Stdout, r.Stderr));

        var db = await fx.Servers.CreateDatabasesAsync("cliauth");
        var csb = new Npgsql.NpgsqlConnectionStringBuilder(db.Target) { Password = "wrong" };
        var target = $"host={csb.Host} port={csb.Port} user={csb.Username} password=wrong dbname={db.Name}";
        var source = new Npgsql.NpgsqlConnectionStringBuilder(db.Source);
        r = await PgCloneCli.RunAsync("schema", "--source", $"host={source.Host} port={source.Port} user={source.Username} password={source.Password} dbname={db.Name}",
            "--target", target, "--schema", "public");
        Assert.Equal((1, "", $"pgclone: target '127.0.0.1:{csb.Port}/{db.Name}' (127.0.0.1:{csb.Port}): wrong password for user 'postgres'\n"),
            (r.ExitCode, r.Stdout, r.Stderr));
    }

    /// <summary>
    /// A run that fails once its schema is in (an index refused by the target) leaves the objects it created: the
    /// command says so after the error, and how to go on, with or without a checkpoint; resume then finishes it.
    /// </summary>
    [Fact]
    public async Task A_run_failing_after_its_schema_says_what_it_left_and_how_to_go_on()
    {
        var db = await fx.Servers.CreateDatabasesAsync("clileft");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int PRIMARY KEY, v text); CREATE INDEX t_v ON t (v); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 25) g;");
        await PgServers.ExecAsync(db.Target, """
            CREATE FUNCTION no_index() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN IF current_query() LIKE '%"t_v"%' THEN RAISE EXCEPTION 'no index here'; END IF; END$$;
            CREATE EVENT TRIGGER no_index ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION no_index();
            """);
        var (source, target) = (PgServers.Conninfo(db.Source), PgServers.Conninfo(db.Target));
        var port = new Npgsql.NpgsqlConnectionStringBuilder(db.Target).Port;
        var error = $"pgclone: target '127.0.0.1:{port}/{db.Name}' (127.0.0.1:{port}): index \"t_v\" on \"public\".\"t\": no index here\n";

        var r = await PgCloneCli.RunAsync("schema", "--source", source, "--target", target, "--schema", "public");
        Assert.True(r.ExitCode == 1, r.Stderr);
        Assert.Equal(error + "pgclone: the objects this run created stay on the target (1 of 1 table copied); run it again with " +
            "--options '{\"conflict\":\"replace\"}' to start over, or with --checkpoint FILE to be able to resume a run that stops\n", LastLines(r.Stderr, 2));
        Assert.Equal(25L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM public.t"));

        var checkpoint = Path.Combine(Path.GetTempPath(), $"pgclone left {Guid.NewGuid():N}.ckpt");
        try
        {
            r = await PgCloneCli.RunAsync("schema", "--source", source, "--target", target, "--schema", "public", "--options", "{\"conflict\":\"replace\"}", "--checkpoint", checkpoint);
            Assert.Equal(1, r.ExitCode);
            Assert.Equal(error + $"pgclone: the objects this run created stay on the target (1 of 1 table copied); once the cause is fixed, finish it with: pgclone resume --checkpoint '{checkpoint}'\n",
                LastLines(r.Stderr, 2));

            await PgServers.ExecAsync(db.Target, "DROP EVENT TRIGGER no_index");
            var password = new Npgsql.NpgsqlConnectionStringBuilder(db.Target).Password;
            r = await PgCloneCli.RunAsync(new Dictionary<string, string?> { ["PGPASSWORD"] = password }, "resume", "--checkpoint", checkpoint);
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Equal((25L, true), (await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM public.t"),
                await PgServers.ScalarAsync<bool>(db.Target, "SELECT to_regclass('public.t_v') IS NOT NULL")));
        }
        finally { File.Delete(checkpoint); }
    }

    private static string LastLines(string text, int n) => string.Join("", text.Split('\n')[^(n + 1)..].Select(l => l + "\n"))[..^1];
}
