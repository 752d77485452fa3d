using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Faults;

/// <summary>
/// Resume after DDL that took effect but was never recorded (no pending record either, as with a checkpoint
/// written before one existed): the same definition is recognised and skipped, another one is refused by name.
/// </summary>
public sealed class IdempotentResumeTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private static readonly string[] StepKinds = ["index:", "constraint:", "post-data:"];

    /// <summary>Clones the fault schema, then returns its checkpoint as if the job had failed before any index, constraint or post-data step was recorded.</summary>
    private async Task<(TestDatabases Db, CloneRequest Request, InMemoryCheckpointStore Store, JobCheckpoint Failed)> CloneThenForgetDdlAsync()
    {
        var db = await fx.Servers.CreateDatabasesAsync("idem");
        await PgServers.ExecAsync(db.Source, FaultData.Schema);
        var request = new CloneRequest(CloneOperation.Schema,
            ServerEndpoint.Parse(ServerRole.Source, db.Source, "src"), ServerEndpoint.Parse(ServerRole.Target, db.Target, "tgt"), Schema: "public");
        var store = new InMemoryCheckpointStore();
        var done = await new CloneEngine().RunAsync(request, new CloneRunOptions { Checkpoints = store });
        var job = (await store.LoadAsync(done.JobId!, CancellationToken.None))!;
        var failed = job with
        {
            Status = JobStatus.Failed,
            Steps = [.. job.Steps.Where(s => !StepKinds.Any(k => s.StartsWith(k, StringComparison.Ordinal)))],
            Pending = new(),
        };
        return (db, request, store, failed);
    }

    [Fact]
    public async Task Indexes_and_constraints_that_already_exist_with_the_same_definition_are_recognised()
    {
        var (db, request, store, failed) = await CloneThenForgetDdlAsync();
        Assert.Contains(failed.Plan!.Indexes, s => s.ObjectKind == "constraint");
        var result = await new CloneEngine().ResumeAsync(failed, new CloneRunOptions { Checkpoints = store });
        var resumed = (await store.LoadAsync(result.JobId!, CancellationToken.None))!;
        Assert.Equal(failed.Plan.Indexes.Count, resumed.Steps.Count(s => s.StartsWith("index:", StringComparison.Ordinal)));
        Assert.Equal(failed.Plan.Constraints.Count, resumed.Steps.Count(s => s.StartsWith("constraint:", StringComparison.Ordinal)));
        Assert.Equal([], await FaultData.DifferencesAsync(db));
    }

    [Theory]
    [InlineData("DROP INDEX t1_payload; CREATE INDEX t1_payload ON t1 (id)", "index \"t1_payload\" on \"public\".\"t1\"", "CREATE INDEX t1_payload ON public.t1 USING btree (id)")]
    [InlineData("ALTER TABLE t5 DROP CONSTRAINT t5_t1_id_fkey; ALTER TABLE t5 ADD CONSTRAINT t5_t1_id_fkey FOREIGN KEY (id) REFERENCES t1", "constraint \"t5_t1_id_fkey\" on \"public\".\"t5\"", "FOREIGN KEY (id) REFERENCES public.t1(id)")]
    [InlineData("ALTER TABLE t1 DROP CONSTRAINT t1_pkey CASCADE; ALTER TABLE t1 ADD CONSTRAINT t1_pkey UNIQUE (id)", "constraint \"t1_pkey\" on \"public\".\"t1\"", "UNIQUE USING INDEX \"t1_pkey\"")]
    public async Task An_object_of_the_same_name_with_another_definition_is_refused_naming_it(string change, string objectName, string existing)
    {
        var (db, request, store, failed) = await CloneThenForgetDdlAsync();
        await PgServers.ExecAsync(db.Target, change);
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().ResumeAsync(failed, new CloneRunOptions { Checkpoints = store }));
        Assert.Equal($"{request.Target.Describe()}: {objectName}: already exists with another definition ({existing}); drop or rename it on the target, then resume", e.Message);
    }

    [Fact]
    public async Task Resuming_a_run_the_preflight_refused_checks_it_again_and_refuses_the_same_way()
    {
        var db = await fx.Servers.CreateDatabasesAsync("idem_refused");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t VALUES (1)");
        await PgServers.ExecAsync(db.Target, "CREATE TABLE public.t (id int PRIMARY KEY, other text)");
        var request = new CloneRequest(CloneOperation.Schema,
            ServerEndpoint.Parse(ServerRole.Source, db.Source, "src"), ServerEndpoint.Parse(ServerRole.Target, db.Target, "tgt"), Schema: "public");
        var store = new InMemoryCheckpointStore();
        var refused = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request, new CloneRunOptions { Checkpoints = store }));
        var failed = (await store.LatestAsync(CancellationToken.None))!;
        Assert.Equal((JobStatus.Failed, (PgClone.Core.Ddl.ClonePlan?)null), (failed.Status, failed.Plan));

        // Nothing was written: the resume plans and checks again, and says the same, instead of failing on its first CREATE.
        var again = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().ResumeAsync(failed, new CloneRunOptions { Checkpoints = store }));
        Assert.Equal(refused.Message, again.Message);
        Assert.StartsWith("table \"public\".\"t\": already exists", refused.Message[(refused.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM public.t"));
    }
}
