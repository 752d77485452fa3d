using PgClone.Core.Catalog;
using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>An index, constraint or ANALYZE step that may run while other tables still load, with what it waits for.</summary>
internal sealed record PostDataStep(string StepKind, int Index, DdlStatement Statement, long Priority)
{
    /// <summary>The estimated size of the table the step is on (0: none, or not loaded by this run).</summary>
    public long TableBytes { get; init; }
    /// <summary>Tables whose data must be in; null: every table of the run.</summary>
    public IReadOnlySet<QualifiedName>? Tables { get; init; }
    /// <summary>Steps (checkpoint keys) that must be done first; null: every index step.</summary>
    public IReadOnlySet<string>? After { get; init; }

    public string Key => JobCheckpoint.Step(StepKind, Index);
}

/// <summary>
/// When each index, constraint and ANALYZE of a plan may start, so they overlap the copy of other tables: an index
/// once its table's data is in; a foreign key once both of its tables are loaded and their indexes built (the
/// referenced key must exist, and their lock modes conflict with index builds); a table's ANALYZE once its indexes
/// (expression statistics) and the constraints on it are done, since it would wait for their locks; a plain index
/// once its table's keys (PRIMARY KEY, UNIQUE, EXCLUDE) are built, as ADD CONSTRAINT locks the table exclusively: a
/// build started beside it holds its worker idle until the key is in (seen on the benchmark: a B-tree queued behind
/// a primary key queued behind a GIN build), while waiting in the scheduler leaves the worker free; a key built as a
/// unique index is such a plain build, and attaching it (exclusive, but instant) waits for every build on its table. What the plan
/// cannot tie to loaded tables (a partitioned parent, whose rows are in its partitions; a late CHECK, which also
/// reaches children; a plan without References) waits for all the data, and a constraint, for all the indexes:
/// the order before overlap.
/// </summary>
internal static class PostDataGates
{
    /// <summary>GIN, GiST and the like take several times longer per byte than a B-tree: start them first.</summary>
    private const int SlowIndexWeight = 8;

    /// <summary>The step kind of ANALYZE, which is not checkpointed.</summary>
    public const string Analyze = "analyze";

    public static List<PostDataStep> Steps(ClonePlan plan, IReadOnlySet<string> done)
    {
        var loaded = plan.Tables.Select(t => t.Target).ToHashSet();
        var bytes = plan.Tables.GroupBy(t => t.Target).ToDictionary(g => g.Key, g => g.Sum(t => Math.Max(0, t.EstimatedBytes)));
        var pendingIndexes = plan.Indexes.Select((s, i) => (s, Key: JobCheckpoint.Step("index", i))).Where(x => !done.Contains(x.Key)).ToList();
        // Lookups rather than scans per table: a plan of 10,000 tables has 30,000+ steps.
        var indexesOn = pendingIndexes.Where(x => x.s.Table is not null).ToLookup(x => x.s.Table!.Value, x => x.Key);
        IEnumerable<string> IndexesOn(QualifiedName t) => indexesOn[t];
        var indexed = plan.Indexes.Where(x => x.Table is not null).Select(x => x.Table!.Value).ToHashSet();
        IReadOnlySet<QualifiedName>? TablesFor(QualifiedName? t) => t is { } name && loaded.Contains(name) ? new HashSet<QualifiedName> { name } : null;
        long BytesOf(DdlStatement s) => s.Table is { } t ? bytes.GetValueOrDefault(t) : 0;
        long PriorityOf(DdlStatement s) => BytesOf(s) * (IsSlowIndex(s) ? SlowIndexWeight : 1);
        // A referenced table that is neither loaded nor indexed by this run is already complete on the target.
        bool IsPlanned(QualifiedName r) => loaded.Contains(r) || indexed.Contains(r);

        var keysOn = pendingIndexes.Where(x => x.s.ObjectKind == "constraint" && !x.s.UsingIndex && x.s.Table is { } t && loaded.Contains(t)).ToLookup(x => x.s.Table!.Value, x => x.Key);
        var buildsOn = pendingIndexes.Where(x => !x.s.UsingIndex && x.s.Table is not null).ToLookup(x => x.s.Table!.Value, x => x.Key);
        // An attach waits for every build on its table; a plain build (a key's unique index too) for the keys built
        // under ADD CONSTRAINT; a key build for nothing.
        HashSet<string> BuildAfter(DdlStatement s) => s.Table is not { } t ? []
            : s.UsingIndex ? buildsOn[t].ToHashSet()
            : s.ObjectKind != "constraint" ? keysOn[t].ToHashSet()
            : [];
        var steps = new List<PostDataStep>();
        for (var i = 0; i < plan.Indexes.Count; i++)
        {
            if (done.Contains(JobCheckpoint.Step("index", i))) continue;
            var s = plan.Indexes[i];
            steps.Add(new PostDataStep("index", i, s, PriorityOf(s)) { Tables = TablesFor(s.Table), After = BuildAfter(s), TableBytes = BytesOf(s) });
        }
        for (var i = 0; i < plan.Constraints.Count; i++)
        {
            if (done.Contains(JobCheckpoint.Step("constraint", i))) continue;
            var s = plan.Constraints[i];
            var step = new PostDataStep("constraint", i, s, PriorityOf(s));
            if (s.Table is { } t && s.References is { } r)
            {
                var own = TablesFor(t);
                var referenced = TablesFor(r);
                var tables = own is not null && (referenced is not null || !IsPlanned(r)) ? own.Concat(referenced ?? new HashSet<QualifiedName>()).ToHashSet() : null;
                step = step with { Tables = tables, After = IndexesOn(t).Concat(IndexesOn(r)).ToHashSet() };
            }
            steps.Add(step);
        }
        // ANALYZE runs again on a resume (it is cheap and the statistics must describe the final data).
        var analyzed = plan.Tables.Where(t => t.Analyze).Select(t => t.Target).Distinct().ToList();
        var constraintsTouching = steps.Where(s => s.StepKind == "constraint")
            .SelectMany(s => new[] { s.Statement.Table, s.Statement.References }.OfType<QualifiedName>().Distinct().Select(t => (t, s.Key)))
            .ToLookup(x => x.t, x => x.Key);
        for (var i = 0; i < analyzed.Count; i++)
        {
            var t = analyzed[i];
            var touching = constraintsTouching[t];
            steps.Add(new PostDataStep(Analyze, i, new DdlStatement("table", t.ToString(), $"ANALYZE {t.Quoted}") { Table = t }, bytes.GetValueOrDefault(t))
                { Tables = TablesFor(t), After = IndexesOn(t).Concat(touching).ToHashSet() });
        }
        return steps;
    }

    public static bool IsSlowIndex(DdlStatement s) =>
        s.Sql.Contains(" USING gin ", StringComparison.OrdinalIgnoreCase) || s.Sql.Contains(" USING gist ", StringComparison.OrdinalIgnoreCase)
        || s.Sql.Contains(" USING spgist ", StringComparison.OrdinalIgnoreCase);
}
