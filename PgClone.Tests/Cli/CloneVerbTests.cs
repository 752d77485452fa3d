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
}
