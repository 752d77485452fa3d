using PgClone.Core;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Jobs;

public sealed class ExecutorTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string WideDdl = "id int PRIMARY KEY, n int, tags text[], body text, blob bytea, at timestamptz";

    [Fact]
    public async Task Rows_and_bytes_are_counted_exactly_on_nulls_arrays_and_wide_rows_and_the_data_arrives_frozen()
    {
        var db = await fx.Servers.CreateDatabasesAsync("count");
        await PgServers.ExecAsync(db.Source, $"""
            CREATE TABLE wide({WideDdl});
            INSERT INTO wide SELECT i, CASE WHEN i % 4 = 0 THEN NULL ELSE i END,
                CASE WHEN i % 3 = 0 THEN NULL ELSE ARRAY['a' || i, NULL, 'ü'] END,
                CASE WHEN i % 50 = 0 THEN repeat(md5(i::text), 4000) ELSE 'row ' || i END,
                CASE WHEN i % 7 = 0 THEN NULL ELSE decode(md5(i::text), 'hex') END, '2024-01-01'::timestamptz + i * interval '1 minute'
            FROM generate_series(1, 2000) i;
            """);
        var expectedBytes = await BinaryLengthAsync(db.Source, "COPY (SELECT \"id\", \"n\", \"tags\", \"body\", \"blob\", \"at\" FROM \"public\".\"wide\") TO STDOUT (FORMAT binary)");
        var plan = new ClonePlan
        {
            PreData = [Create("wide", WideDdl)],
            Tables = [Table("wide", ["id", "n", "tags", "body", "blob", "at"])],
        };

        var result = await new CloneEngine().RunAsync(Request(db), new CloneRunOptions { Planner = Fixed(plan), FreezeTablesLargerThan = 0 });

        var table = Assert.Single(result.Tables);
        Assert.Equal(2000, table.Rows);
        Assert.Equal(expectedBytes, table.Bytes);
        Assert.Equal(await ChecksumAsync(db.Source, "wide", "id"), await ChecksumAsync(db.Target, "wide", "id"));
        // COPY FREEZE: every page is already marked all-frozen on the target.
        await PgServers.ExecAsync(db.Target, "CREATE EXTENSION pg_visibility");
        Assert.True(await PgServers.ScalarAsync<bool>(db.Target, "SELECT bool_and(all_frozen) FROM pg_visibility_map('wide')"));
    }

    [Fact]
    public async Task Without_consistency_each_table_is_read_on_its_own_and_the_result_says_so()
    {
        var db = await fx.Servers.CreateDatabasesAsync("noconsist");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE a(id int); INSERT INTO a SELECT generate_series(1, 10)");
        var plan = new ClonePlan { PreData = [Create("a", "id int")], Tables = [Table("a", ["id"])] };

        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Consistent = false, Parallel = 3 }), new CloneRunOptions { Planner = Fixed(plan) });

        Assert.Equal(10, result.Rows);
        Assert.Equal(["consistent=false: each table was read in its own snapshot, not as of one instant"], result.Notes);
    }

    [Fact]
    public async Task Progress_is_monotonic_throttled_and_ends_at_the_exact_final_counts()
    {
        var db = await fx.Servers.CreateDatabasesAsync("progress");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE a(id int, v text); INSERT INTO a SELECT g, repeat('a', 100) FROM generate_series(1, 3000) g;
            CREATE TABLE b(id int, v text); INSERT INTO b SELECT g, repeat('b', 100) FROM generate_series(1, 1500) g;
            """);
        // A sleep per row keeps the copy running across several progress ticks.
        var slow = new[] { "\"id\" + length(pg_sleep(0.0005)::text)", "\"v\"" };
        var plan = new ClonePlan
        {
            PreData = [Create("a", "id int, v text"), Create("b", "id int, v text")],
            Tables = [Table("a", ["id", "v"], 2000, expressions: slow), Table("b", ["id", "v"], 1000, expressions: slow)],
        };
        var events = new List<JobProgress>();

        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }),
            new CloneRunOptions { Planner = Fixed(plan), OnProgress = events.Add });

        Assert.True(events.Count >= 3, $"only {events.Count} progress events");
        for (var i = 1; i < events.Count; i++)
        {
            Assert.True(events[i].RowsCopied >= events[i - 1].RowsCopied);
            Assert.True(events[i].BytesCopied >= events[i - 1].BytesCopied);
            Assert.True(events[i].TablesCompleted >= events[i - 1].TablesCompleted);
            Assert.True(events[i].Elapsed >= events[i - 1].Elapsed);
        }
        Assert.True(events.Count <= result.Elapsed.TotalSeconds * 5 + 3, $"{events.Count} events in {result.Elapsed}");
        Assert.Contains(events, e => e.Phase == JobPhase.CopyingData && e.RowsCopied > 0 && e.RowsCopied < 4500);
        var last = events[^1];
        Assert.Equal((JobStatus.Completed, 2, 2, 0, 4500L, result.Bytes), (last.Status, last.TablesTotal, last.TablesCompleted, last.TablesFailed, last.RowsCopied, last.BytesCopied));
        Assert.All(last.Workers, w => Assert.Null(w.Table));
        Assert.Equal(1, events.Count(e => e.IsFinished));
    }

    [Fact]
    public async Task A_failed_index_fails_the_run_with_its_name_and_the_servers_words()
    {
        var db = await fx.Servers.CreateDatabasesAsync("failidx");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE d(id int); INSERT INTO d VALUES (1), (1)");
        var plan = new ClonePlan
        {
            PreData = [Create("d", "id int")],
            Tables = [Table("d", ["id"])],
            Indexes = [new DdlStatement("index", "\"public\".\"d_pkey\"", "ALTER TABLE public.d ADD CONSTRAINT d_pkey PRIMARY KEY (id)")],
        };
        var events = new List<JobProgress>();

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(Request(db),
            new CloneRunOptions { Planner = Fixed(plan), OnProgress = events.Add }));

        var port = new Npgsql.NpgsqlConnectionStringBuilder(db.Target).Port;
        Assert.Equal($"target 'tgt' (127.0.0.1:{port}): index \"public\".\"d_pkey\": could not create unique index \"d_pkey\"", e.Message);
        Assert.Equal((JobStatus.Failed, e.Message), (events[^1].Status, events[^1].Error));
    }

    [Fact]
    public async Task A_row_the_target_rejects_mid_stream_fails_the_run_naming_the_target_table_and_leaves_no_session()
    {
        var db = await fx.Servers.CreateDatabasesAsync("failcopy");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE c(id int); INSERT INTO c SELECT generate_series(1, 200000)");
        var plan = new ClonePlan { PreData = [Create("c", "id int CHECK (id < 150000)")], Tables = [Table("c", ["id"])] };
        var jobId = CloneRunOptions.NewJobId();

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(Request(db), new CloneRunOptions { JobId = jobId, Planner = Fixed(plan) }));

        var port = new Npgsql.NpgsqlConnectionStringBuilder(db.Target).Port;
        Assert.Equal($"target 'tgt' (127.0.0.1:{port}): table \"public\".\"c\": new row for relation \"c\" violates check constraint \"c_id_check\"", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM c"));
        Assert.Equal(0L, await SessionsLeftAsync(db.Source, jobId));
        Assert.Equal(0L, await SessionsLeftAsync(db.Target, jobId));
    }

    [Fact]
    public async Task A_failing_schema_statement_sent_in_a_batch_is_named_and_its_transaction_leaves_nothing_behind()
    {
        var db = await fx.Servers.CreateDatabasesAsync("failpre");
        var plan = new ClonePlan { PreData = [Create("ok1", "id int"), Create("bad", "id no_such_type"), Create("ok2", "id int")] };

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(Request(db), new CloneRunOptions { Planner = Fixed(plan) }));

        var port = new Npgsql.NpgsqlConnectionStringBuilder(db.Target).Port;
        Assert.Equal($"target 'tgt' (127.0.0.1:{port}): table \"public\".\"bad\": type \"no_such_type\" does not exist", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname IN ('ok1', 'ok2')"));
    }

    [Fact]
    public async Task Wrong_password_and_unreachable_servers_fail_naming_the_server()
    {
        var db = await fx.Servers.CreateDatabasesAsync("auth");
        var port = new Npgsql.NpgsqlConnectionStringBuilder(db.Source).Port;
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(Request(db, password: "wrong"),
            new CloneRunOptions { Planner = Fixed(new ClonePlan()) }));
        Assert.Equal($"source 'src' (127.0.0.1:{port}): wrong password for user 'postgres'", e.Message);

        var request = Request(db) with { Source = PgClone.Core.Connections.ServerEndpoint.Parse(PgClone.Core.Connections.ServerRole.Source, "host=127.0.0.1 port=1 user=postgres", "down") };
        e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request, new CloneRunOptions { Planner = Fixed(new ClonePlan()) }));
        Assert.Equal("source 'down' (127.0.0.1:1): connection refused: nothing listens on 127.0.0.1:1", e.Message);
    }

    [Fact]
    public async Task A_failing_source_is_reported_at_once_while_the_target_never_answers()
    {
        // The target's session starts beside the source's: a target that accepts the connection and never answers
        // (a stalled host) must not hold back the source's error until the target's timeout.
        var db = await fx.Servers.CreateDatabasesAsync("authstall");
        var port = new Npgsql.NpgsqlConnectionStringBuilder(db.Source).Port;
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var silentPort = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var request = Request(db, password: "wrong") with
        {
            Target = PgClone.Core.Connections.ServerEndpoint.Parse(PgClone.Core.Connections.ServerRole.Target,
                $"host=127.0.0.1 port={silentPort} user=postgres password=x connect_timeout=60", "stalled"),
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request, new CloneRunOptions { Planner = Fixed(new ClonePlan()) }));
        Assert.Equal($"source 'src' (127.0.0.1:{port}): wrong password for user 'postgres'", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the source's error waited {clock.Elapsed} for the target's 60 s timeout");
    }

    private static async Task<long> BinaryLengthAsync(string cs, string copy)
    {
        await using var conn = new Npgsql.NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var reader = await conn.BeginRawBinaryCopyAsync(copy);
        using var ms = new MemoryStream();
        await reader.CopyToAsync(ms);
        return ms.Length;
    }
}
