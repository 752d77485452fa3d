using PgClone.Core;
using PgClone.Core.Jobs;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

/// <summary>The load's sessions, started while the run plans (TargetPool.Warm, SourceSnapshot.Warm).</summary>
public sealed class WarmSessionsTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Workers_that_copy_nothing_close_their_source_sessions_once_the_last_copy_is_handed_out()
    {
        var db = await fx.Servers.CreateDatabasesAsync("warm");
        // One table for four workers; its index builds slowly (a second per row), so the run is seen mid-build.
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA d;
            CREATE FUNCTION d.slow(v int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$BEGIN PERFORM pg_sleep(1); RETURN v; END$$;
            CREATE TABLE d.t (id int PRIMARY KEY);
            INSERT INTO d.t VALUES (1), (2), (3);
            CREATE INDEX t_slow ON d.t (d.slow(id));
            """);
        var jobId = CloneRunOptions.NewJobId();
        var run = new CloneEngine().RunAsync(CloneKit.Request(db, CloneOperation.Schema, "d", options: new CloneOptions { Parallel = 4 }),
            new CloneRunOptions { JobId = jobId });
        // The target builds the slow index, so the only copy ended long ago or is under way: no other worker will copy.
        while (!(await PgServers.RowsAsync(db.Target, $"SELECT 1 FROM pg_stat_activity WHERE application_name LIKE '%{jobId}%' AND query LIKE 'CREATE INDEX \"t_slow\"%'")).Any())
        {
            Assert.False(run.IsCompleted, "the run ended before its slow index was seen");
            await Task.Delay(50);
        }

        // The coordinator holds the snapshot; of the four workers' source sessions, started while the run planned,
        // at most the copying one is left.
        var sources = await PgServers.RowsAsync(db.Source,
            $"SELECT application_name FROM pg_stat_activity WHERE application_name LIKE '%{jobId}%-source' ORDER BY 1");
        Assert.True(sources.Count <= 1, string.Join(", ", sources.Select(r => r[0])));

        var result = await run;
        Assert.Equal(3, result.Tables.Single().Rows);
        Assert.Equal(await CloneKit.ChecksumsAsync(db.Source, "d"), await CloneKit.ChecksumsAsync(db.Target, "d"));
        Assert.Equal(0L, await HandPlans.SessionsLeftAsync(db.Source, jobId));
        Assert.Equal(0L, await HandPlans.SessionsLeftAsync(db.Target, jobId));
    }
}
