using System.Text.Json;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Cli;

/// <summary><c>pgclone schema --target-name</c>, <c>pgclone diff --target-schema</c> and <c>pgclone verify --target-schema</c> through the built CLI.</summary>
public sealed class SchemaRenameCliTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_schema_cloned_under_a_new_name_is_in_sync_with_the_original_for_diff_and_verify()
    {
        var db = await fx.Servers.CreateDatabasesAsync("clirename");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.a (id serial PRIMARY KEY, v text);
            CREATE TABLE s.b (id int PRIMARY KEY, a_id int REFERENCES s.a);
            CREATE VIEW s.ab AS SELECT a.id, a.v, b.id AS b FROM s.a JOIN s.b ON b.a_id = a.id;
            INSERT INTO s.a (v) SELECT 'v' || g FROM generate_series(1, 50) g;
            INSERT INTO s.b SELECT g, g FROM generate_series(1, 20) g;
            """);
        var (source, target) = (PgServers.Conninfo(db.Source), PgServers.Conninfo(db.Target));

        var clone = await PgCloneCli.RunAsync("schema", "--source", source, "--target", target, "--schema", "s", "--target-name", "s 2", "--json");

        Assert.True(clone.ExitCode == 0, clone.Stderr);
        using (var json = JsonDocument.Parse(clone.Stdout))
            Assert.Equal(["\"s 2\".\"a\"|50", "\"s 2\".\"b\"|20"], json.RootElement.GetProperty("tables").EnumerateArray()
                .Select(t => $"{t.GetProperty("table").GetString()}|{t.GetProperty("rows").GetInt64()}").Order(StringComparer.Ordinal));
        Assert.Equal(20L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM \"s 2\".ab"));
        var diff = await PgCloneCli.RunAsync("diff", "--source", source, "--target", target, "--schema", "s", "--target-schema", "s 2");
        Assert.True(diff.ExitCode == 0, diff.Stdout + diff.Stderr);
        // Without the mapping, diff compares s with a schema s the target does not have.
        var unmappedDiff = await PgCloneCli.RunAsync("diff", "--source", source, "--target", target, "--schema", "s");
        Assert.Equal(2, unmappedDiff.ExitCode);

        var verify = await PgCloneCli.RunAsync("verify", "--source", source, "--target", target, "--schema", "s", "--target-schema", "s 2", "--mode", "checksum");
        Assert.Equal("", verify.Stderr);
        Assert.Equal(0, verify.ExitCode);
        Assert.Equal("""
            schema  table     source rows  target rows  match  note
            s       a         50           50           ✓
            s       a_id_seq  -            -            ✓      sequence at 50
            s       b         20           20           ✓
            2 tables and 1 sequence match

            """.ReplaceLineEndings("\n"), verify.Stdout);
        // Without the mapping, verify looks for s on the target.
        var unmapped = await PgCloneCli.RunAsync("verify", "--source", source, "--target", target, "--schema", "s");
        Assert.Equal(2, unmapped.ExitCode);
        Assert.EndsWith("3 of 3 (2 tables, 1 sequence) differ\n", unmapped.Stdout);
        var alone = await PgCloneCli.RunAsync("verify", "--source", source, "--target", target, "--target-schema", "s 2");
        Assert.Equal(1, alone.ExitCode);
        Assert.Equal($"pgclone: {ServerEndpoint.Parse(ServerRole.Target, target).Describe()}: schema \"s 2\": is compared with a schema of the source, "
            + "and none was named: name that one too (--schema)\n", alone.Stderr);
    }
}
