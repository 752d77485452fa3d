using System.Globalization;
using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Subsetting;

/// <summary>How a table's rows came into the subset.</summary>
public enum SubsetReach { Root, ChildOf, ParentOf, Unreached, Outside }

/// <summary>
/// The rows chosen per table, as physical row addresses (ctid) read inside the run's exported snapshot: every worker
/// imports the same snapshot, so an address names the same row version in every session for the whole run.
/// </summary>
internal sealed class SubsetSelection
{
    public Dictionary<uint, HashSet<long>> Rows { get; } = [];
    public Dictionary<uint, (SubsetReach Reach, QualifiedName? Via)> Reached { get; } = [];

    /// <summary>A row's address as one int8 (block &lt;&lt; 16 | offset), computed by the server: cheaper to move and hash than tid text.</summary>
    public static string Packed(string? alias)
    {
        var ctid = alias is null ? "ctid" : alias + ".ctid";
        return $"(({ctid}::text::point)[0]::int8 << 16) | ({ctid}::text::point)[1]::int8";
    }

    /// <summary>An int8[] parameter of packed addresses as tid[], evaluated once per statement (so the scan can use it as a TID list).</summary>
    public static string Unpacked(string parameter) =>
        $"ARRAY(SELECT pg_catalog.format('(%s,%s)', v >> 16, v & 65535)::pg_catalog.tid FROM unnest({parameter}::int8[]) v)";

    public static string Text(long v) => string.Create(CultureInfo.InvariantCulture, $"({v >> 16},{v & 0xFFFF})");
}

/// <summary>
/// Computes the referentially complete subset on the source, read-only (the source session is a READ ONLY
/// transaction: no temporary tables). The key sets stay in this process as sets of row addresses per table and go
/// back to the server as int8[] parameters (packed addresses), a batch at a time; each step is one semi-join:
/// <list type="number">
/// <item>the root rows: the filter, then a seeded random share and/or count;</item>
/// <item>down, level by level to child_depth: rows referencing a newly chosen row (children of children, through
/// self-references and cycles: a row is taken once, so the walk ends);</item>
/// <item>up, to a fix-point: the rows every chosen row references (parents of parents, of children and of the
/// root), so no foreign key on the target points at a missing row. Parents' other children are not followed
/// (that would pull in most of a database).</item>
/// </list>
/// Each row is looked up once per key it takes part in (semi-naive evaluation: only the rows new in the last
/// step are followed). Memory is about 40 bytes per chosen row in this process.
/// </summary>
internal sealed class SubsetSelector(NpgsqlConnection source, ServerEndpoint server, ForeignKeyGraph graph)
{
    /// <summary>Row addresses per query: big enough to amortize the round trip, small enough for a quick plan and hash.</summary>
    internal const int Batch = 50_000;

    private readonly SubsetSelection _selection = new();

    public async Task<SubsetSelection> SelectAsync(SubsetRelation root, SubsetOptions options, string? where, CancellationToken ct)
    {
        foreach (var leaf in graph.Leaves) _selection.Rows[leaf] = [];
        var frontier = await RootRowsAsync(root, options, where, ct);
        foreach (var leaf in frontier.Keys) _selection.Reached[leaf] = (SubsetReach.Root, null);
        var depth = 0;
        while (frontier.Count > 0 && (options.ChildDepth is not { } max || depth < max))
        {
            var next = new Dictionary<uint, List<long>>();
            foreach (var (leaf, rows) in frontier)
                foreach (var edge in graph.ReferencedIn(leaf))
                    await FollowAsync(leaf, rows, edge.ParentColumns, edge.Child, edge.ChildColumns, SubsetReach.ChildOf, next, ct);
            frontier = next;
            depth++;
        }
        var pending = new Queue<(uint Leaf, List<long> Rows)>(_selection.Rows.Where(r => r.Value.Count > 0).Select(r => (r.Key, r.Value.ToList())));
        while (pending.TryDequeue(out var item))
        {
            var found = new Dictionary<uint, List<long>>();
            foreach (var edge in graph.ReferencingFrom(item.Leaf))
                await FollowAsync(item.Leaf, item.Rows, edge.ChildColumns, edge.Parent, edge.ParentColumns, SubsetReach.ParentOf, found, ct);
            foreach (var (leaf, rows) in found) pending.Enqueue((leaf, rows));
        }
        return _selection;
    }

    /// <summary>The root rows (no alias: the filter may name the table): <c>WHERE filter</c>, then <c>ORDER BY random() LIMIT n</c> for a share or a count (seeded: the same data gives the same sample).</summary>
    private async Task<Dictionary<uint, List<long>>> RootRowsAsync(SubsetRelation root, SubsetOptions options, string? where, CancellationToken ct)
    {
        var filter = where is null ? "" : $" WHERE ({where})";
        // The user's filter resolves its names as in the user's psql (PlannedRead.UserSearchPath), then the run's path again.
        if (where is not null) await QueryAsync(root.Name, Connections.PlannedRead.UserSearchPath, r => 0, ct);
        var rows = await RootRowsFilteredAsync(root, options, filter, ct);
        // (A failed query ended the transaction, and the run, with it.)
        if (where is not null) await QueryAsync(root.Name, Connections.PlannedRead.RunSearchPath, r => 0, ct);
        return rows;
    }

    private async Task<Dictionary<uint, List<long>>> RootRowsFilteredAsync(SubsetRelation root, SubsetOptions options, string filter, CancellationToken ct)
    {
        long? take = options.Limit;
        if (options.Percent is { } percent)
        {
            var count = await QueryAsync(root.Name, $"SELECT count(*) FROM {root.From}{filter}", r => r.GetInt64(0), ct);
            var share = (long)Math.Ceiling(count[0] * percent / 100.0 - 1e-9);
            take = take is { } limit ? Math.Min(limit, share) : share;
        }
        var sample = "";
        if (take is { } n)
        {
            await QueryAsync(root.Name, "SELECT pg_catalog.setseed(0.15)", r => 0, ct);
            sample = $" ORDER BY pg_catalog.random() LIMIT {Sql.Literal(n)}";
        }
        var rows = await QueryAsync(root.Name,
            $"SELECT tableoid::oid, {SubsetSelection.Packed(null)} FROM {root.From}{filter}{sample}", r => (Leaf: r.GetFieldValue<uint>(0), Row: r.GetInt64(1)), ct);
        var result = new Dictionary<uint, List<long>>();
        foreach (var (leaf, row) in rows) Add(leaf, row, null, SubsetReach.Root, result);
        return result;
    }

    /// <summary>
    /// The rows of <paramref name="to"/> whose key columns equal those of the given rows of one leaf, as one
    /// semi-join per batch; rows not chosen before are recorded and returned in <paramref name="found"/>.
    /// </summary>
    private async Task FollowAsync(uint leaf, IReadOnlyList<long> rows, IReadOnlyList<string> fromColumns, SubsetRelation to,
        IReadOnlyList<string> toColumns, SubsetReach reach, Dictionary<uint, List<long>> found, CancellationToken ct)
    {
        var fromName = graph.LeafName(leaf);
        var sql = $"SELECT t.tableoid::oid, {SubsetSelection.Packed("t")} FROM {to.From} t WHERE ({string.Join(", ", toColumns.Select(c => "t." + Sql.Ident(c)))}) IN " +
                  $"(SELECT {string.Join(", ", fromColumns.Select(c => "f." + Sql.Ident(c)))} FROM ONLY {fromName.Quoted} f WHERE f.ctid = ANY({SubsetSelection.Unpacked("$1")}))";
        for (var i = 0; i < rows.Count; i += Batch)
        {
            var batch = rows.Skip(i).Take(Batch).ToArray();
            var hits = await QueryAsync(to.Name, sql,
                r => (Leaf: r.GetFieldValue<uint>(0), Row: r.GetInt64(1)), ct, batch);
            foreach (var (hitLeaf, row) in hits) Add(hitLeaf, row, fromName, reach, found);
        }
    }

    private void Add(uint leaf, long row, QualifiedName? via, SubsetReach reach, Dictionary<uint, List<long>> found)
    {
        // A partition the plan does not copy (in another schema, say) holds no chosen rows.
        if (!_selection.Rows.TryGetValue(leaf, out var chosen) || !chosen.Add(row)) return;
        _selection.Reached.TryAdd(leaf, (reach, via));
        if (!found.TryGetValue(leaf, out var list)) found[leaf] = list = [];
        list.Add(row);
    }

    /// <summary>A query on the source; a filter or a semi-join may read any table, so every one is readied to plan.</summary>
    private Task<List<T>> QueryAsync<T>(QualifiedName table, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, params object[] args) =>
        _warmup.ReadAsync(null, () => ReadQuery.RowsAsync(source, server, $"subset: table {table.Quoted}", sql, map, ct, args), ct);

    private readonly SessionWarmup _warmup = new(source, server);
}
