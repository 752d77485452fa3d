using System.Text;
using System.Text.Json;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Safety;

/// <summary>The smaller safety points: names at the 63-byte limit, strict URIs, no row data in errors, --json on failure.</summary>
public sealed class SafetyEdgeTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public void Names_are_cut_to_63_bytes_on_character_boundaries_before_a_suffix()
    {
        var name = new string('a', 61) + "é"; // 63 bytes
        Assert.Equal(new string('a', 59) + "_old", PgName.WithSuffix(name, "_old"));
        Assert.Equal(new string('a', 61), PgName.Truncate(name + "x", 62));
        Assert.Equal(new string('a', 61), PgName.Truncate(new string('a', 61) + "€", 63));
        Assert.Equal("ab€", PgName.Truncate("ab€", 5));
    }

    [Theory]
    [InlineData("", "invalid options: target_name is empty")]
    [InlineData("  ", "invalid options: target_name is empty")]
    [InlineData("ééééééééééééééééééééééééééééééééx", "invalid options: target_name \"ééééééééééééééééééééééééééééééééx\" is 65 bytes long; PostgreSQL names hold at most 63 bytes")]
    public async Task A_target_name_that_is_empty_or_over_63_bytes_is_refused_by_the_engine_and_the_command_line(string name, string message)
    {
        var db = await fx.Servers.CreateDatabasesAsync("tname");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int)");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "public", "t", new CloneOptions { TargetName = name }));
        Assert.Equal(message, e.Message);
        var r = await PgCloneCli.RunAsync("table", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target), "--table", "t", "--target-name", name);
        Assert.Equal((1, $"pgclone: {message}\n"), (r.ExitCode, r.Stderr));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"));
    }

    [Fact]
    public async Task Conflict_rename_moves_a_63_byte_table_aside_under_a_cut_name()
    {
        var db = await fx.Servers.CreateDatabasesAsync("ren63");
        var name = new string('r', 60) + "ü" + "z"; // 63 bytes
        var quoted = Sql.Ident(name);
        await PgServers.ExecAsync(db.Source, $"CREATE TABLE {quoted}(id int PRIMARY KEY); INSERT INTO {quoted} VALUES (1), (2)");
        await PgServers.ExecAsync(db.Target, $"CREATE TABLE {quoted}(old int); INSERT INTO {quoted} VALUES (7)");
        await CloneKit.CloneAsync(db, CloneOperation.Table, "public", name, new CloneOptions { Conflict = ConflictStrategy.Rename });
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, $"SELECT count(*) FROM {quoted}"));
        Assert.Equal(7, await PgServers.ScalarAsync<int>(db.Target, $"SELECT old FROM {Sql.Ident(new string('r', 59) + "_old")}"));
    }

    [Theory]
    [InlineData("postgresql://u:p%zzw@127.0.0.1/db", "%zz")]
    [InlineData("postgresql://u:pw%4@127.0.0.1/db", "%4")]
    [InlineData("postgresql://u:pw@127.0.0.1/d%g1", "%g1")]
    public void A_uri_with_a_bad_percent_escape_is_refused(string uri, string token)
    {
        var e = Assert.Throws<PgCloneException>(() => ConnInfo.Parse(uri, ServerRole.Target));
        Assert.Equal($"target: invalid connection string: invalid percent-encoded token in URI at \"{token}\"", e.Message);
        Assert.Equal("p w", ConnInfo.Parse("postgresql://u:p%20w@h/db").Password);
    }

    [Fact]
    public async Task A_constraint_violation_names_the_constraint_but_never_the_rows_values()
    {
        var db = await fx.Servers.CreateDatabasesAsync("nodetail");
        // The first row breaks NOT NULL ("Failing row contains (...)"), the second UNIQUE ("Key (email)=(...)").
        await PgServers.ExecAsync(db.Source, "CREATE TABLE p(id int, email text); INSERT INTO p VALUES (2, NULL), (1, 'secret.person@example.com')");
        var plan = new ClonePlan
        {
            PreData =
            [
                new DdlStatement("table", "\"public\".\"p\"", "CREATE TABLE public.p (id int, email text CONSTRAINT p_email_nn NOT NULL UNIQUE)"),
                new DdlStatement("table", "\"public\".\"p\"", "INSERT INTO public.p VALUES (0, 'secret.person@example.com')"),
            ],
            Tables = [Table("p", ["id", "email"]) with { CreatedInRun = false }],
        };
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(Request(db), new CloneRunOptions { Planner = Fixed(plan) }));
        Assert.DoesNotContain("secret.person", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Key (", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Failing row", e.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("(127.0.0.1:" + new Npgsql.NpgsqlConnectionStringBuilder(db.Target).Port + "): table \"public\".\"p\": null value in column \"email\" of relation \"p\" violates not-null constraint", e.Message, StringComparison.Ordinal);
        var pg = (Npgsql.PostgresException)e.InnerException!;
        Assert.Equal((Npgsql.PostgresErrorCodes.NotNullViolation, "p", "email", null), (pg.SqlState, pg.TableName, pg.ColumnName, pg.Detail));
    }

    [Fact]
    public async Task Json_output_on_failure_prints_how_far_the_run_got_and_the_error()
    {
        var db = await fx.Servers.CreateDatabasesAsync("jsonfail");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE a(id int PRIMARY KEY); INSERT INTO a SELECT generate_series(1, 10); CREATE TABLE b(id int PRIMARY KEY)");
        await PgServers.ExecAsync(db.Target, "CREATE TABLE b(x text)");
        var r = await PgCloneCli.RunAsync("schema", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target), "--schema", "public", "--json");
        Assert.Equal(1, r.ExitCode);
        using var json = JsonDocument.Parse(r.Stdout);
        Assert.Equal("failed", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("schema", json.RootElement.GetProperty("operation").GetString());
        var error = json.RootElement.GetProperty("error").GetString()!;
        Assert.Equal($"pgclone: {error}\n", r.Stderr);
        Assert.Contains("\"public\".\"b\"", error, StringComparison.Ordinal);
    }
}
