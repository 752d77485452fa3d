using System.Diagnostics;
using PgClone.Core.Copying;

namespace PgClone.Core.Jobs;

/// <summary>
/// Collects a running job's counters from its workers and publishes <see cref="JobProgress"/> snapshots to one
/// subscriber, in order, at most every <see cref="Interval"/>; <see cref="Finish"/> publishes the exact final state.
/// </summary>
internal sealed class ProgressTracker : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly object _gate = new();
    /// <summary>Publishing is serialized here, outside <see cref="_gate"/>, so a slow subscriber never blocks the workers.</summary>
    private readonly object _publishGate = new();
    private readonly Action<JobProgress>? _sink;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Stopwatch _dataClock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private JobProgress _state;
    private readonly List<(JobPhase Phase, TimeSpan Start)> _phaseStarts = [];
    private (string? Table, CopyCount Count)[] _workers = [];
    private long _rowsDone, _bytesDone;
    private bool _dirty = true, _finished;

    public ProgressTracker(string jobId, CloneOperation operation, Action<JobProgress>? sink)
    {
        _sink = sink;
        _state = new JobProgress { JobId = jobId, Operation = operation, Status = JobStatus.Running, Phase = JobPhase.Planning };
        _phaseStarts.Add((JobPhase.Planning, TimeSpan.Zero));
        _loop = sink is null ? Task.CompletedTask : PublishLoopAsync();
    }

    public JobProgress Current { get { lock (_gate) return Snapshot(); } }

    public void Phase(JobPhase phase, int steps = 0)
    {
        lock (_gate) _phaseStarts.Add((phase, _clock.Elapsed));
        Update(s => s with { Phase = phase, StepsTotal = steps, StepsCompleted = 0, IndexBuilds = [] });
    }

    /// <summary>How long each phase took, in the order they ran (a phase entered twice is summed).</summary>
    public IReadOnlyList<PhaseTiming> PhaseTimings()
    {
        lock (_gate)
        {
            var now = _clock.Elapsed;
            return _phaseStarts
                .Select((p, i) => (p.Phase, Took: (i + 1 < _phaseStarts.Count ? _phaseStarts[i + 1].Start : now) - p.Start))
                .GroupBy(p => p.Phase)
                .Select(g => new PhaseTiming(g.Key, TimeSpan.FromTicks(g.Sum(p => p.Took.Ticks))))
                .ToList();
        }
    }

    public void StepDone() => Update(s => s with { StepsCompleted = s.StepsCompleted + 1 });

    public void Tables(int total, long bytesEstimated, int workers)
    {
        lock (_gate)
        {
            _workers = new (string?, CopyCount)[workers];
            _state = _state with { TablesTotal = total, BytesEstimated = bytesEstimated };
            _dataClock.Start();
            _dirty = true;
        }
    }

    /// <summary>A table the run does not copy again (done by an earlier run of a resumed job).</summary>
    public void TableAlreadyDone(long rows, long bytes)
    {
        lock (_gate)
        {
            _rowsDone += rows;
            _bytesDone += bytes;
            _state = _state with { TablesCompleted = _state.TablesCompleted + 1 };
            _dirty = true;
        }
    }

    public void Copying(int worker, string table, CopyCount count)
    {
        lock (_gate) { _workers[worker] = (table, count); _dirty = true; }
    }

    /// <summary>One COPY (a table or a range of one) ended; its rows count only if it succeeded.</summary>
    public void CopyEnded(int worker, CopyCount? committed)
    {
        lock (_gate)
        {
            _workers[worker] = (null, default);
            if (committed is { } c) { _rowsDone += c.Rows; _bytesDone += c.Bytes; }
            _dirty = true;
        }
    }

    public void TableEnded(bool ok) =>
        Update(s => ok ? s with { TablesCompleted = s.TablesCompleted + 1 } : s with { TablesFailed = s.TablesFailed + 1 });

    public void DataEnded() { lock (_gate) _dataClock.Stop(); }

    public void IndexBuilds(IReadOnlyList<IndexBuildProgress> builds) => Update(s => s with { IndexBuilds = builds });

    /// <summary>Stops the periodic updates and publishes the final state, exactly once.</summary>
    public async Task<JobProgress> Finish(JobStatus status, string? error)
    {
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        JobProgress final;
        lock (_publishGate)
        {
            lock (_gate)
            {
                _finished = true;
                _dataClock.Stop();
                for (var i = 0; i < _workers.Length; i++) _workers[i] = (null, default);
                _state = _state with { Status = status, Error = error, IndexBuilds = [] };
                final = Snapshot() with { EstimatedTimeLeft = status == JobStatus.Completed ? TimeSpan.Zero : null };
                _state = final;
            }
            _sink?.Invoke(final);
        }
        return final;
    }

    private void Update(Func<JobProgress, JobProgress> change)
    {
        lock (_gate) { _state = change(_state); _dirty = true; }
    }

    private async Task PublishLoopAsync()
    {
        using var ticker = new Ticker(Interval, _stop.Token);
        while (await ticker.NextAsync())
            lock (_publishGate)
            {
                JobProgress snapshot;
                lock (_gate)
                {
                    if (!_dirty || _finished) continue;
                    _dirty = false;
                    snapshot = Snapshot();
                }
                _sink!.Invoke(snapshot);
            }
    }

    private JobProgress Snapshot()
    {
        long rows = _rowsDone, bytes = _bytesDone;
        var workers = new List<WorkerProgress>(_workers.Length);
        for (var i = 0; i < _workers.Length; i++)
        {
            var (table, count) = _workers[i];
            rows += count.Rows;
            bytes += count.Bytes;
            workers.Add(new WorkerProgress(i + 1, table, count.Rows));
        }
        var seconds = _dataClock.Elapsed.TotalSeconds;
        var bps = seconds > 0 ? bytes / seconds : 0;
        TimeSpan? left = bps > 0 && _state.BytesEstimated > bytes && _dataClock.IsRunning
            ? TimeSpan.FromSeconds((_state.BytesEstimated - bytes) / bps) : null;
        return _state with
        {
            RowsCopied = rows,
            BytesCopied = bytes,
            Workers = workers,
            Elapsed = _clock.Elapsed,
            BytesPerSecond = bps,
            RowsPerSecond = seconds > 0 ? rows / seconds : 0,
            EstimatedTimeLeft = left,
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
