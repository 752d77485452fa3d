using System.Diagnostics;
using PgClone.Core;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Jobs;

public sealed class CancelAndResumeTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>A big table whose copy sleeps per row (slow), and small ones a second worker copies meanwhile.</summary>
    private static async Task<ClonePlan> SlowPlanAsync(TestDatabases db, int slowRows, double sleepPerRow)
    {
        await PgServers.ExecAsync(db.Source, $"""
            CREATE TABLE big(id int PRIMARY KEY, v text); INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, {slowRows}) g;
            CREATE TABLE s1(id int PRIMARY KEY, v text); INSERT INTO s1 SELECT g, 's1' FROM generate_series(1, 100) g;
            CREATE TABLE s2(id int PRIMARY KEY, v text); INSERT INTO s2 SELECT g, 's2' FROM generate_series(1, 200) g;
            """);
        var slow = new[] { $"\"id\" + length(pg_sleep({sleepPerRow.ToString(System.Globalization.CultureInfo.InvariantCulture)})::text)", "\"v\"" };
        return new ClonePlan
        {
            PreData = [Create("big", "id int, v text"), Create("s1", "id int, v text"), Create("s2", "id int, v text")],
            Tables = [Table("big", ["id", "v"], 1_000_000, expressions: slow), Table("s1", ["id", "v"], 100), Table("s2", ["id", "v"], 200)],
            Indexes = [.. new[] { "big", "s1", "s2" }.Select(t => new DdlStatement("index", $"\"public\".\"{t}_pkey\"", $"ALTER TABLE public.{t} ADD PRIMARY KEY (id)"))],
        };
    }

    /// <summary>
    /// The end of a COPY waits for the target to take in the rows already sent, out of the driver's reach: a target
    /// trigger waiting for a lock held that wait for good, and a cancelled run waited with it (a console run stayed
    /// "cancelling" until the lock was let go). The cancel must stop it at once, with none of its rows committed.
    /// </summary>
    [Fact]
    public async Task Cancel_stops_a_copy_whose_rows_wait_for_a_lock_on_the_target()
    {
        var db = await fx.Servers.CreateDatabasesAsync("cancelgate");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 50) g");
        await PgServers.ExecAsync(db.Target, """
            CREATE TABLE t(id int, v text);
            CREATE FUNCTION gate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock_shared(4711); RETURN NEW; END $$;
            CREATE TRIGGER gate BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION gate();
            """);
        await using var gate = new Npgsql.NpgsqlConnection(db.Target);
        await gate.OpenAsync();
        await using (var close = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(4711)", gate)) await close.ExecuteNonQueryAsync();
        var jobId = CloneRunOptions.NewJobId();
        var events = new List<JobProgress>();
        using var cts = new CancellationTokenSource();
        var run = new CloneEngine().RunAsync(Request(db), new CloneRunOptions
        {
            JobId = jobId, Planner = Fixed(new ClonePlan { Tables = [Table("t", ["id", "v"], 100) with { CreatedInRun = false }] }), OnProgress = events.Add,
        }, cts.Token);
        while (!(await PgServers.RowsAsync(db.Target, $"SELECT 1 FROM pg_stat_activity WHERE application_name LIKE '%{jobId}%' AND query LIKE 'COPY %' AND wait_event_type = 'Lock'")).Any())
            await Task.Delay(50);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal((JobStatus.Cancelled, "cancelled"), (events[^1].Status, events[^1].Error));
        Assert.Equal(0L, await SessionsLeftAsync(db.Target, jobId));
        await using (var open = new Npgsql.NpgsqlCommand("SELECT pg_advisory_unlock(4711)", gate)) await open.ExecuteNonQueryAsync();
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM t"));
    }

    [Fact]
    public async Task Cancel_mid_copy_stops_within_two_seconds_and_leaves_no_session_and_consistent_tables()
    {
        var db = await fx.Servers.CreateDatabasesAsync("cancel");
        var plan = await SlowPlanAsync(db, 100_000, 0.001);
        var jobId = CloneRunOptions.NewJobId();
        var events = new List<JobProgress>();
        var smallTablesIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var run = new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }),
            new CloneRunOptions { JobId = jobId, Planner = Fixed(plan), OnProgress = p => { events.Add(p); if (p.TablesCompleted >= 2) smallTablesIn.TrySetResult(); } }, cts.Token);
        while (!(await PgServers.RowsAsync(db.Source, $"SELECT 1 FROM pg_stat_activity WHERE application_name LIKE '%{jobId}%' AND query LIKE 'COPY (SELECT \"id\" + length(pg_sleep%'")).Any())
            await Task.Delay(50);
        // The other worker copies both small tables while the big one is read (about 100 s): cancel once they are in.
        await smallTablesIn.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var clock = Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed} to stop");
        Assert.Equal(0L, await SessionsLeftAsync(db.Source, jobId));
        Assert.Equal(0L, await SessionsLeftAsync(db.Target, jobId));
        Assert.Equal((JobStatus.Cancelled, "cancelled"), (events[^1].Status, events[^1].Error));
        // The cancelled table's load rolled back; the small tables copied meanwhile are complete.
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM big"));
        Assert.Equal(await ChecksumAsync(db.Source, "s1", "id"), await ChecksumAsync(db.Target, "s1", "id"));
        Assert.Equal(await ChecksumAsync(db.Source, "s2", "id"), await ChecksumAsync(db.Target, "s2", "id"));
        Assert.Equal(2, events[^1].TablesCompleted);
    }

    [Fact]
    public async Task Index_builds_report_their_progress_and_cancel_stops_them_within_two_seconds()
    {
        var db = await fx.Servers.CreateDatabasesAsync("idxcancel");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int); INSERT INTO t SELECT generate_series(1, 20000)");
        // An index on a deliberately slow immutable function: the build takes about a minute unless cancelled.
        var plan = new ClonePlan
        {
            PreData =
            [
                Create("t", "id int"),
                new DdlStatement("function", "\"public\".\"slow\"(int)", "CREATE FUNCTION public.slow(i int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.003); RETURN i; END$$"),
            ],
            Tables = [Table("t", ["id"])],
            Indexes = [new DdlStatement("index", "\"public\".\"t_slow\"", "CREATE INDEX t_slow ON public.t (public.slow(id))")],
        };
        var jobId = CloneRunOptions.NewJobId();
        var events = new List<JobProgress>();
        var sawBuild = new TaskCompletionSource<IndexBuildProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var run = new CloneEngine().RunAsync(Request(db), new CloneRunOptions
        {
            JobId = jobId,
            Planner = Fixed(plan),
            OnProgress = p => { events.Add(p); if (p.IndexBuilds.Count > 0) sawBuild.TrySetResult(p.IndexBuilds[0]); },
        }, cts.Token);

        var build = await sawBuild.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        clock.Stop();

        Assert.Equal("index \"public\".\"t_slow\"", build.Index);
        Assert.StartsWith("building index", build.Phase);
        Assert.Equal(JobPhase.Indexes, events.Last(e => e.IndexBuilds.Count > 0).Phase);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed} to stop");
        Assert.Equal(JobStatus.Cancelled, events[^1].Status);
        Assert.Equal(0L, await SessionsLeftAsync(db.Target, jobId));
        Assert.Equal(0L, await SessionsLeftAsync(db.Source, jobId));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 't_slow'"));
    }

    [Fact]
    public async Task A_killed_source_session_fails_the_job_clearly_and_resume_finishes_it_with_equal_checksums()
    {
        var db = await fx.Servers.CreateDatabasesAsync("resume");
        var plan = await SlowPlanAsync(db, 3000, 0.0005);
        var file = Path.Combine(Path.GetTempPath(), $"pgclone-ckpt-{Guid.NewGuid():N}.jsonl");
        var store = new JsonFileCheckpointStore(file);
        var jobId = CloneRunOptions.NewJobId();
        try
        {
            var run = new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }),
                new CloneRunOptions { JobId = jobId, Planner = Fixed(plan), Checkpoints = store });
            // Once both small tables are recorded as copied, kill the session still reading the big one.
            while ((await store.LoadAsync(jobId, default))?.Tables.Count is null or < 2 && !run.IsCompleted) await Task.Delay(50);
            long killed = 0;
            while (killed == 0 && !run.IsCompleted)
            {
                killed = await PgServers.ScalarAsync<long>(db.Source,
                    $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE '%{jobId}%' AND query LIKE 'COPY (SELECT \"id\" + length(pg_sleep%'");
                await Task.Delay(100);
            }
            var e = await Assert.ThrowsAsync<PgCloneException>(() => run);
            var port = new Npgsql.NpgsqlConnectionStringBuilder(db.Source).Port;
            Assert.Equal($"source 'src' (127.0.0.1:{port}): table \"public\".\"big\": terminating connection due to administrator command", e.Message);
            Assert.Equal(0L, await SessionsLeftAsync(db.Source, jobId));

            var failed = await store.LoadAsync(jobId, default);
            Assert.NotNull(failed);
            Assert.Equal(JobStatus.Failed, failed.Status);
            Assert.Equal(["\"public\".\"s1\"", "\"public\".\"s2\""], failed.Tables.Keys.Order());
            // The source changes between the two runs: the resumed job reads it under a new snapshot.
            await PgServers.ExecAsync(db.Source, "INSERT INTO big VALUES (3001, 'late')");

            // The checkpoint file keeps no password: the resume is given the connections again.
            var request = failed.Request.ToRequest();
            var result = await new CloneEngine().ResumeAsync(failed, new CloneRunOptions { Checkpoints = store }, default,
                Request(db).Source with { Name = request.Source.Name }, Request(db).Target with { Name = request.Target.Name });

            foreach (var t in new[] { "big", "s1", "s2" })
                Assert.Equal(await ChecksumAsync(db.Source, t, "id"), await ChecksumAsync(db.Target, t, "id"));
            Assert.Equal([3001L, 100, 200], result.Tables.Select(t => t.Rows));
            Assert.Equal([result.JobId, jobId, jobId], result.Tables.Select(t => t.CopiedByJob));
            Assert.Contains($"resumed: 2 tables were copied by an earlier job under a different snapshot: \"public\".\"s1\" (job {jobId}), \"public\".\"s2\" (job {jobId}); " +
                            "if the source changed between the jobs, they hold its earlier rows (pgclone verify compares them with the source now)", result.Notes);
            Assert.Single(result.Notes, n => n.StartsWith("source snapshot ", StringComparison.Ordinal) && n.EndsWith(": every table this job copied was read as of this one instant", StringComparison.Ordinal));
            Assert.Equal(3L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%_pkey'"));
            Assert.Equal(JobStatus.Completed, (await store.LatestAsync(default))!.Status);
        }
        finally { File.Delete(file); }
    }

    /// <summary>The run's locks, taken on the snapshot's session right after planning, are the first to find it gone.</summary>
    [Fact]
    public async Task Losing_the_snapshot_before_the_workers_import_it_fails_saying_so()
    {
        var db = await fx.Servers.CreateDatabasesAsync("lost");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int); INSERT INTO t VALUES (1)");
        var plan = new ClonePlan { PreData = [Create("t", "id int")], Tables = [Table("t", ["id"])] };
        PlanProvider killCoordinator = async (_, source, _, _, _) =>
        {
            await PgServers.ExecAsync(db.Source, $"SELECT pg_terminate_backend({source.ProcessID})");
            return plan;
        };

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(Request(db), new CloneRunOptions { Planner = killCoordinator }));

        var port = new Npgsql.NpgsqlConnectionStringBuilder(db.Source).Port;
        Assert.Matches($"^source 'src' \\(127.0.0.1:{port}\\): the run's snapshot [0-9A-F-]+ is gone because the session that exported it ended \\(terminating connection due to administrator command\\); rerun with \"consistent\": false, or resume the job$", e.Message);
    }
}
