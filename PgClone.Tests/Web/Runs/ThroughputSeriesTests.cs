using PgClone.Web.Runs;

namespace PgClone.Tests.Web.Runs;

/// <summary>The throughput chart's points: bytes per second over equal slices of the run, whatever the updates' times.</summary>
public sealed class ThroughputSeriesTests
{
    [Fact]
    public void Updates_at_uneven_times_give_rates_over_equal_slices()
    {
        // 2,000 bytes in the first 2 s, nothing while an index builds (no update from 2 s to 9 s), 2,000 in the last second.
        var (rates, ends) = ThroughputSeries.Even([(0, 0), (2, 2000), (9, 2000), (10, 4000)], slices: 5);
        Assert.Equal([2d, 4, 6, 8, 10], ends);
        Assert.Equal([1000d, 0, 0, 0, 1000], rates);
    }

    [Fact]
    public void Between_two_updates_the_bytes_are_spread_evenly()
    {
        var (rates, ends) = ThroughputSeries.Even([(1, 0), (5, 4000), (6, 4000)], slices: 5);
        Assert.Equal([2d, 3, 4, 5, 6], ends);
        Assert.Equal([1000d, 1000, 1000, 1000, 0], rates);
    }
}
