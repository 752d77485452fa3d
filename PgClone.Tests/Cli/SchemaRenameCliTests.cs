using System.Text.Json;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Cli;

/// <summary><c>pgclone schema|table --target-name</c>, <c>pgclone diff --target-schema</c> and <c>pgclone verify --target-schema|--table|--target-table</c> through the built CLI.</summary>
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
    [Fact]
    public async Task A_table_cloned_under_a_new_name_is_verified_alone_against_the_original()
    {
        var db = await fx.Servers.CreateDatabasesAsync("cliverifytable");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE public."Orders" (id serial PRIMARY KEY, v text);
            CREATE TABLE public.other (id int);
            INSERT INTO public."Orders" (v) SELECT 'v' || g FROM generate_series(1, 30) g;
            INSERT INTO public.other VALUES (1);
            """);
        var (source, target) = (PgServers.Conninfo(db.Source), PgServers.Conninfo(db.Target));
        var clone = await PgCloneCli.RunAsync("table", "--source", source, "--target", target, "--table", "Orders", "--target-name", "Orders 2");
        Assert.True(clone.ExitCode == 0, clone.Stderr);

        string[] verifyTable = ["verify", "--source", source, "--target", target, "--schema", "public", "--table", "Orders", "--target-table", "Orders 2", "--mode", "checksum"];
        var verify = await PgCloneCli.RunAsync(verifyTable);
        Assert.Equal("", verify.Stderr);
        Assert.Equal(0, verify.ExitCode);
        Assert.Equal("""
            schema  table          source rows  target rows  match  note
            public  Orders         30           30           ✓
            public  Orders_id_seq  -            -            ✓      sequence at 30
            1 table and 1 sequence match

            """.ReplaceLineEndings("\n"), verify.Stdout);
        // The whole schema differs: other is missing there, and the clone and its sequence have names of their own.
        var whole = await PgCloneCli.RunAsync("verify", "--source", source, "--target", target, "--schema", "public");
        Assert.Equal(2, whole.ExitCode);
        Assert.EndsWith("5 of 5 (3 tables, 2 sequences) differ\n", whole.Stdout);

        await PgServers.ExecAsync(db.Target, "UPDATE public.\"Orders 2\" SET v = 'changed' WHERE id = 7");
        var changed = await PgCloneCli.RunAsync(verifyTable);
        Assert.Equal(2, changed.ExitCode);
        Assert.EndsWith("1 of 2 (1 table, 1 sequence) differs\n", changed.Stdout);
        var notRenamed = await PgCloneCli.RunAsync("verify", "--source", source, "--target", target, "--schema", "public", "--table", "Orders");
        Assert.Equal(2, notRenamed.ExitCode);
        Assert.StartsWith("""
            schema  table          source rows  target rows  match        note
            public  Orders         30           -            ✗ (missing)
            public  Orders_id_seq  -            -            ✗ (missing)  sequence
            """.ReplaceLineEndings("\n"), notRenamed.Stdout);

        var missing = await PgCloneCli.RunAsync("verify", "--source", source, "--target", target, "--schema", "public", "--table", "nowhere");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"pgclone: {ServerEndpoint.Parse(ServerRole.Source, source).Describe()}: table \"public\".\"nowhere\": does not exist\n", missing.Stderr);
        var noSchema = await PgCloneCli.RunAsync("verify", "--source", source, "--target", target, "--table", "Orders");
        Assert.Equal(1, noSchema.ExitCode);
        Assert.Equal($"pgclone: {ServerEndpoint.Parse(ServerRole.Source, source).Describe()}: table \"Orders\": is looked up in a schema, and none was named: name it too (--schema)\n", noSchema.Stderr);
        var noTable = await PgCloneCli.RunAsync("verify", "--source", source, "--target", target, "--schema", "public", "--target-table", "Orders 2");
        Assert.Equal(1, noTable.ExitCode);
        Assert.Equal($"pgclone: {ServerEndpoint.Parse(ServerRole.Target, target).Describe()}: table \"Orders 2\": is compared with a table of the source, "
            + "and none was named: name that one too (--table)\n", noTable.Stderr);

        // A partition named alone (a table clone may copy one into its parent on the target) is verified by itself.
        var parted = await fx.Servers.CreateDatabasesAsync("cliverifypart");
        await PgServers.ExecAsync(parted.Source, """
            CREATE TABLE public.p (id int, k int) PARTITION BY RANGE (k);
            CREATE TABLE public.p_low PARTITION OF public.p FOR VALUES FROM (0) TO (5);
            CREATE TABLE public.p_high PARTITION OF public.p FOR VALUES FROM (5) TO (10);
            INSERT INTO public.p SELECT g, g % 10 FROM generate_series(1, 50) g;
            """);
        var (partedSource, partedTarget) = (PgServers.Conninfo(parted.Source), PgServers.Conninfo(parted.Target));
        Assert.Equal(0, (await PgCloneCli.RunAsync("table", "--source", partedSource, "--target", partedTarget, "--table", "p")).ExitCode);
        var partition = await PgCloneCli.RunAsync("verify", "--source", partedSource, "--target", partedTarget, "--schema", "public", "--table", "p_high", "--mode", "checksum");
        Assert.Equal((0, ""), (partition.ExitCode, partition.Stderr));
        Assert.Equal("""
            schema  table   source rows  target rows  match  note
            public  p_high  25           25           ✓
            1 table matches

            """.ReplaceLineEndings("\n"), partition.Stdout);
    }
}
