using System.Collections.Concurrent;

namespace PgClone.Web.Runs;

/// <summary>The runs this instance executes now, with the token that cancels each.</summary>
public sealed class RunningRuns
{
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _runs = new();

    public CancellationTokenSource Add(long runId)
    {
        var cts = new CancellationTokenSource();
        _runs[runId] = cts;
        return cts;
    }

    public void Remove(long runId)
    {
        if (_runs.TryRemove(runId, out var cts)) cts.Dispose();
    }

    /// <summary>Cancels the run when it executes here; false otherwise.</summary>
    public bool Cancel(long runId)
    {
        if (!_runs.TryGetValue(runId, out var cts)) return false;
        try { cts.Cancel(); }
        catch (ObjectDisposedException) { return false; }
        return true;
    }
}
