using PgClone.Core.Connections;

namespace PgClone.Core.Jobs;

/// <summary>
/// maintenance_work_mem of one index build, sized to its table: the least that still sorts it in one merge pass.
/// More is slower, not faster. PostgreSQL 15 sorts what fits in that memory with one quicksort over tuples spread
/// across all of it (a cache miss per comparison), while a sort that spills sorts runs of that size, which fit the
/// CPU's caches better, and merges them once. Measured on the build machine, 2 M rows of the benchmark's events
/// table, one build at a time: a B-tree on random text 3.8–4.0 s at 16 MB, 4.5–4.7 s at 64 MB, 6.0–6.1 s at
/// 512 MB; on sorted timestamps 0.96 s at 16 MB, 1.2 s at 64 and 512 MB; GIN builds keep their pending entries in that
/// memory too: jsonb_ops 8.0–8.7 s from 4 to 32 MB, 9.4 s at 64 MB, 10.1–10.3 s at 512 MB; a tsvector of unique
/// words 19.7 s at 16 MB, 27.3 s at 512 MB (on few distinct keys no difference). But a sort with too little memory
/// for its runs merges more than once, writing and reading everything again: a merge reads each run through a
/// 256 kB buffer (tuplesort's merge order is memory / 264 kB), so one pass needs runs × 264 kB ≤ memory, that is
/// memory ≥ √(sort size × 264 kB); twice that, taking the table's size for the sort's, leaves room for the
/// tuples' overhead. A 400 MB table gets 20 MB, 10 GB 103 MB, 100 GB 325 MB; none less than 16 MB. A build that
/// may have parallel workers gets 32 MB for each participant at least, as PostgreSQL launches none with less.
/// </summary>
internal static class BuildMemory
{
    public const long Floor = 16L << 20;
    private const double MergeBuffer = 264 << 10;
    private const long PerParticipant = 32L << 20;
    // PostgreSQL plans no worker for a table smaller than min_parallel_table_scan_size (8 MB by default).
    private const long ParallelFrom = 8L << 20;

    /// <summary>In bytes, between <see cref="Floor"/> and <paramref name="cap"/>.</summary>
    /// <param name="workers">max_parallel_maintenance_workers of the build.</param>
    public static long For(long tableBytes, long cap, int workers = 0)
    {
        var onePass = (long)(2 * Math.Sqrt(Math.Max(0, tableBytes) * MergeBuffer));
        var parallel = workers > 0 && tableBytes >= ParallelFrom ? PerParticipant * (workers + 1) : 0;
        return Math.Clamp(Math.Max(onePass, parallel), Floor, Math.Max(Floor, cap));
    }

    /// <summary>The setting's text: whole kilobytes.</summary>
    public static string Setting(long bytes) => $"{bytes >> 10}kB";

    /// <summary>The statement that gives a session's builds <paramref name="bytes"/>.</summary>
    public static string Set(long bytes) => $"SET maintenance_work_mem = {Sql.Literal(Setting(bytes))}";
}
