using Npgsql;
using PgClone.Core;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Jobs;

/// <summary>
/// A run holds ACCESS SHARE on every source table it reads, as pg_dump does, from its snapshot until its data is in:
/// DROP, TRUNCATE and a rewriting ALTER TABLE wait for it (a table dropped mid-run failed its COPY after the target
/// was half written; one truncated read as empty in the snapshot), and a lock it cannot get fails it before it writes.
/// </summary>
public sealed class SourceLocksTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>A slow table one worker copies first (about two seconds), then two small ones.</summary>
    private static async Task<ClonePlan> SlowFirstPlanAsync(TestDatabases db)
    {
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE slow(id int, v text); INSERT INTO slow SELECT g, 's' FROM generate_series(1, 4000) g;
            CREATE TABLE emptied(id int); INSERT INTO emptied SELECT generate_series(1, 1000);
            CREATE TABLE retyped(id int); INSERT INTO retyped SELECT generate_series(1, 700);
            """);
        return new ClonePlan
        {
            PreData = [Create("slow", "id int, v text"), Create("emptied", "id int"), Create("retyped", "id int")],
            Tables =
            [
                Table("slow", ["id", "v"], 2_000_000, expressions: ["\"id\" + length(pg_sleep(0.0005)::text)", "\"v\""]),
                Table("emptied", ["id"], 1000),
                Table("retyped", ["id"], 1000),
            ],
        };
    }

    private static string Port(TestDatabases db) => new NpgsqlConnectionStringBuilder(db.Source).Port.ToString();

    private static Task<long> TablesAsync(string cs) => PgServers.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");

    [Fact]
    public async Task Truncate_drop_rename_and_a_rewriting_alter_of_tables_not_yet_copied_wait_for_the_run_which_copies_every_row()
    {
        var db = await fx.Servers.CreateDatabasesAsync("held");
        var plan = await SlowFirstPlanAsync(db);
        var run = new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 1 }), new CloneRunOptions { Planner = Fixed(plan) });
        while (await PgServers.ScalarAsync<long>(db.Source,
                   "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%pg_sleep%' AND state = 'active' AND datname = current_database()") == 0)
            await Task.Delay(20);

        var refused = new List<string>();
        foreach (var ddl in new[] { "TRUNCATE emptied", "DROP TABLE emptied", "ALTER TABLE retyped RENAME TO gone", "ALTER TABLE retyped ALTER COLUMN id TYPE bigint" })
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => PgServers.ExecAsync(db.Source, $"SET lock_timeout = '100ms'; {ddl}"));
            refused.Add($"{ddl}: {e.SqlState}");
        }
        var copyingStill = !run.IsCompleted;
        var result = await run;

        Assert.Equal(["TRUNCATE emptied: 55P03", "DROP TABLE emptied: 55P03", "ALTER TABLE retyped RENAME TO gone: 55P03", "ALTER TABLE retyped ALTER COLUMN id TYPE bigint: 55P03"], refused);
        Assert.True(copyingStill, "the run ended before the last statement was refused: the test proved nothing");
        Assert.Equal([4000L, 1000, 700], result.Tables.Select(t => t.Rows));
        Assert.Equal((4000L, 1000L, 700L), (await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM slow"),
            await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM emptied"), await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM retyped")));
        // The run's locks went with its snapshot: the same statements go through now.
        await PgServers.ExecAsync(db.Source, "SET lock_timeout = '5s'; TRUNCATE emptied; ALTER TABLE retyped ALTER COLUMN id TYPE bigint");
    }

    /// <summary>
    /// TRUNCATE and a rewriting ALTER TABLE are not MVCC-safe: a table emptied or rewritten after the snapshot reads as
    /// empty in it. Between the snapshot and the run's locks (here, while it plans) they fail it before it writes.
    /// </summary>
    [Fact]
    public async Task Tables_truncated_or_rewritten_between_the_snapshot_and_the_locks_fail_the_run_before_it_writes_naming_them()
    {
        var db = await fx.Servers.CreateDatabasesAsync("rewritten");
        var plan = await SlowFirstPlanAsync(db);
        var request = Request(db, new CloneOptions { Parallel = 1 });
        PlanProvider changing = async (_, _, _, _, _) =>
        {
            await PgServers.ExecAsync(db.Source, "TRUNCATE emptied; ALTER TABLE retyped ALTER COLUMN id TYPE bigint");
            return plan;
        };

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request, new CloneRunOptions { Planner = changing }));

        Assert.Equal($"source 'src' (127.0.0.1:{Port(db)}): tables \"public\".\"emptied\", \"public\".\"retyped\": " +
            "they were emptied or rewritten on the source (by TRUNCATE, a table-rewriting ALTER TABLE, VACUUM FULL or CLUSTER) after the run's " +
            "snapshot was taken, so their rows as of that snapshot can no longer be read: the clone wrote nothing; run it again", e.Message);
        Assert.Equal(0L, await TablesAsync(db.Target));
    }

    [Fact]
    public async Task Tables_dropped_or_renamed_between_the_snapshot_and_the_locks_fail_the_run_before_it_writes_naming_them()
    {
        var db = await fx.Servers.CreateDatabasesAsync("dropped");
        var plan = await SlowFirstPlanAsync(db);
        PlanProvider changing = async (_, _, _, _, _) =>
        {
            await PgServers.ExecAsync(db.Source, "DROP TABLE emptied; ALTER TABLE retyped RENAME TO renamed");
            return plan;
        };

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(Request(db), new CloneRunOptions { Planner = changing }));

        Assert.Equal($"source 'src' (127.0.0.1:{Port(db)}): tables \"public\".\"emptied\", \"public\".\"retyped\": " +
            "they were dropped or renamed on the source after the run began; the clone wrote nothing; run it again", e.Message);
        Assert.Equal(0L, await TablesAsync(db.Target));
    }

    /// <summary>
    /// An ACCESS EXCLUSIVE lock another session holds (an ALTER TABLE waiting on a long transaction holds its place in
    /// the queue alike) fails the run after lock_wait_timeout, naming the table, with nothing written: whether the
    /// planner's reads meet it (a schema clone reads each table's size, which locks it) or the run's own LOCK does.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_lock_another_session_holds_fails_the_run_after_lock_wait_timeout_naming_the_table_and_writing_nothing(bool planned)
    {
        var db = await fx.Servers.CreateDatabasesAsync("blocked");
        await PgServers.ExecAsync(db.Source, """"
            CREATE SCHEMA s; CREATE TABLE s.a(id int PRIMARY KEY); INSERT INTO s.a SELECT generate_series(1, 100);
            CREATE TABLE s."b ""x"(id int); INSERT INTO s."b ""x" VALUES (1);
            """");
        var handPlan = new ClonePlan
        {
            PreData =
            [
                new DdlStatement("schema", "\"s\"", "CREATE SCHEMA s"), new DdlStatement("table", "\"s\".\"a\"", "CREATE TABLE s.a(id int)"),
                new DdlStatement("table", "\"s\".\"b \"\"x\"", "CREATE TABLE s.\"b \"\"x\"(id int)"),
            ],
            Tables = [new TableData(new("s", "a"), new("s", "a"), ["id"], ["\"id\""], null, 8192, 100), new TableData(new("s", "b \"x"), new("s", "b \"x"), ["id"], ["\"id\""], null, 8192, 1)],
        };
        await using var holder = new NpgsqlConnection(db.Source);
        await holder.OpenAsync();
        await using (var hold = new NpgsqlCommand("BEGIN; LOCK TABLE s.\"b \"\"x\" IN ACCESS EXCLUSIVE MODE", holder)) await hold.ExecuteNonQueryAsync();
        var request = CloneKit.Request(db, CloneOperation.Schema, "s", options: new CloneOptions { LockWaitTimeout = 1 });
        var runOptions = planned ? new CloneRunOptions() : new CloneRunOptions { Planner = Fixed(handPlan) };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request, runOptions));
        clock.Stop();

        Assert.Equal($"{request.Source.Describe()}: table \"s\".\"b \"\"x\": another session holds a lock on it that blocks reading it " +
            "(waited 1 s for ACCESS SHARE); the clone wrote nothing: run it again once that session ends, or raise \"lock_wait_timeout\"", e.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1, 10);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));
        await using (var end = new NpgsqlCommand("ROLLBACK", holder)) await end.ExecuteNonQueryAsync();
        // Once the lock is gone, the same run goes through.
        var result = await new CloneEngine().RunAsync(request, runOptions);
        Assert.Equal([100L, 1], result.Tables.Select(t => t.Rows));
    }

    /// <summary>
    /// A resume takes its own snapshot, and locks under it the tables it has still to copy: not those an earlier job
    /// copied, which it does not read.
    /// </summary>
    [Fact]
    public async Task A_resume_locks_the_tables_it_has_left_to_copy_and_not_those_copied_before()
    {
        var db = await fx.Servers.CreateDatabasesAsync("resumelock");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE a(id int); INSERT INTO a SELECT generate_series(1, 10);
            CREATE TABLE b(id int); INSERT INTO b SELECT generate_series(1, 20);
            CREATE TABLE flag(id int);
            """);
        // b's copy divides by the rows of flag: none the first time, so the job fails once a is in.
        var plan = new ClonePlan
        {
            PreData = [Create("a", "id int"), Create("b", "id int")],
            Tables = [Table("a", ["id"], 2_000_000), Table("b", ["id"], 1000, expressions: ["\"id\" / (SELECT count(*)::int FROM public.flag)"])],
        };
        var store = new InMemoryCheckpointStore();
        var jobId = CloneRunOptions.NewJobId();
        var request = Request(db, new CloneOptions { Parallel = 1, LockWaitTimeout = 1 });
        await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request, new CloneRunOptions { JobId = jobId, Planner = Fixed(plan), Checkpoints = store }));
        var failed = (await store.LoadAsync(jobId, default))!;
        Assert.Equal(["\"public\".\"a\""], failed.Tables.Keys);
        await PgServers.ExecAsync(db.Source, "INSERT INTO flag VALUES (1)");

        await using var holder = new NpgsqlConnection(db.Source);
        await holder.OpenAsync();
        await using (var hold = new NpgsqlCommand("BEGIN; LOCK TABLE a, b IN ACCESS EXCLUSIVE MODE", holder)) await hold.ExecuteNonQueryAsync();
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().ResumeAsync(failed, new CloneRunOptions { Checkpoints = store }, default, request.Source, request.Target));
        await using (var end = new NpgsqlCommand("ROLLBACK", holder)) await end.ExecuteNonQueryAsync();
        var result = await new CloneEngine().ResumeAsync(failed, new CloneRunOptions { Checkpoints = store }, default, request.Source, request.Target);

        Assert.Equal($"source 'src' (127.0.0.1:{Port(db)}): table \"public\".\"b\": another session holds a lock on it that blocks reading it " +
            "(waited 1 s for ACCESS SHARE); the clone wrote nothing: run it again once that session ends, or raise \"lock_wait_timeout\"", e.Message);
        Assert.Equal([10L, 20], result.Tables.Select(t => t.Rows));
        Assert.Equal(20L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM b"));
    }
}
