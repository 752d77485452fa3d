using PgClone.Core.Catalog;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Jobs;

/// <summary>An index build's maintenance_work_mem: sized to its table (one merge pass), between 16 MB and the run's cap.</summary>
public sealed class BuildMemoryTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Theory]
    [InlineData(0L, 16384L)]
    [InlineData(8192L, 16384L)]
    [InlineData(400L << 20, 20797L)]
    [InlineData(10L << 30, 105228L)]
    [InlineData(100L << 30, 332760L)]
    [InlineData(1L << 40, 524288L)]
    public void The_memory_grows_with_the_square_root_of_the_table_between_the_floor_and_the_cap(long tableBytes, long kilobytes) =>
        Assert.Equal($"{kilobytes}kB", BuildMemory.Setting(BuildMemory.For(tableBytes, 512L << 20)));

    [Theory]
    [InlineData(4L << 20, 2, 16384L)]
    [InlineData(400L << 20, 2, 98304L)]
    [InlineData(400L << 20, 1, 65536L)]
    [InlineData(100L << 30, 2, 332760L)]
    [InlineData(100L << 30, 20, 524288L)]
    public void A_build_that_may_have_workers_gets_32_MB_for_each_participant_on_a_table_large_enough_for_them(long tableBytes, int workers, long kilobytes) =>
        Assert.Equal($"{kilobytes}kB", BuildMemory.Setting(BuildMemory.For(tableBytes, 512L << 20, workers)));

    /// <summary>A step that records the setting it runs with, in place of an index build on <paramref name="table"/>.</summary>
    private static DdlStatement Seen(string table) => new("index", $"\"public\".\"seen_{table}\"",
        $"CREATE TABLE public.seen_{table} AS SELECT current_setting('maintenance_work_mem') AS m") { Table = new QualifiedName("public", table) };

    [Fact]
    public async Task Each_build_after_a_load_runs_with_the_memory_of_its_table_up_to_the_runs_cap()
    {
        var db = await fx.Servers.CreateDatabasesAsync("buildmem");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE big(id int); CREATE TABLE small(id int); INSERT INTO big VALUES (1); INSERT INTO small VALUES (2)");
        var plan = new ClonePlan
        {
            PreData = [Create("big", "id int"), Create("small", "id int")],
            Tables = [Table("big", ["id"], estimatedBytes: 100L << 30), Table("small", ["id"])],
            Indexes = [Seen("big"), Seen("small")],
        };

        await new CloneEngine().RunAsync(Request(db), new CloneRunOptions { Planner = Fixed(plan), StepsInCopyTransactionUpTo = 0, MaxBuildMemory = 256L << 20 });

        Assert.Equal("256MB 16MB", await PgServers.ScalarAsync<string>(db.Target, "SELECT (SELECT m FROM public.seen_big) || ' ' || (SELECT m FROM public.seen_small)"));
    }

    [Fact]
    public async Task A_materialized_views_index_runs_with_the_memory_of_the_refreshed_view_and_the_session_gets_the_cap_back()
    {
        var db = await fx.Servers.CreateDatabasesAsync("buildmemmv");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int); INSERT INTO t VALUES (1)");
        // Stand-ins for two refreshed views (about 10 MB: large enough for parallel workers, so 32 MB for each of the
        // three participants; and a tiny one), and for their indexes.
        var plan = new ClonePlan
        {
            PreData = [Create("t", "id int")],
            Tables = [Table("t", ["id"])],
            PostData =
            [
                new("materialized view", "\"public\".\"wide\"", "CREATE TABLE public.wide AS SELECT repeat('x', 100) AS v FROM generate_series(1, 80000)"),
                Seen("wide"),
                new("materialized view", "\"public\".\"narrow\"", "CREATE TABLE public.narrow AS SELECT 1 AS v"),
                Seen("narrow"),
                new("table", "\"public\".\"after\"", "CREATE TABLE public.after AS SELECT current_setting('maintenance_work_mem') AS m"),
            ],
        };

        await new CloneEngine().RunAsync(Request(db), new CloneRunOptions { Planner = Fixed(plan), MaxBuildMemory = 256L << 20 });

        Assert.InRange(await PgServers.ScalarAsync<long>(db.Target, "SELECT pg_relation_size('public.wide')"), 8L << 20, 16L << 20);
        Assert.Equal("96MB 16MB 256MB", await PgServers.ScalarAsync<string>(db.Target,
            "SELECT (SELECT m FROM public.seen_wide) || ' ' || (SELECT m FROM public.seen_narrow) || ' ' || (SELECT m FROM public.after)"));
    }
}
