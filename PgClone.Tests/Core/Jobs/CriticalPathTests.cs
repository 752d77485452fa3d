using PgClone.Core.Catalog;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;

namespace PgClone.Tests.Core.Jobs;

/// <summary>A table whose GIN build ends the run copies alone, so that build starts as early as it can.</summary>
public sealed class CriticalPathTests
{
    private static readonly QualifiedName Events = new("shop", "events"), Orders = new("shop", "orders"), Customers = new("shop", "customers");

    private static PostDataStep Index(QualifiedName table, string sql, int i) =>
        new("index", i, new DdlStatement("index", $"i{i}", sql.Replace("T", table.Quoted, StringComparison.Ordinal)) { Table = table }, 0);

    /// <summary>The benchmark's full case: events (431 MB) with a GIN index, orders and customers with B-trees.</summary>
    private static List<PostDataStep> BenchmarkSteps() =>
    [
        Index(Events, "CREATE INDEX g ON T USING gin (payload)", 0),
        Index(Events, "CREATE INDEX a ON T USING btree (at)", 1),
        Index(Events, "CREATE UNIQUE INDEX k ON T USING btree (id)", 2),
        new("index", 3, new DdlStatement("constraint", "k", "ALTER TABLE ONLY T ADD CONSTRAINT k PRIMARY KEY USING INDEX k") { Table = Events, UsingIndex = true }, 0),
        Index(Orders, "CREATE UNIQUE INDEX o ON T USING btree (id)", 4),
        Index(Orders, "CREATE INDEX c ON T USING btree (customer_id)", 5),
        Index(Orders, "CREATE INDEX p ON T USING btree (placed_at)", 6),
        Index(Customers, "CREATE UNIQUE INDEX u ON T USING btree (id)", 7),
        Index(Customers, "CREATE INDEX e ON T USING btree (email)", 8),
    ];

    private static Dictionary<QualifiedName, long> Bytes(long others) => new() { [Events] = 431_000_000, [Orders] = others * 9 / 16, [Customers] = others * 7 / 16 };

    [Fact]
    public void The_table_whose_gin_build_outlasts_the_rest_of_the_load_copies_alone()
    {
        Assert.True(CriticalPath.CopiesAlone(Events, Bytes(155_000_000), BenchmarkSteps(), workers: 2));
        // With one worker there is nobody to hold back; with more workers the rest spreads thinner.
        Assert.False(CriticalPath.CopiesAlone(Events, Bytes(155_000_000), BenchmarkSteps(), workers: 1));
        Assert.True(CriticalPath.CopiesAlone(Events, Bytes(600_000_000), BenchmarkSteps(), workers: 4));
    }

    [Fact]
    public void A_table_copies_beside_the_others_when_they_outlast_its_build_or_it_has_no_slow_index()
    {
        Assert.False(CriticalPath.CopiesAlone(Events, Bytes(600_000_000), BenchmarkSteps(), workers: 2));
        var noGin = BenchmarkSteps().Where(s => !PostDataGates.IsSlowIndex(s.Statement)).ToList();
        Assert.False(CriticalPath.CopiesAlone(Events, Bytes(1_000_000), noGin, workers: 2));
        // The slow index is on another table.
        Assert.False(CriticalPath.CopiesAlone(Orders, Bytes(155_000_000), BenchmarkSteps(), workers: 2));
    }

    [Fact]
    public async Task No_other_copy_is_handed_out_while_the_alone_copy_runs_but_steps_are()
    {
        var copies = new[] { "events", "orders", "customers" };
        var tables = new Dictionary<string, QualifiedName> { ["events"] = Events, ["orders"] = Orders, ["customers"] = Customers };
        var steps = new List<PostDataStep> { Index(Orders, "CREATE INDEX c ON T USING btree (customer_id)", 0) with { Tables = new HashSet<QualifiedName> { Orders }, After = new HashSet<string>() } };
        var scheduler = new LoadScheduler<string>(copies, tables.Values.ToDictionary(t => t, _ => 1), steps, [], ("events", Events));

        Assert.Equal("events", await scheduler.NextAsync(CancellationToken.None));
        // NextAsync hands out work synchronously when there is some: still pending means it waits.
        var second = scheduler.NextAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);
        scheduler.CopyEnded(Events);
        Assert.Equal("orders", await second.WaitAsync(TimeSpan.FromSeconds(5)));
        // Other copies then run side by side, and a ready step comes before a copy.
        Assert.Equal("customers", await scheduler.NextAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        scheduler.CopyEnded(Orders);
        Assert.Same(steps[0], await scheduler.NextAsync(CancellationToken.None));
    }
}
