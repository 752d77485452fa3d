using PgClone.Core;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Jobs;

public sealed class JobManagerTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private static readonly ClonePlan SlowPlan = new()
    {
        PreData = [Create("t", "id int, v text")],
        Tables = [Table("t", ["id", "v"], 1000, expressions: ["\"id\" + length(pg_sleep(0.001)::text)", "\"v\""])],
    };

    private async Task<TestDatabases> SourceWithRowsAsync(string prefix, int rows)
    {
        var db = await fx.Servers.CreateDatabasesAsync(prefix);
        await PgServers.ExecAsync(db.Source, $"CREATE TABLE t(id int, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, {rows}) g");
        return db;
    }

    [Fact]
    public async Task Two_jobs_run_at_once_against_the_same_source()
    {
        var db = await SourceWithRowsAsync("twojobs", 400);
        var otherTarget = db.Name + "_b";
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE DATABASE {otherTarget}");
        await using var manager = new JobManager(new JobManagerOptions { ConfigureRun = r => r with { Planner = Fixed(SlowPlan) } });
        var first = Request(db, new CloneOptions { Parallel = 2 });
        var second = first with { Target = first.Target.WithDatabase(otherTarget) };

        var a = manager.Start(first);
        var b = manager.Start(second);
        Assert.Equal([JobStatus.Running, JobStatus.Running], new[] { manager.Get(a)!.Status, manager.Get(b)!.Status });
        var results = await Task.WhenAll(manager.WaitAsync(a), manager.WaitAsync(b));

        Assert.All(results, r => Assert.Equal((JobStatus.Completed, 400L), (r.Status, r.Result!.Rows)));
        Assert.True(results[1].StartedAt < results[0].FinishedAt, "the jobs did not overlap");
        var checksum = await ChecksumAsync(db.Source, "t", "id");
        Assert.Equal(checksum, await ChecksumAsync(db.Target, "t", "id"));
        Assert.Equal(checksum, await ChecksumAsync(PgServers.WithDatabase(fx.Servers.TargetAdmin, otherTarget), "t", "id"));
    }

    [Fact]
    public async Task Jobs_beyond_the_cap_wait_and_run_in_submission_order()
    {
        var dbs = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => SourceWithRowsAsync($"queue{i}", 300)));
        await using var manager = new JobManager(new JobManagerOptions { MaxConcurrentJobs = 1, ConfigureRun = r => r with { Planner = Fixed(SlowPlan) } });

        var ids = dbs.Select(db => manager.Start(Request(db))).ToList();
        Assert.Equal([JobStatus.Running, JobStatus.Pending, JobStatus.Pending], ids.Select(id => manager.Get(id)!.Status));
        var infos = new List<JobInfo>();
        foreach (var id in ids) infos.Add(await manager.WaitAsync(id));

        Assert.All(infos, i => Assert.Equal(JobStatus.Completed, i.Status));
        Assert.Equal(ids, infos.OrderBy(i => i.StartedAt).Select(i => i.Id));
        for (var i = 1; i < infos.Count; i++) Assert.True(infos[i].StartedAt >= infos[i - 1].FinishedAt, $"job {i} started before job {i - 1} ended");
        Assert.Equal(ids, manager.List().Select(j => j.Id));
        Assert.Equal(3, manager.ClearFinished());
        Assert.Empty(manager.List());
    }

    [Fact]
    public async Task The_per_source_connection_cap_queues_a_job_that_would_exceed_it_and_cancel_removes_a_queued_one()
    {
        var dbs = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => SourceWithRowsAsync($"conncap{i}", 300)));
        // parallel 2 holds 3 source sessions: two such jobs do not fit under 5.
        await using var manager = new JobManager(new JobManagerOptions { MaxConcurrentJobs = 10, MaxConnectionsPerSource = 5, ConfigureRun = r => r with { Planner = Fixed(SlowPlan) } });
        var a = manager.Start(Request(dbs[0], new CloneOptions { Parallel = 2 }));
        var b = manager.Start(Request(dbs[1], new CloneOptions { Parallel = 2 }));
        var c = manager.Start(Request(dbs[2], new CloneOptions { Parallel = 2 }));
        Assert.Equal([JobStatus.Running, JobStatus.Pending, JobStatus.Pending], new[] { a, b, c }.Select(id => manager.Get(id)!.Status));

        Assert.True(manager.Cancel(c));
        Assert.Equal(JobStatus.Cancelled, (await manager.WaitAsync(c)).Status);
        var infoA = await manager.WaitAsync(a);
        var infoB = await manager.WaitAsync(b);

        Assert.Equal((JobStatus.Completed, JobStatus.Completed), (infoA.Status, infoB.Status));
        Assert.True(infoB.StartedAt >= infoA.FinishedAt);
        Assert.Null(manager.Get(c)!.StartedAt);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(dbs[2].Target, "SELECT count(*) FROM pg_class WHERE relname = 't'"));
    }

    [Fact]
    public async Task A_cancelled_running_job_resumes_as_a_new_job_that_completes_it()
    {
        var db = await SourceWithRowsAsync("mgrresume", 1500);
        await using var manager = new JobManager(new JobManagerOptions { ConfigureRun = r => r with { Planner = Fixed(SlowPlan) } });
        var id = manager.Start(Request(db));
        while (manager.Get(id)!.Progress.RowsCopied == 0) await Task.Delay(50);

        Assert.True(manager.Cancel(id));
        var cancelled = await manager.WaitAsync(id);
        Assert.Equal((JobStatus.Cancelled, "cancelled"), (cancelled.Status, cancelled.Progress.Error));
        Assert.Equal(0L, await SessionsLeftAsync(db.Source, id));

        var resumed = await manager.ResumeAsync(id);
        var done = await manager.WaitAsync(resumed);

        Assert.Equal((JobStatus.Completed, id, 1500L), (done.Status, done.ResumedFrom, done.Result!.Rows));
        Assert.Equal(await ChecksumAsync(db.Source, "t", "id"), await ChecksumAsync(db.Target, "t", "id"));
        Assert.False(manager.Cancel(resumed));
    }
}
