using PgClone.Core.Catalog;

namespace PgClone.Core.Jobs;

/// <summary>
/// Whether the first table of the load should copy alone. A table with a GIN or GiST index ends the run: its copy,
/// then that single-core build, while the other workers run out of work. Copies beside it take the cores its copy
/// needs (a copy keeps a source and a target backend busy), so it lands later and the build starts later; the
/// other tables' work fits in the build's time instead. Measured on the benchmark's full case (2 cores): the copy
/// of the GIN table took 9.7 s beside the other copies, 6.5 s alone. So the table copies alone when the rest of the
/// load, spread over the other workers, takes no longer than its build plus what its copy would lose beside it.
/// </summary>
internal static class CriticalPath
{
    // Relative cost per byte of table data, measured on the benchmark (2 cores, PostgreSQL 15): a binary COPY 1,
    // a B-tree build 0.4, a GIN build 1.5; a copy beside other copies took 1.5 times as long as alone.
    private const double Copy = 1, Btree = 0.4, Slow = 1.5, LostBeside = 0.5;

    /// <param name="first">The first table to copy (copied whole).</param>
    /// <param name="bytes">Estimated bytes of every table the load copies.</param>
    /// <param name="steps">The index and constraint steps run during the load.</param>
    public static bool CopiesAlone(QualifiedName first, IReadOnlyDictionary<QualifiedName, long> bytes, IEnumerable<PostDataStep> steps, int workers)
    {
        if (workers < 2) return false;
        var builds = steps.Where(s => s.StepKind == "index" && !s.Statement.UsingIndex && s.Statement.Table is { } t && bytes.ContainsKey(t)).ToList();
        if (!builds.Any(s => s.Statement.Table == first && PostDataGates.IsSlowIndex(s.Statement))) return false;
        var size = bytes[first];
        var tail = size * Slow;
        var rest = bytes.Where(kv => kv.Key != first).Sum(kv => kv.Value * Copy)
            + builds.Sum(s => bytes[s.Statement.Table!.Value] * (PostDataGates.IsSlowIndex(s.Statement) ? Slow : Btree)) - tail;
        return rest / (workers - 1) <= tail + LostBeside * size * Copy;
    }
}
