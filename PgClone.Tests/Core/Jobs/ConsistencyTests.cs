using PgClone.Core;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Jobs;

public sealed class ConsistencyTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Every_child_has_its_parent_on_the_target_while_a_writer_inserts_both_during_a_parallel_clone()
    {
        var db = await fx.Servers.CreateDatabasesAsync("consist");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE parent(id int PRIMARY KEY, v text);
            CREATE TABLE child(id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, v text);
            INSERT INTO parent SELECT g, 'p' FROM generate_series(1, 2000) g;
            INSERT INTO child SELECT g, g, 'c' FROM generate_series(1, 2000) g;
            """);
        // The parent is copied slowly first; the child later. Without one snapshot, children written in between
        // would arrive without their parents and the foreign key below would fail.
        var plan = new ClonePlan
        {
            PreData = [Create("parent", "id int, v text"), Create("child", "id int, parent_id int, v text")],
            Tables =
            [
                Table("parent", ["id", "v"], 2_000_000, expressions: ["\"id\" + length(pg_sleep(0.0005)::text)", "\"v\""]),
                Table("child", ["id", "parent_id", "v"], 1000, expressions: ["\"id\" + length(pg_sleep(0.001)::text)", "\"parent_id\"", "\"v\""]),
            ],
            Indexes =
            [
                new DdlStatement("index", "\"public\".\"parent_pkey\"", "ALTER TABLE public.parent ADD PRIMARY KEY (id)"),
                new DdlStatement("index", "\"public\".\"child_pkey\"", "ALTER TABLE public.child ADD PRIMARY KEY (id)"),
            ],
            Constraints = [new DdlStatement("constraint", "\"public\".\"child_parent_fkey\"", "ALTER TABLE public.child ADD FOREIGN KEY (parent_id) REFERENCES public.parent")],
        };
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            await using var conn = new Npgsql.NpgsqlConnection(db.Source);
            await conn.OpenAsync();
            for (var i = 100_001; !stop.IsCancellationRequested; i++)
            {
                await using var cmd = new Npgsql.NpgsqlCommand($"BEGIN; INSERT INTO parent VALUES ({i}, 'new'); INSERT INTO child VALUES ({i}, {i}, 'new'); COMMIT", conn);
                await cmd.ExecuteNonQueryAsync();
                written++;
                await Task.Delay(5);
            }
        });

        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }), new CloneRunOptions { Planner = Fixed(plan) });
        await stop.CancelAsync();
        await writer;

        Assert.True(written > 10, $"the writer only wrote {written} pairs during the clone");
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM child c WHERE NOT EXISTS (SELECT 1 FROM parent p WHERE p.id = c.parent_id)"));
        var parents = await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM parent");
        Assert.Equal(parents, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM child"));
        Assert.Equal([parents, parents], result.Tables.Select(t => t.Rows));
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"));
    }

    [Fact]
    public async Task Large_tables_split_into_block_or_key_ranges_arrive_with_the_exact_checksum()
    {
        var db = await fx.Servers.CreateDatabasesAsync("split");
        // other_am is heap under another name: an access method that is not heap, whose ranges go by the key.
        await PgServers.ExecAsync(db.Source, """
            CREATE ACCESS METHOD other_am TYPE TABLE HANDLER heap_tableam_handler;
            CREATE TABLE keyed(id bigint PRIMARY KEY, v text); INSERT INTO keyed SELECT g * 3 - 1000, md5(g::text) FROM generate_series(1, 20000) g;
            CREATE TABLE heap(a int, v text); INSERT INTO heap SELECT g % 100, repeat(md5(g::text), 3) FROM generate_series(1, 20000) g;
            DELETE FROM heap WHERE a = 7;
            CREATE TABLE keyed_am(id bigint PRIMARY KEY, v text) USING other_am; INSERT INTO keyed_am SELECT g * 3 - 1000, md5(g::text) FROM generate_series(1, 20000) g;
            UPDATE keyed SET v = 'moved' WHERE id % 10 = 0;
            """);
        var plan = new ClonePlan
        {
            PreData = [Create("keyed", "id bigint, v text"), Create("heap", "a int, v text"), Create("keyed_am", "id bigint, v text")],
            Tables =
            [
                Table("keyed", ["id", "v"], 5_000_000, key: "id"), Table("heap", ["a", "v"], 5_000_000),
                Table("keyed_am", ["id", "v"], 5_000_000, key: "id"),
            ],
        };
        var jobId = CloneRunOptions.NewJobId();
        var run = new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 4 }), new CloneRunOptions
        {
            JobId = jobId,
            Planner = Fixed(plan),
            SplitTablesLargerThan = 100_000,
            MaxRangesPerTable = 8,
        });
        var sessions = await MaxSessionsWhileAsync(db, jobId, run);
        var result = await run;

        Assert.InRange(sessions, 2, 2 * 4 + 1);

        Assert.Equal([20000L, 19800, 20000], result.Tables.Select(t => t.Rows));
        Assert.Equal(await ChecksumAsync(db.Source, "keyed", "id"), await ChecksumAsync(db.Target, "keyed", "id"));
        Assert.Equal(await ChecksumAsync(db.Source, "heap", "a, v"), await ChecksumAsync(db.Target, "heap", "a, v"));
        Assert.Equal(await ChecksumAsync(db.Source, "keyed_am", "id"), await ChecksumAsync(db.Target, "keyed_am", "id"));
        // Eight ranges: eight COPY streams, each with its own 19-byte header and 2-byte trailer.
        Assert.Equal(await BinaryBytesAsync(db.Source, "keyed") + 7 * 21, result.Tables[0].Bytes);
        Assert.Equal(await BinaryBytesAsync(db.Source, "heap") + 7 * 21, result.Tables[1].Bytes);
        Assert.Equal(await BinaryBytesAsync(db.Source, "keyed_am") + 7 * 21, result.Tables[2].Bytes);
        // A heap table's ranges are block ranges, read without its key's index; the other access method's go by the
        // key, through it. Sessions report their counts as they end: wait for them, then for the second index's.
        Assert.Equal(0, await SessionsLeftAsync(db.Source, jobId));
        Assert.InRange(await IndexScansAsync(db.Source, "keyed_am_pkey", atLeast: 8), 8, 100);
        Assert.Equal(0L, await IndexScansAsync(db.Source, "keyed_pkey", atLeast: 0));
    }

    /// <summary>The scans of an index counted so far, once at least <paramref name="atLeast"/> (10 s at most).</summary>
    private static async Task<long> IndexScansAsync(string cs, string index, long atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var scans = await PgServers.ScalarAsync<long>(cs, $"SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = '{index}'");
            if (scans >= atLeast || DateTime.UtcNow > deadline) return scans;
            await Task.Delay(100);
        }
    }

    /// <summary>Bytes of the whole table in one binary COPY stream.</summary>
    private static async Task<long> BinaryBytesAsync(string cs, string table)
    {
        await using var conn = new Npgsql.NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var reader = await conn.BeginRawBinaryCopyAsync($"COPY {table} TO STDOUT (FORMAT binary)");
        using var ms = new MemoryStream();
        await reader.CopyToAsync(ms);
        return ms.Length;
    }
}
