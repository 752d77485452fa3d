using PgClone.Core.Catalog;

namespace PgClone.Core.Jobs;

/// <summary>
/// Hands the load's workers their next piece of work: an index or constraint step as soon as what it waits for is
/// done (largest and slowest first), else the next table copy (largest first), else waits until a table lands or a
/// step ends. Returns null when everything is done or the run failed.
/// </summary>
internal sealed class LoadScheduler<TCopy> where TCopy : class
{
    private readonly object _gate = new();
    private readonly Queue<TCopy> _copies;
    private readonly List<PostDataStep> _waiting;
    private readonly List<PostDataStep> _ready = [];
    private readonly Dictionary<QualifiedName, int> _partsLeft;
    private readonly HashSet<string> _done;
    private int _running, _stepsLeft, _indexStepsLeft;
    private bool _stopped, _stepsStopped;
    private TaskCompletionSource _changed = NewSignal();

    /// <param name="copies">In the order to start them.</param>
    /// <param name="partsOf">Copies per target table: the table is loaded when all of them ended.</param>
    /// <param name="done">Steps already done (by an earlier job).</param>
    public LoadScheduler(IEnumerable<TCopy> copies, IReadOnlyDictionary<QualifiedName, int> partsOf, IEnumerable<PostDataStep> steps, IEnumerable<string> done)
    {
        _copies = new Queue<TCopy>(copies);
        _partsLeft = partsOf.ToDictionary();
        _waiting = [.. steps];
        _stepsLeft = _waiting.Count;
        _indexStepsLeft = _waiting.Count(s => s.StepKind == "index");
        _done = [.. done];
        lock (_gate) Release();
    }

    /// <summary>True once every table of the run is loaded.</summary>
    public bool AllLoaded { get { lock (_gate) return _partsLeft.Count == 0; } }

    /// <summary>True when no copy is left to hand out (a worker can free its source session).</summary>
    public bool NoCopiesLeft { get { lock (_gate) return _copies.Count == 0; } }

    /// <summary>Steps not yet finished.</summary>
    public int StepsLeft { get { lock (_gate) return _stepsLeft; } }

    /// <summary>The next copy (a TCopy) or step (a PostDataStep), or null when the load is over.</summary>
    public async Task<object?> NextAsync(CancellationToken ct)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_stopped) return null;
                if (_stepsStopped)
                {
                    if (_copies.TryDequeue(out var last)) { _running++; return last; }
                    return null;
                }
                if (_ready.Count > 0)
                {
                    var best = 0;
                    for (var i = 1; i < _ready.Count; i++) if (_ready[i].Priority > _ready[best].Priority) best = i;
                    var step = _ready[best];
                    _ready.RemoveAt(best);
                    _running++;
                    return step;
                }
                if (_copies.TryDequeue(out var copy)) { _running++; return copy; }
                if (_running == 0 && _waiting.Count == 0) return null;
                if (_running == 0) throw new InvalidOperationException($"{_waiting.Count} index or constraint step(s) wait for work that is not planned");
                changed = _changed.Task;
            }
            await changed.WaitAsync(ct);
        }
    }

    /// <summary>A copy into <paramref name="table"/> ended.</summary>
    public void CopyEnded(QualifiedName table)
    {
        lock (_gate)
        {
            _running--;
            if (_partsLeft.TryGetValue(table, out var left) && left <= 1) _partsLeft.Remove(table);
            else if (left > 1) _partsLeft[table] = left - 1;
            Release();
        }
    }

    public void StepEnded(PostDataStep step)
    {
        lock (_gate)
        {
            _running--;
            _stepsLeft--;
            _done.Add(step.Key);
            if (step.StepKind == "index") _indexStepsLeft--;
            Release();
        }
    }

    /// <summary>Stops handing out work (a failure): workers get null.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            Signal();
        }
    }

    /// <summary>
    /// Stops handing out steps (one failed) but lets the copies go on: the data they load is committed and checkpointed,
    /// so a resume has only the steps left to do, as when indexes waited for the whole load.
    /// </summary>
    public void StopSteps()
    {
        lock (_gate)
        {
            _stepsStopped = true;
            Signal();
        }
    }

    /// <summary>Moves the steps whose prerequisites are met to the ready list and wakes waiting workers.</summary>
    private void Release()
    {
        for (var i = _waiting.Count - 1; i >= 0; i--)
        {
            var s = _waiting[i];
            var tablesIn = s.Tables is null ? _partsLeft.Count == 0 : s.Tables.All(t => !_partsLeft.ContainsKey(t));
            if (!tablesIn) continue;
            var afterDone = s.After is null ? _indexStepsLeft == 0 : s.After.All(_done.Contains);
            if (!afterDone) continue;
            _waiting.RemoveAt(i);
            _ready.Add(s);
        }
        Signal();
    }

    private void Signal()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
