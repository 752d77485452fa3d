using PgClone.Core.Catalog;

namespace PgClone.Core.Jobs;

/// <summary>
/// Hands the load's workers their next piece of work: an index or constraint step as soon as what it waits for is
/// done (largest and slowest first; of one table's builds, the largest index first), else the next table copy
/// (largest first), else waits until a table lands or a step ends. Returns null when everything is done or the run
/// failed.
/// </summary>
internal sealed class LoadScheduler<TCopy> where TCopy : class
{
    private readonly object _gate = new();
    private readonly LinkedList<TCopy> _copies;
    private readonly Func<TCopy, QualifiedName>? _tableOf;
    private readonly IReadOnlyDictionary<QualifiedName, IReadOnlyList<QualifiedName>> _loadAfter;
    private readonly List<PostDataStep> _ready = [];
    private readonly Dictionary<QualifiedName, int> _partsLeft;
    private readonly HashSet<string> _done;
    // Each waiting step counts what it still waits for and is found from each of those, so an event costs the steps
    // it concerns (rescanning every waiting step on every event was quadratic: seconds on a database of 10,000 tables).
    private readonly Dictionary<QualifiedName, List<Waiter>> _byTable = [];
    private readonly Dictionary<string, List<Waiter>> _byStep = [];
    private readonly List<Waiter> _onAllTables = [], _onAllIndexes = [];
    private int _waiting, _running, _stepsLeft, _indexStepsLeft;
    private readonly List<PostDataStep> _builds = [];
    /// <summary>The job's sessions that had nothing to run when each running build was handed out (<see cref="WorkersFor"/>).</summary>
    private readonly Dictionary<PostDataStep, int> _spare = new(ReferenceEqualityComparer.Instance);
    private readonly int _sessions;
    private bool _stopped, _stepsStopped;
    private TaskCompletionSource _changed = NewSignal();

    /// <param name="copies">In the order to start them.</param>
    /// <param name="partsOf">Copies per target table: the table is loaded when all of them ended.</param>
    /// <param name="done">Steps already done (by an earlier job).</param>
    /// <param name="tableOf">A copy's target table, for <paramref name="loadAfter"/>.</param>
    /// <param name="loadAfter">Tables whose copies wait until these tables are loaded (<see cref="Ddl.TableData.LoadAfter"/>).</param>
    /// <param name="sessions">The workers (target sessions) taking the work.</param>
    public LoadScheduler(IEnumerable<TCopy> copies, IReadOnlyDictionary<QualifiedName, int> partsOf, IEnumerable<PostDataStep> steps, IEnumerable<string> done,
        Func<TCopy, QualifiedName>? tableOf = null, IReadOnlyDictionary<QualifiedName, IReadOnlyList<QualifiedName>>? loadAfter = null, int sessions = 1)
    {
        _sessions = sessions;
        _copies = new LinkedList<TCopy>(copies);
        _tableOf = tableOf;
        _loadAfter = loadAfter ?? new Dictionary<QualifiedName, IReadOnlyList<QualifiedName>>();
        _partsLeft = partsOf.ToDictionary();
        _done = [.. done];
        var all = steps.ToList();
        _stepsLeft = all.Count;
        _indexStepsLeft = all.Count(s => s.StepKind == "index");
        lock (_gate)
        {
            foreach (var step in all) Wait(step);
            if (_partsLeft.Count == 0) Met(_onAllTables);
            if (_indexStepsLeft == 0) Met(_onAllIndexes);
            Signal();
        }
    }

    private sealed class Waiter(PostDataStep step)
    {
        public readonly PostDataStep Step = step;
        public int Unmet;
    }

    /// <summary>Files a step under each table and step it waits for; a step waiting for nothing is ready.</summary>
    private void Wait(PostDataStep step)
    {
        var w = new Waiter(step);
        if (step.Tables is null) Add(_onAllTables, w);
        else foreach (var t in step.Tables) if (_partsLeft.ContainsKey(t)) Add(Under(_byTable, t), w);
        if (step.After is null) Add(_onAllIndexes, w);
        else foreach (var k in step.After) if (!_done.Contains(k)) Add(Under(_byStep, k), w);
        _waiting++;
        if (w.Unmet == 0) Ready(w);
    }

    private static void Add(List<Waiter> list, Waiter w)
    {
        list.Add(w);
        w.Unmet++;
    }

    private static List<Waiter> Under<TKey>(Dictionary<TKey, List<Waiter>> map, TKey key) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        return list;
    }

    /// <summary>One thing the <paramref name="waiters"/> waited for is done.</summary>
    private void Met(List<Waiter> waiters)
    {
        foreach (var w in waiters) if (--w.Unmet == 0) Ready(w);
        waiters.Clear();
    }

    private void Ready(Waiter w)
    {
        _waiting--;
        _ready.Add(w.Step);
    }

    /// <summary>True once every table of the run is loaded.</summary>
    public bool AllLoaded { get { lock (_gate) return _partsLeft.Count == 0; } }

    /// <summary>True when no copy is left to hand out (a worker can free its source session).</summary>
    public bool NoCopiesLeft { get { lock (_gate) return _copies.Count == 0; } }

    /// <summary>
    /// The parallel workers (at most <paramref name="most"/>) for <paramref name="own"/>, a running build. Built alone
    /// (nothing else of the job running, ready or left to copy: always so with one session) it gets them all, as a
    /// build PostgreSQL runs by itself would. Beside the job's other work it gets one per session that had nothing to
    /// run when it was handed out, and none when another running build outweighs it: a slow one
    /// (<see cref="PostDataGates.IsSlowIndex"/>) outweighs a B-tree, and of two of a kind the one of the larger index
    /// (or, sizes equal, the one already running) gets the cores, as it ends last. Every busy session already keeps a
    /// core of the target busy: workers beside them only take those cores (benchmark, 2 sessions on 2 cores: the
    /// workers' processes took 1.2-1.4 s of CPU in a 3.5 s masked clone; against workers for the larger of each two
    /// builds, interleaved medians: masked case 3.36 s against 3.80 and unmasked 2.56 against 2.98 in 6 rounds, full
    /// case 17.66 against 18.70 in 4).
    /// </summary>
    public int WorkersFor(PostDataStep own, int most)
    {
        var weight = Weight(own);
        lock (_gate)
        {
            if (_builds.Any(b => !ReferenceEquals(b, own) && Weight(b).CompareTo(weight) >= 0)) return 0;
            var spare = _spare.GetValueOrDefault(own);
            return spare == _sessions - 1 ? most : Math.Min(most, spare);
        }
    }

    /// <summary>What decides which of two builds running at once gets the parallel workers: slow first, then size.</summary>
    private static (bool Slow, long Bytes) Weight(PostDataStep build) => (PostDataGates.IsSlowIndex(build.Statement), build.Statement.EstimatedBytes);

    private static bool IsBuild(PostDataStep step) => step.StepKind == "index";

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
                if (TryNext(out var work)) return work;
                changed = _changed.Task;
            }
            await changed.WaitAsync(ct);
        }
    }

    /// <summary>The next work if there is some now (<paramref name="work"/> null: the load is over), without waiting: false when there is none yet.</summary>
    public bool TryNextNow(out object? work)
    {
        lock (_gate) return TryNext(out work);
    }

    /// <summary>True with the next work, or with null when the load is over; false to wait for a change.</summary>
    private bool TryNext(out object? work)
    {
        work = null;
        if (_stopped) return true;
        if (!_stepsStopped && _ready.Count > 0)
        {
            var best = 0;
            for (var i = 1; i < _ready.Count; i++) if (Before(_ready[i], _ready[best])) best = i;
            var step = _ready[best];
            _ready.RemoveAt(best);
            _running++;
            if (IsBuild(step))
            {
                _builds.Add(step);
                _spare[step] = _copies.Count > 0 ? 0 : Math.Max(0, _sessions - _running - _ready.Count);
            }
            work = step;
            return true;
        }
        if (TakeCopy() is { } copy)
        {
            _running++;
            work = copy;
            return true;
        }
        if (_stepsStopped) return _copies.Count == 0;
        if (_running == 0 && _waiting == 0) return true;
        if (_running == 0) throw new InvalidOperationException($"{_waiting} index or constraint step(s) wait for work that is not planned");
        return false;
    }

    /// <summary>
    /// The first copy in order whose <see cref="Ddl.TableData.LoadAfter"/> tables are loaded, or null to wait for a copy
    /// to end. When none can go and none runs (foreign keys in a cycle), the first goes: its copy names the violation.
    /// </summary>
    private TCopy? TakeCopy()
    {
        if (_copies.First is not { } first) return null;
        if (_loadAfter.Count > 0)
        {
            for (var node = first; node is not null; node = node.Next)
            {
                if (Waits(node.Value)) continue;
                _copies.Remove(node);
                return node.Value;
            }
            if (_running > 0) return null;
        }
        _copies.RemoveFirst();
        return first.Value;
    }

    private bool Waits(TCopy copy)
    {
        var table = _tableOf!(copy);
        return _loadAfter.TryGetValue(table, out var after) && after.Any(t => t != table && _partsLeft.ContainsKey(t));
    }

    /// <summary>Whether ready step <paramref name="a"/> goes before <paramref name="b"/>: higher priority, then the larger index.</summary>
    private static bool Before(PostDataStep a, PostDataStep b) =>
        a.Priority != b.Priority ? a.Priority > b.Priority : a.Statement.EstimatedBytes > b.Statement.EstimatedBytes;

    /// <summary>A copy into <paramref name="table"/> ended.</summary>
    public void CopyEnded(QualifiedName table)
    {
        lock (_gate)
        {
            _running--;
            if (_partsLeft.TryGetValue(table, out var left) && left <= 1)
            {
                _partsLeft.Remove(table);
                if (_byTable.Remove(table, out var waiters)) Met(waiters);
                if (_partsLeft.Count == 0) Met(_onAllTables);
            }
            else if (left > 1) _partsLeft[table] = left - 1;
            Signal();
        }
    }

    public void StepEnded(PostDataStep step)
    {
        lock (_gate)
        {
            _running--;
            _builds.Remove(step);
            _spare.Remove(step);
            Finished(step);
            Signal();
        }
    }

    /// <summary>
    /// Takes, while <paramref name="table"/> still loads, the steps that wait only for its data and for each other
    /// (its indexes, keys and ANALYZE, not a foreign key to another table nor anything waiting for all the data), in
    /// an order they can run in: the worker loading a small table runs them in its copy's transaction. Each ends with
    /// <see cref="ClaimEnded"/>.
    /// </summary>
    public IReadOnlyList<PostDataStep> Claim(QualifiedName table)
    {
        lock (_gate)
        {
            if (_stopped || _stepsStopped || !_byTable.TryGetValue(table, out var waiters)) return [];
            var claimed = new List<Waiter>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var candidates = waiters.Where(w => w.Step.Tables is { Count: 1 } && w.Step.After is not null).ToList();
            for (var found = true; found;)
            {
                found = false;
                foreach (var w in candidates)
                {
                    if (keys.Contains(w.Step.Key) || !w.Step.After!.All(k => _done.Contains(k) || keys.Contains(k))) continue;
                    claimed.Add(w);
                    keys.Add(w.Step.Key);
                    found = true;
                }
            }
            foreach (var w in claimed)
            {
                waiters.Remove(w);
                foreach (var k in w.Step.After!) if (_byStep.TryGetValue(k, out var list)) list.Remove(w);
                _waiting--;
            }
            return [.. claimed.Select(w => w.Step)];
        }
    }

    /// <summary>
    /// Claimed steps (<see cref="Claim"/>) ended: done, or handed back (their batch rolled back) to be run as steps,
    /// which must happen before their table's copy ends.
    /// </summary>
    public void ClaimEnded(IReadOnlyList<PostDataStep> claimed, bool done)
    {
        lock (_gate)
        {
            foreach (var step in claimed)
            {
                if (!done) Wait(step);
                else Finished(step);
            }
            Signal();
        }
    }

    private void Finished(PostDataStep step)
    {
        _stepsLeft--;
        _done.Add(step.Key);
        if (_byStep.Remove(step.Key, out var waiters)) Met(waiters);
        if (step.StepKind == "index" && --_indexStepsLeft == 0) Met(_onAllIndexes);
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

    private void Signal()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
