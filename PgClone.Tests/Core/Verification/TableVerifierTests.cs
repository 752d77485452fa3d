using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Verification;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Verification;

public sealed class TableVerifierTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>The same tables and rows on both servers, built with SQL as a clone would leave them.</summary>
    private const string Shop = """
        CREATE SCHEMA shop;
        CREATE TABLE shop.customers(id int PRIMARY KEY, email text, born date, score float8);
        INSERT INTO shop.customers SELECT g, 'user' || g || '@example.com', date '2000-01-01' + g, g / 3.0 FROM generate_series(1, 50) g;
        CREATE TABLE shop.events(id bigint, at timestamptz, kind text) PARTITION BY RANGE (id);
        CREATE TABLE shop.events_1 PARTITION OF shop.events FOR VALUES FROM (0) TO (100);
        CREATE TABLE shop.events_2 PARTITION OF shop.events FOR VALUES FROM (100) TO (200);
        INSERT INTO shop.events SELECT g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', 'k' || g % 3 FROM generate_series(1, 150) g;
        CREATE TABLE shop."Empty Table"("Col" int);
        """;

    private static async Task<TestDatabases> ShopAsync(PgServers servers, string prefix)
    {
        var db = await servers.CreateDatabasesAsync(prefix);
        await Task.WhenAll(PgServers.ExecAsync(db.Source, Shop), PgServers.ExecAsync(db.Target, Shop));
        return db;
    }

    private static Task<VerifyResult> VerifyAsync(TestDatabases db, VerifyMode mode, params string[] exclude) =>
        new TableVerifier().VerifyAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target),
            new VerifyOptions { Schema = "shop", Mode = mode, ExcludeColumns = exclude });

    private static object?[][] Rows(VerifyResult r) => r.Tables.Select(t => new object?[] { t.Table, t.SourceRows, t.TargetRows, t.Match }).ToArray();

    [Theory]
    [InlineData(VerifyMode.Exact)]
    [InlineData(VerifyMode.Checksum)]
    [InlineData(VerifyMode.Fast)]
    public async Task Equal_data_matches_in_every_mode_and_a_partitioned_table_is_counted_once(VerifyMode mode)
    {
        var db = await ShopAsync(fx.Servers, "verify_eq");
        const string analyze = "ANALYZE shop.customers, shop.events";
        if (mode == VerifyMode.Fast) await Task.WhenAll(PgServers.ExecAsync(db.Source, analyze), PgServers.ExecAsync(db.Target, analyze));

        var result = await VerifyAsync(db, mode);

        // Empty Table was never analyzed: reltuples is -1, so fast mode has no estimate and says so.
        object?[] empty = mode == VerifyMode.Fast ? ["Empty Table", null, null, "?"] : ["Empty Table", 0L, 0L, "✓"];
        Assert.Equal([empty, ["customers", 50L, 50L, "✓"], ["events", 150L, 150L, "✓"]], Rows(result));
        Assert.True(result.AllMatch);
        Assert.Equal(mode == VerifyMode.Fast, result.Estimates);
        Assert.Equal(mode == VerifyMode.Fast ? "no estimate: the table was never analyzed" : null, result.Tables[0].Note);
        if (mode == VerifyMode.Checksum)
        {
            Assert.All(result.Tables, t => Assert.Equal(t.SourceChecksum, t.TargetChecksum));
            Assert.Equal("0", result.Tables[0].SourceChecksum);
            Assert.NotEqual("0", result.Tables[1].SourceChecksum);
        }
    }

    [Fact]
    public async Task A_changed_row_is_found_by_checksum_but_not_by_count()
    {
        var db = await ShopAsync(fx.Servers, "verify_chg");
        await PgServers.ExecAsync(db.Target, "UPDATE shop.customers SET email = 'changed@example.com' WHERE id = 7; UPDATE shop.events SET kind = 'x' WHERE id = 120");

        Assert.True((await VerifyAsync(db, VerifyMode.Exact)).AllMatch);
        var result = await VerifyAsync(db, VerifyMode.Checksum);

        Assert.Equal([["Empty Table", 0L, 0L, "✓"], ["customers", 50L, 50L, "✗"], ["events", 150L, 150L, "✗"]], Rows(result));
        Assert.False(result.AllMatch);
        Assert.NotEqual(result.Tables[1].SourceChecksum, result.Tables[1].TargetChecksum);
    }

    [Fact]
    public async Task Excluded_masked_columns_are_left_out_of_the_checksum()
    {
        var db = await ShopAsync(fx.Servers, "verify_mask");
        await PgServers.ExecAsync(db.Target, "UPDATE shop.customers SET email = md5(email) || '@masked.invalid'");

        Assert.Equal("✗", (await VerifyAsync(db, VerifyMode.Checksum)).Tables[1].Match);
        var result = await VerifyAsync(db, VerifyMode.Checksum, "customers.email");

        Assert.True(result.AllMatch);
        Assert.Equal(["email"], result.Tables[1].ExcludedColumns);
        Assert.Equal("excluded from the checksum: \"email\"", result.Tables[1].Note);
    }

    [Fact]
    public async Task Deleted_rows_missing_tables_and_tables_only_on_the_target_are_reported()
    {
        var db = await ShopAsync(fx.Servers, "verify_miss");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE shop.audit(id int); INSERT INTO shop.audit VALUES (1), (2)");
        await PgServers.ExecAsync(db.Target, "DELETE FROM shop.events WHERE id > 140; CREATE TABLE shop.scratch(id int); INSERT INTO shop.scratch VALUES (1)");

        foreach (var mode in new[] { VerifyMode.Exact, VerifyMode.Checksum })
        {
            var result = await VerifyAsync(db, mode);
            Assert.Equal([
                ["Empty Table", 0L, 0L, "✓"], ["audit", 2L, null, "✗ (missing)"], ["customers", 50L, 50L, "✓"],
                ["events", 150L, 140L, "✗"], ["scratch", null, 1L, "✗ (only on target)"],
            ], Rows(result));
            Assert.False(result.AllMatch);
        }
    }

    [Fact]
    public async Task A_table_whose_columns_differ_is_a_mismatch_with_a_note()
    {
        var db = await ShopAsync(fx.Servers, "verify_cols");
        await PgServers.ExecAsync(db.Target, "ALTER TABLE shop.customers DROP COLUMN score, ADD COLUMN extra int");

        var t = (await VerifyAsync(db, VerifyMode.Checksum)).Tables[1];

        Assert.Equal(VerifyStatus.Mismatch, t.Status);
        Assert.Equal("columns missing on the target: \"score\"; columns only on the target: \"extra\"", t.Note);
    }

    [Fact]
    public async Task A_missing_schema_is_an_error_naming_the_source()
    {
        var db = await fx.Servers.CreateDatabasesAsync("verify_noschema");
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source);
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new TableVerifier().VerifyAsync(source,
            ServerEndpoint.Parse(ServerRole.Target, db.Target), new VerifyOptions { Schema = "nope" }));
        Assert.Equal($"{source.Describe()}: schema \"nope\": does not exist", e.Message);
    }

    /// <summary>Sequences, materialized views (one stale, one WITH NO DATA) beside a table, the same DDL on both servers.</summary>
    private const string Views = """
        CREATE SCHEMA v;
        CREATE TABLE v.base(id int PRIMARY KEY, note text);
        INSERT INTO v.base SELECT g, 'n' || g FROM generate_series(1, 10) g;
        CREATE MATERIALIZED VIEW v.fresh AS SELECT id, note FROM v.base;
        CREATE MATERIALIZED VIEW v.stale AS SELECT id FROM v.base;
        CREATE MATERIALIZED VIEW v."not populated" AS SELECT id FROM v.base WITH NO DATA;
        CREATE SEQUENCE v.called;
        CREATE SEQUENCE v."Set, not called";
        CREATE SEQUENCE v.untouched;
        """;

    [Theory]
    [InlineData(VerifyMode.Exact)]
    [InlineData(VerifyMode.Checksum)]
    public async Task Sequences_and_materialized_views_are_compared_and_a_stale_view_is_explained(VerifyMode mode)
    {
        var db = await fx.Servers.CreateDatabasesAsync("verify_views");
        await Task.WhenAll(PgServers.ExecAsync(db.Source, Views), PgServers.ExecAsync(db.Target, Views));
        // The source's view was not refreshed after its table gained a row: a clone computes the view afresh.
        const string later = "INSERT INTO v.base VALUES (11, 'n11'); REFRESH MATERIALIZED VIEW v.fresh";
        await PgServers.ExecAsync(db.Source, later + "; SELECT nextval('v.called'), nextval('v.called'); SELECT setval('v.\"Set, not called\"', 7, false)");
        await PgServers.ExecAsync(db.Target, later + "; REFRESH MATERIALIZED VIEW v.stale; SELECT nextval('v.called'); SELECT setval('v.\"Set, not called\"', 7, false)");

        var result = await new TableVerifier().VerifyAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target),
            new VerifyOptions { Schema = "v", Mode = mode });

        Assert.Equal([
            "Set, not called Sequence Match - - sequence at 7 (not called yet)",
            "base Table Match 11 11 ",
            "called Sequence Mismatch - - sequence at 2 on the source, 1 on the target",
            "fresh MaterializedView Match 11 11 materialized view",
            "not populated MaterializedView Match - - materialized view, not populated (WITH NO DATA)",
            "stale MaterializedView Mismatch 10 11 materialized view (rows of its last REFRESH, which the clone computes afresh: the source's is stale, or its query reads the clock or aggregates in no fixed order)",
            "untouched Sequence Match - - sequence at 1 (not called yet)",
        ], result.Tables.Select(t => $"{t.Table} {t.Kind} {t.Status} {t.SourceRows?.ToString() ?? "-"} {t.TargetRows?.ToString() ?? "-"} {t.Note}"));
        Assert.Equal("2 of 7 (1 table, 3 materialized views, 3 sequences) differ", result.Summary);
        Assert.False(result.AllMatch);
    }

    [Fact]
    public async Task A_view_populated_on_one_side_only_and_a_sequence_missing_on_the_target_are_reported()
    {
        var db = await fx.Servers.CreateDatabasesAsync("verify_views_missing");
        await Task.WhenAll(PgServers.ExecAsync(db.Source, Views + "; REFRESH MATERIALIZED VIEW v.\"not populated\""),
            PgServers.ExecAsync(db.Target, Views + "; DROP SEQUENCE v.untouched; DROP MATERIALIZED VIEW v.fresh; CREATE TABLE v.fresh(id int)"));

        var result = await new TableVerifier().VerifyAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target),
            new VerifyOptions { Schema = "v", Mode = VerifyMode.Exact });

        Assert.Equal([
            "fresh Mismatch 10 0 materialized view on the source, table on the target",
            "not populated Mismatch 10 - materialized view populated on the source only",
            "untouched MissingOnTarget - - sequence",
        ], result.Tables.Where(t => t.Status != VerifyStatus.Match).Select(t => $"{t.Table} {t.Status} {t.SourceRows?.ToString() ?? "-"} {t.TargetRows?.ToString() ?? "-"} {t.Note}"));
        Assert.Equal("3 of 7 (1 table, 3 materialized views, 3 sequences) differ", result.Summary);
    }

    [Fact]
    public async Task A_table_one_server_refuses_fails_verify_with_that_error_while_the_other_still_reads_it()
    {
        var db = await fx.Servers.CreateDatabasesAsync("verify_refused");
        var role = $"vr_{Guid.NewGuid():N}"[..16];
        const string table = "CREATE TABLE secret(id int, v text); INSERT INTO secret SELECT g, md5(g::text) FROM generate_series(1, 300000) g";
        await Task.WhenAll(PgServers.ExecAsync(db.Source, $"{table}; CREATE ROLE {role} LOGIN PASSWORD 'pw'"), PgServers.ExecAsync(db.Target, table));
        var source = ServerEndpoint.Parse(ServerRole.Source, new Npgsql.NpgsqlConnectionStringBuilder(db.Source) { Username = role, Password = "pw" }.ConnectionString, "src");

        // The source refuses at once while the target's checksum reads 300,000 rows: the error must come out, every time.
        for (var i = 0; i < 3; i++)
        {
            var verify = new TableVerifier().VerifyAsync(source, ServerEndpoint.Parse(ServerRole.Target, db.Target), new VerifyOptions { Mode = VerifyMode.Checksum });
            var e = await Assert.ThrowsAsync<PgCloneException>(() => verify.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal($"{source.Describe()}: table \"public\".\"secret\": permission denied for table secret", e.Message);
        }
    }

    [Fact]
    public async Task A_sequence_the_verifying_user_may_not_read_is_reported_unread_not_an_error()
    {
        var db = await fx.Servers.CreateDatabasesAsync("verify_seq_priv");
        var role = $"vs_{Guid.NewGuid():N}"[..16];
        const string objects = "CREATE TABLE t(id serial, v text); INSERT INTO t(v) VALUES ('a')";
        await Task.WhenAll(PgServers.ExecAsync(db.Source, $"{objects}; CREATE ROLE {role} LOGIN PASSWORD 'pw'; GRANT SELECT ON t TO {role}"),
            PgServers.ExecAsync(db.Target, objects));
        var source = ServerEndpoint.Parse(ServerRole.Source, new Npgsql.NpgsqlConnectionStringBuilder(db.Source) { Username = role, Password = "pw" }.ConnectionString, "src");

        var result = await new TableVerifier().VerifyAsync(source, ServerEndpoint.Parse(ServerRole.Target, db.Target), new VerifyOptions { Mode = VerifyMode.Checksum });

        Assert.Equal(["t Match", "t_id_seq Unknown sequence not read: no SELECT privilege on it on the source"],
            result.Tables.Select(t => $"{t.Table} {t.Status}{(t.Note is null ? "" : " " + t.Note)}"));
        Assert.True(result.AllMatch);
    }
}
