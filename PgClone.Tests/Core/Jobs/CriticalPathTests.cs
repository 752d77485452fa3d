using PgClone.Core.Catalog;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;

namespace PgClone.Tests.Core.Jobs;

/// <summary>
/// The copy of a table with a slow index runs alone when everything else fits beside that index's build, so the
/// build starts as early as it can; otherwise the workers share the load as before.
/// </summary>
public sealed class CriticalPathTests
{
    private static readonly QualifiedName Events = new("shop", "events"), Orders = new("shop", "orders");

    private static PostDataStep Index(QualifiedName t, string method, long bytes) =>
        new("index", 0, new DdlStatement("index", "i", $"CREATE INDEX i ON {t.Quoted} USING {method} (x)") { Table = t },
            bytes * (method == "gin" ? 8 : 1)) { Tables = new HashSet<QualifiedName> { t }, After = new HashSet<string>() };

    [Fact]
    public void The_table_with_the_slowest_index_copies_alone_when_the_rest_fits_beside_its_build()
    {
        var steps = new[] { Index(Events, "gin", 400), Index(Events, "btree", 400), Index(Orders, "btree", 90) };
        Assert.Equal(Events, CriticalPath.Lead([(Events, 400, true), (Orders, 90, true)], steps, workers: 2));
    }

    [Fact]
    public void No_table_copies_alone_when_the_rest_outweighs_the_build_or_nothing_could_work_beside_it()
    {
        var steps = new[] { Index(Events, "gin", 100), Index(Orders, "btree", 900) };
        Assert.Null(CriticalPath.Lead([(Events, 100, true), (Orders, 900, true)], steps, workers: 2));
        Assert.Null(CriticalPath.Lead([(Events, 400, true)], [Index(Events, "gin", 400)], workers: 1));
        Assert.Null(CriticalPath.Lead([(Orders, 90, true)], [Index(Orders, "btree", 90)], workers: 2));
        // A table copied in ranges uses every worker already.
        Assert.Null(CriticalPath.Lead([(Events, 200, false), (Events, 200, false)], [Index(Events, "gin", 400)], workers: 2));
    }

    [Fact]
    public async Task While_the_lead_copies_the_other_workers_wait_then_get_the_rest()
    {
        var scheduler = new LoadScheduler<string>(["events", "orders"], new Dictionary<QualifiedName, int> { [Events] = 1, [Orders] = 1 },
            [Index(Events, "gin", 400)], [], c => c == "events" ? Events : Orders, lead: Events);
        Assert.Equal("events", await scheduler.NextAsync(CancellationToken.None));
        // Work handed out at once completes synchronously; this call waits.
        var second = scheduler.NextAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);
        scheduler.CopyEnded(Events);
        // The build of the lead's index comes first, then the other table's copy.
        Assert.IsType<PostDataStep>(await second.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("orders", await scheduler.NextAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
