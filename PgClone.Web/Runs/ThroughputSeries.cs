namespace PgClone.Web.Runs;

/// <summary>
/// The run page's throughput chart: bytes per second over equal slices of the run. Live updates come at uneven
/// times (one per change, none while an index builds), and a point per update drew an axis whose labels were those
/// times, unevenly spaced and overlapping; here the bytes copied by each instant are read off the updates (linearly
/// between two of them) and differenced over equal slices, so the axis is proportional to time.
/// </summary>
public static class ThroughputSeries
{
    /// <summary>Slices of a chart: enough for the shape of a run, few enough to read.</summary>
    public const int Slices = 20;

    /// <param name="samples">(elapsed seconds, bytes copied so far), in time order; at least two, over some time.</param>
    /// <returns>Bytes per second in each slice, and the elapsed seconds at each slice's end.</returns>
    public static (double[] Rates, double[] Ends) Even(IReadOnlyList<(double Seconds, long Bytes)> samples, int slices = Slices)
    {
        var start = samples[0].Seconds;
        var width = (samples[^1].Seconds - start) / slices;
        var rates = new double[slices];
        var ends = new double[slices];
        if (width <= 0) return (rates, ends);
        var before = BytesAt(samples, start);
        for (var k = 0; k < slices; k++)
        {
            ends[k] = start + (k + 1) * width;
            var after = BytesAt(samples, ends[k]);
            rates[k] = (after - before) / width;
            before = after;
        }
        return (rates, ends);
    }

    /// <summary>Bytes copied by <paramref name="seconds"/>: between two updates, on the line joining them.</summary>
    private static double BytesAt(IReadOnlyList<(double Seconds, long Bytes)> samples, double seconds)
    {
        var i = 1;
        while (i < samples.Count - 1 && samples[i].Seconds < seconds) i++;
        var (t0, b0) = samples[i - 1];
        var (t1, b1) = samples[i];
        if (seconds <= t0) return b0;
        if (seconds >= t1 || t1 <= t0) return b1;
        return b0 + (b1 - b0) * (seconds - t0) / (t1 - t0);
    }
}
