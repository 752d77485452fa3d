using System.Text.Json.Nodes;
using Npgsql;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Core.Verification;
using PgClone.Tests.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

/// <summary>
/// A table indexed through an extension's SQL function that names its types unqualified (earthdistance's
/// ll_to_earth): every read the server must plan under search_path = pg_catalog (filters, ranges, masking, the
/// masking proof, subsets, discovery, preview, verification) works, and the reads' output is unchanged.
/// </summary>
public sealed class IndexExpressionPlanningTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Fixture = """
        CREATE EXTENSION cube;
        CREATE EXTENSION earthdistance;
        CREATE TABLE places (id int PRIMARY KEY, lat float8, lon float8, email text, kind regclass);
        INSERT INTO places SELECT g, g % 80, g % 170, 'user' || g || '@example.com', 'public.places' FROM generate_series(1, 2000) g;
        CREATE INDEX places_earth ON places USING gist (ll_to_earth(lat, lon));
        CREATE INDEX places_near ON places (id) WHERE earth_distance(ll_to_earth(lat, lon), ll_to_earth(0, 0)) < 1e6;
        CREATE TABLE visits (id int PRIMARY KEY, place int REFERENCES places);
        INSERT INTO visits SELECT g, g FROM generate_series(1, 500) g;
        ANALYZE;
        """;

    private async Task<TestDatabases> ArrangeAsync(string prefix)
    {
        var db = await fx.Servers.CreateDatabasesAsync(prefix);
        await PgServers.ExecAsync(db.Source, Fixture);
        return db;
    }

    private static CloneRequest Request(TestDatabases db, CloneOperation op, string? table, string options) =>
        new(op, ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target), "public", table, CloneOptions.Parse(options));

    private static Task<CloneResult> CloneAsync(CloneRequest request, CloneRunOptions? run = null) =>
        new CloneEngine(r => MaskingFactory.Create(r, MaskSql.Secret)).RunAsync(request, run ?? new CloneRunOptions());

    private static async Task<string> PlacesChecksumAsync(string cs) =>
        await PgServers.ScalarAsync<string>(cs, "SELECT count(*) || ':' || md5(string_agg(id || ',' || lat || ',' || lon || ',' || email || ',' || kind::oid::regclass::text, ';' ORDER BY id)) FROM public.places");

    /// <summary>A source session as the engine's: in a REPEATABLE READ READ ONLY transaction, search_path = pg_catalog.</summary>
    private static async Task<NpgsqlConnection> ReadingSessionAsync(TestDatabases db)
    {
        var conn = new NpgsqlConnection(db.Source);
        await conn.OpenAsync();
        await using var begin = new NpgsqlCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = pg_catalog", conn);
        await begin.ExecuteNonQueryAsync();
        return conn;
    }

    [Fact]
    public async Task Without_the_warmup_the_server_cannot_plan_the_read_and_after_it_the_session_path_is_unchanged()
    {
        var db = await ArrangeAsync("ixplan");
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source);
        await using var conn = await ReadingSessionAsync(db);
        await using (var savepoint = new NpgsqlCommand("SAVEPOINT bare", conn)) await savepoint.ExecuteNonQueryAsync();
        // The failure this is about, on a session that has not planned the table yet.
        var e = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var bare = new NpgsqlCommand("SELECT count(*) FROM public.places WHERE id > 10", conn);
            await bare.ExecuteScalarAsync();
        });
        Assert.Equal("type \"earth\" does not exist", e.MessageText);
        await using (var back = new NpgsqlCommand("ROLLBACK TO SAVEPOINT bare", conn)) await back.ExecuteNonQueryAsync();

        var warmup = await PlannerWarmup.LoadAsync(conn, source, CancellationToken.None);
        Assert.True(warmup.IsNeeded);
        Assert.Equal("1990 public.places", await warmup.ReadAsync(conn, source, null, () => ScalarAsync(conn, PlacesRead), CancellationToken.None));
        Assert.Equal("pg_catalog", await ScalarAsync(conn, "SHOW search_path"));

        // A database without such an index sends nothing more.
        await using var other = new NpgsqlConnection(db.Target);
        await other.OpenAsync();
        Assert.False((await PlannerWarmup.LoadAsync(other, ServerEndpoint.Parse(ServerRole.Target, db.Target), CancellationToken.None)).IsNeeded);
    }

    /// <summary>
    /// A run's warm-up is read by its first planned read, on that read's session (a clone of whole tables plans none);
    /// a read of it that failed with its session is read again by the next planned read, which is then warmed.
    /// </summary>
    [Fact]
    public async Task A_deferred_warmup_is_read_by_the_first_planned_read_and_one_that_failed_is_read_again_by_the_next()
    {
        var db = await ArrangeAsync("ixdefer");
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source);
        var warmup = PlannerWarmup.Deferred();
        Assert.False(warmup.IsNeeded);

        await using (var broken = await ReadingSessionAsync(db))
        {
            await PgServers.ExecAsync(db.Source, $"SELECT pg_terminate_backend({broken.ProcessID})");
            await Assert.ThrowsAsync<PgCloneException>(() => warmup.ReadAsync(broken, source, null, () => ScalarAsync(broken, PlacesRead), CancellationToken.None));
        }
        Assert.False(warmup.IsNeeded);

        await using var conn = await ReadingSessionAsync(db);
        Assert.Equal("1990 public.places", await warmup.ReadAsync(conn, source, null, () => ScalarAsync(conn, PlacesRead), CancellationToken.None));
        Assert.True(warmup.IsNeeded);
        Assert.Equal("pg_catalog", await ScalarAsync(conn, "SHOW search_path"));
    }

    private const string PlacesRead = "SELECT count(*) || ' ' || min(kind::text) FROM public.places WHERE id > 10";

    private static async Task<string> ScalarAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_read_whose_index_expressions_the_server_dropped_after_the_warmup_is_warmed_again_and_started_once_more()
    {
        var db = await ArrangeAsync("ixrace");
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source);
        await using var conn = await ReadingSessionAsync(db);
        var warmup = await PlannerWarmup.LoadAsync(conn, source, CancellationToken.None);
        var starts = 0;

        var read = await warmup.ReadAsync(conn, source, "public.places", async () =>
        {
            if (++starts == 1)
            {
                // What an autovacuum does between the warm-up and the read: another session changes the index's
                // catalog row; this one takes that in when it next locks a table it had not locked, and drops the
                // index's cached expressions. The read is then planned under pg_catalog alone.
                await PgServers.ExecAsync(db.Source, "ALTER INDEX public.places_earth ALTER COLUMN 1 SET STATISTICS 50");
                await ScalarAsync(conn, "SELECT 'locked' FROM public.visits LIMIT 1");
            }
            return await ScalarAsync(conn, PlacesRead);
        }, CancellationToken.None);

        Assert.Equal(2, starts);
        Assert.Equal("1990 public.places", read);
        // The transaction goes on in its snapshot, its path unchanged, the savepoint released.
        Assert.Equal("pg_catalog 1990", await ScalarAsync(conn, "SELECT current_setting('search_path') || ' ' || count(*) FROM public.places WHERE id > 10"));
        var e = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(conn, "RELEASE SAVEPOINT pgclone_planned_read"));
        Assert.Equal("savepoint \"pgclone_planned_read\" does not exist", e.MessageText);
    }

    [Fact]
    public async Task A_filtered_clone_of_the_table_copies_exactly_the_filtered_rows()
    {
        var db = await ArrangeAsync("ixwhere");

        var result = await CloneAsync(Request(db, CloneOperation.Table, "places", """{"where": "id <= 100 AND email LIKE 'user%'"}"""));

        Assert.Equal(100, result.Tables.Single().Rows);
        Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, "SELECT count(*) || ':' || sum(id) FROM public.places WHERE id <= 100"),
                     await PgServers.ScalarAsync<string>(db.Target, "SELECT count(*) || ':' || sum(id) FROM public.places"));
    }

    [Fact]
    public async Task A_masked_database_clone_in_ranges_masks_every_row_keeps_reg_values_and_verifies()
    {
        var db = await ArrangeAsync("ixmask");

        var result = await CloneAsync(Request(db, CloneOperation.Database, null, """{"parallel": 2, "mask": {"public.places": {"email": "email"}}}"""),
            new CloneRunOptions { SplitTablesLargerThan = 10_000, SpreadTablesLargerThan = 10_000, MaxRangesPerTable = 4 });

        Assert.Equal([2000L, 500L], result.Tables.OrderBy(t => t.Table.Name).Select(t => t.Rows));
        Assert.Contains(result.Notes, n => n.StartsWith($"{CloneResult.ProofNote} 1 masked column in 1 table, 1000 sampled rows", StringComparison.Ordinal));
        Assert.Equal("2000", await PgServers.ScalarAsync<string>(db.Target, "SELECT count(*)::text FROM public.places WHERE email = 'u***@example.com'"));
        Assert.Equal("2000", await PgServers.ScalarAsync<string>(db.Target, "SELECT count(*)::text FROM public.places WHERE kind = 'public.places'::regclass"));
        await PgServers.ExecAsync(db.Source, "UPDATE public.places SET email = 'u***@example.com'");
        Assert.Equal(await PlacesChecksumAsync(db.Source), await PlacesChecksumAsync(db.Target));

        var verify = await new TableVerifier().VerifyAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target),
            new VerifyOptions { Schema = "public", Mode = VerifyMode.Checksum });
        Assert.Equal(["places ✓", "visits ✓"], verify.Tables.Select(t => $"{t.Table} {t.Match}"));
    }

    [Fact]
    public async Task Subsets_discovery_and_the_mask_preview_read_the_table()
    {
        var db = await ArrangeAsync("ixsubset");
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source);

        await CloneAsync(Request(db, CloneOperation.Database, null, """{"subset": {"root": "public.visits", "where": "id <= 10"}}"""));
        Assert.Equal("10 10", await PgServers.ScalarAsync<string>(db.Target, "SELECT (SELECT count(*) FROM public.visits) || ' ' || (SELECT count(*) FROM public.places)"));

        var found = await SensitiveDataScanner.ScanAsync(source, "public", CancellationToken.None);
        Assert.Contains(found, f => f.Table.Name == "places" && f.Column == "email");

        var preview = await MaskPreview.SampleAsync(source, new QualifiedName("public", "places"), JsonNode.Parse("""{"email": "email"}""")!.AsObject(),
            () => MaskSql.Secret, rows: 2, ct: CancellationToken.None);
        Assert.Equal([["1", "1", "1", "u***@example.com", "public.places"], ["2", "2", "2", "u***@example.com", "public.places"]], preview.Rows);
    }
}
