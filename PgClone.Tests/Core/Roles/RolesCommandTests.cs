using Npgsql;
using PgClone.Core.Connections;
using PgClone.Tests.Core.Verification;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Roles;

public sealed class RolesCommandTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task The_roles_verb_prints_each_statement_and_the_summary()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_cli");
        var r = $"rcli_{Guid.NewGuid():N}"[..13];
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {r} LOGIN PASSWORD 'pw'; CREATE TABLE t(a int); GRANT SELECT ON t TO {r}");
        await PgServers.ExecAsync(db.Target, "CREATE TABLE t(a int)");

        var run = await PgCloneCli.RunAsync("roles", "--source", db.Source, "--target", db.Target, "--roles", r);

        Assert.Equal("", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            $"CREATE ROLE \"{r}\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 PASSWORD '***';\n" +
            $"GRANT SELECT ON TABLE \"public\".\"t\" TO \"{r}\";\n" +
            "1 roles created, 0 updated, 1 grants applied\n", run.Stdout);
    }

    [Fact]
    public async Task The_roles_verb_reports_json_and_no_passwords_mode_skips_the_hash()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_cli_json");
        var r = $"rcli_{Guid.NewGuid():N}"[..13];
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {r} LOGIN PASSWORD 'pw'");

        var run = await PgCloneCli.RunAsync("roles", "--source", db.Source, "--target", db.Target, "--prefix", r, "--no-passwords", "--json");

        Assert.Equal(0, run.ExitCode);
        var json = System.Text.Json.JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("1 roles created, 0 updated, 0 grants applied", json.GetProperty("summary").GetString());
        Assert.Equal([r], json.GetProperty("created").EnumerateArray().Select(e => e.GetString()));
        Assert.Null(await PgServers.ScalarAsync<object>(db.Target, $"SELECT rolpassword FROM pg_authid WHERE rolname = '{r}'") as string);
    }

    [Fact]
    public async Task A_non_superuser_source_exits_1_with_the_hint_on_stderr()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_cli_su");
        var r = $"rcli_{Guid.NewGuid():N}"[..13];
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {r} LOGIN PASSWORD 'pw'");
        var source = new NpgsqlConnectionStringBuilder(db.Source) { Username = r, Password = "pw" }.ConnectionString;

        var run = await PgCloneCli.RunAsync("roles", "--source", source, "--target", db.Target, "--roles", r);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"pgclone: {ServerEndpoint.Parse(ServerRole.Source, source).Describe()}: reading password hashes requires a superuser " +
                     "(SELECT on pg_authid): connect to the source as a superuser, or pass --no-passwords to clone roles without passwords\n", run.Stderr);
        Assert.Equal("", run.Stdout);
    }
}
