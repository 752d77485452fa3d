using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Faults;

/// <summary>
/// A server stops as a crash would (pg_ctl stop -m immediate) right after the engine recorded a step, in every
/// phase; after a restart, resume must end with a clone equal to the source.
/// </summary>
public sealed class ServerCrashTests(CrashableServers servers) : IClassFixture<CrashableServers>
{
    /// <summary>Passes every record on to a file store; after the n-th "done" record, crashes the target first.</summary>
    private sealed class CrashAfter(ICheckpointStore inner, int n, Func<Task> crash) : ICheckpointStore
    {
        private int _done;
        public bool Crashed { get; private set; }

        private async Task DoneAsync()
        {
            if (Interlocked.Increment(ref _done) != n) return;
            Crashed = true;
            await crash();
        }

        public Task BeginAsync(JobCheckpoint job, CancellationToken ct) => inner.BeginAsync(job, ct);
        public Task SavePlanAsync(string jobId, ClonePlan plan, CancellationToken ct) => inner.SavePlanAsync(jobId, plan, ct);
        public async Task TableCopiedAsync(string jobId, TableCheckpoint table, CancellationToken ct) { await inner.TableCopiedAsync(jobId, table, ct); await DoneAsync(); }
        public async Task StepDoneAsync(string jobId, string step, CancellationToken ct) { await inner.StepDoneAsync(jobId, step, ct); await DoneAsync(); }
        public Task StepPendingAsync(string jobId, PendingStep step, CancellationToken ct) => inner.StepPendingAsync(jobId, step, ct);
        public Task FinishAsync(string jobId, JobStatus status, string? error, CancellationToken ct) => inner.FinishAsync(jobId, status, error, ct);
        public Task<JobCheckpoint?> LoadAsync(string jobId, CancellationToken ct) => inner.LoadAsync(jobId, ct);
        public Task<JobCheckpoint?> LatestAsync(CancellationToken ct) => inner.LatestAsync(ct);
    }

    private static CloneRequest Request(TestDatabases db) => new(CloneOperation.Schema,
        ServerEndpoint.Parse(ServerRole.Source, db.Source, "src"), ServerEndpoint.Parse(ServerRole.Target, db.Target, "tgt"),
        Schema: "public", Options: new CloneOptions { Parallel = 2 });

    [Fact]
    public async Task Seven_target_crashes_in_a_row_at_every_phase_then_resume_lose_nothing()
    {
        var crashesAt = new List<int>();
        for (var run = 0; run < 7; run++)
        {
            // 1 PreData transaction, 8 tables, 12 indexes and keys, 3 foreign keys and post-data steps: crash
            // after the 1st, 4th, ... 19th of them, so the pre-data, table and index phases are each hit more than once.
            var n = 1 + 3 * run;
            var db = await servers.CreateDatabasesAsync("crash");
            await PgServers.ExecAsync(db.Source, FaultData.Schema);
            var file = Path.Combine(Path.GetTempPath(), $"pgclone-crash-{Guid.NewGuid():N}.ckpt");
            try
            {
                var store = new CrashAfter(new JsonFileCheckpointStore(file), n, () => CrashableServers.CrashAsync(servers.Target));
                var first = await Record.ExceptionAsync(() => new CloneEngine().RunAsync(Request(db), new CloneRunOptions { Checkpoints = store }));
                if (!store.Crashed)
                {
                    Assert.Null(first);
                    continue;
                }
                crashesAt.Add(n);
                Assert.IsType<PgCloneException>(first);
                Assert.DoesNotContain("Exception while reading from stream", first.Message, StringComparison.Ordinal);
                await CrashableServers.RestartAsync(servers.Target);

                var files = new JsonFileCheckpointStore(file);
                var failed = (await files.LatestAsync(CancellationToken.None))!;
                Assert.Equal(JobStatus.Failed, failed.Status);
                var request = Request(db);
                await new CloneEngine().ResumeAsync(failed, new CloneRunOptions { Checkpoints = files }, default, request.Source, request.Target);

                Assert.Equal([], await FaultData.DifferencesAsync(db));
            }
            finally
            {
                if (!servers.Target.IsRunning) await CrashableServers.RestartAsync(servers.Target);
                File.Delete(file);
            }
        }
        // Every try must have crashed somewhere: the schema has more steps than the last crash point.
        Assert.Equal(7, crashesAt.Count);
    }

    [Fact]
    public async Task A_source_restart_during_the_data_copy_fails_the_run_naming_the_source_and_resume_completes()
    {
        var db = await servers.CreateDatabasesAsync("srcrestart");
        await PgServers.ExecAsync(db.Source, FaultData.Schema);
        var file = Path.Combine(Path.GetTempPath(), $"pgclone-crash-{Guid.NewGuid():N}.ckpt");
        try
        {
            // After the first table is in (parallel 2: the other worker is mid-copy), the source restarts. (A fast
            // restart: after an immediate one the source's own sequences jump ahead by up to 32 values.)
            var store = new CrashAfter(new JsonFileCheckpointStore(file), 2, async () =>
            {
                await servers.Source.StopAsync();
                await CrashableServers.RestartAsync(servers.Source);
            });
            var request = Request(db);
            var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request, new CloneRunOptions { Checkpoints = store }));
            Assert.True(store.Crashed);
            Assert.StartsWith(request.Source.Describe() + ":", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception while reading from stream", e.Message, StringComparison.Ordinal);

            var files = new JsonFileCheckpointStore(file);
            var failed = (await files.LatestAsync(CancellationToken.None))!;
            Assert.NotEmpty(failed.Tables);
            await new CloneEngine().ResumeAsync(failed, new CloneRunOptions { Checkpoints = files }, default, request.Source, request.Target);
            Assert.Equal([], await FaultData.DifferencesAsync(db));
        }
        finally
        {
            if (!servers.Source.IsRunning) await CrashableServers.RestartAsync(servers.Source);
            File.Delete(file);
        }
    }
}
