using PgClone.Core;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Core.Preflight;
using PgClone.Core.Verification;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Safety;

/// <summary>
/// A clone reads a hot standby (a read replica, where production is usually cloned from) as it reads a primary: in
/// one exported snapshot, writing nothing, every object kind, its rows and its large objects. A standby holds no rows
/// of unlogged tables and no state of unlogged sequences (reading them fails there): those are created empty, at their
/// start, as pg_dump leaves them from a standby, and the run says so.
/// </summary>
public sealed class StandbySourceTests(StandbyServers servers) : IClassFixture<StandbyServers>
{
    [Fact]
    public async Task A_database_cloned_from_a_hot_standby_dumps_and_reads_as_its_primary()
    {
        var db = await servers.CreateDatabasesAsync("standby");
        await CloneKit.LoadAsync(db.Source, "rich.sql");
        await CloneKit.LoadAsync(db.Source, "allkinds.sql");
        await servers.CaughtUpAsync();
        var replica = db with { Source = PrivateServers.Unpooled(await servers.StandbyAsync(), db.Name) };
        Assert.True(await PgServers.ScalarAsync<bool>(replica.Source, "SELECT pg_is_in_recovery()"));

        var request = CloneKit.Request(replica, CloneOperation.Database, options: new CloneOptions { Parallel = 2 });
        var preflight = await PreflightRunner.RunAsync(request, null);
        Assert.Equal(["table \"Kinds ü\".\"ident_unlogged\"", "table \"rich\".\"scratch\"", "sequence \"rich\".\"scratch_s_seq\"", "sequence \"rich\".\"unused_seq\"",
                      "sequence \"Kinds ü\".\"ident_logged_a_seq\"", "sequence \"rich\".\"scratch_n_seq\""],
            preflight.Checks.Where(c => c.Id == "care.standby").Select(c => c.Object));
        Assert.Equal("unlogged on a hot standby, which holds none of its rows or state: created empty (clone from the primary to copy them)",
            preflight.Checks.First(c => c.Id == "care.standby").Message);

        var result = await new CloneEngine().RunAsync(request);

        Assert.Empty(result.Skipped);
        Assert.Equal("the source is a hot standby, which holds no rows of unlogged tables and no state of unlogged sequences: " +
                        "table \"Kinds ü\".\"ident_unlogged\", table \"rich\".\"scratch\", sequence \"rich\".\"scratch_s_seq\", sequence \"rich\".\"unused_seq\", " +
                        "sequence \"Kinds ü\".\"ident_logged_a_seq\", sequence \"rich\".\"scratch_n_seq\" created empty (clone from the primary to copy them)", result.Notes[1]);
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        // The primary's rows and sequence states, but for the unlogged ones: empty, at their start.
        var expected = await CloneKit.ChecksumsAsync(db.Source);
        var unlogged = await PgServers.RowsAsync(db.Source, """
            SELECT format('%I.%I', n.nspname, c.relname), CASE WHEN c.relkind = 'S' THEN (SELECT seqstart || ':false' FROM pg_sequence WHERE seqrelid = c.oid) END
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relpersistence = 'u' AND c.relkind IN ('r', 'S')
            """);
        Assert.Equal(6, unlogged.Count);
        Assert.StartsWith("1:", expected["rich.scratch"]);
        foreach (var row in unlogged) expected[(string)row[0]!] = (string?)row[1] ?? "0:d41d8cd98f00b204e9800998ecf8427e";
        Assert.Equal(expected, await CloneKit.ChecksumsAsync(db.Target));
        Assert.Equal("2:", expected["\"Kinds ü\".only_generated"][..2]);

        // Verified from the standby: all matches but what it cannot read, which it names.
        var verified = await new TableVerifier().VerifyAsync(request.Source, request.Target, new VerifyOptions { Mode = VerifyMode.Checksum });
        var notCompared = verified.Tables.Where(t => t.Status != VerifyStatus.Match).ToList();
        Assert.Equal(["Kinds ü.ident_logged_a_seq", "Kinds ü.ident_unlogged", "rich.scratch", "rich.scratch_n_seq", "rich.scratch_s_seq", "rich.unused_seq"],
            notCompared.Select(t => $"{t.Schema}.{t.Table}"));
        Assert.All(notCompared, t => Assert.Equal(VerifyStatus.Unknown, t.Status));
        Assert.Equal("unlogged on a hot standby (the source), which holds none of its rows: not compared", notCompared[1].Note);
        Assert.Equal("unlogged on a hot standby (the source), which holds none of its state: not compared", notCompared[0].Note);
        Assert.Contains(verified.Tables, t => t is { Table: "pg_largeobject", Status: VerifyStatus.Match });

        // Discovery on the standby samples what it can read, judging the unlogged table's columns by their names.
        static List<string> Found(IReadOnlyList<SensitiveColumn> found) =>
            [.. found.Select(f => $"{f.Table}.{f.Column}: {f.Category} {f.Confidence} {f.Suggested?.StrategyName}")];
        var onPrimary = Found(await SensitiveDataScanner.ScanAsync(CloneKit.Request(db, CloneOperation.Database).Source, "rich", default));
        var onStandby = Found(await SensitiveDataScanner.ScanAsync(request.Source, "rich", default));
        Assert.NotEmpty(onStandby);
        Assert.Equal(onPrimary.Where(f => !f.StartsWith("\"rich\".\"scratch\".")), onStandby.Where(f => !f.StartsWith("\"rich\".\"scratch\".")));
        const string largeObjects = "SELECT count(DISTINCT loid) || ':' || md5(coalesce(string_agg(loid || ':' || pageno || ':' || md5(data), ',' ORDER BY loid, pageno), '')) FROM pg_largeobject";
        var objects = await PgServers.ScalarAsync<string>(db.Source, largeObjects);
        Assert.StartsWith("2:", objects);
        Assert.Equal(objects, await PgServers.ScalarAsync<string>(db.Target, largeObjects));
    }

    [Fact]
    public async Task A_standby_picked_as_the_target_is_refused_before_anything_in_words_of_its_own()
    {
        var db = await servers.CreateDatabasesAsync("tostandby");
        await PgServers.ExecAsync(db.Target, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
        var standby = await servers.StandbyAsync();
        await servers.CaughtUpAsync();
        // The standby's copy of the source's database as the target, the target cluster's database as the source.
        var backwards = new TestDatabases(db.Name, db.Target, PrivateServers.Unpooled(standby, db.Name));
        var target = CloneKit.Request(backwards, CloneOperation.Database).Target;

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(backwards, CloneOperation.Database));

        Assert.Equal($"preflight found 1 blocker: [connection.read_only] {target.Describe()} is a hot standby, which cannot be written: give its primary, or another target",
            e.Message);
    }
}
