using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Subsetting;

/// <summary>
/// A table as foreign keys see it: a plain table, or a partitioned table standing for its partitions. Rows live in
/// <see cref="Leaves"/> (the plan's tables: the table itself, or its leaf partitions).
/// </summary>
internal sealed record SubsetRelation(uint Oid, QualifiedName Name, bool Partitioned, IReadOnlyList<uint> Leaves)
{
    /// <summary>How a query reads the relation's rows: a partitioned table with its partitions; a plain one without its inheritance children (a foreign key does not cover them).</summary>
    public string From => Partitioned ? Name.Quoted : "ONLY " + Name.Quoted;
}

/// <summary>A foreign key (declared, or virtual from the subset option): child columns reference parent columns.</summary>
internal sealed record SubsetEdge(string Name, SubsetRelation Child, IReadOnlyList<string> ChildColumns, SubsetRelation Parent, IReadOnlyList<string> ParentColumns);

/// <summary>
/// The foreign keys among the tables of a plan, read from the source inside the run's snapshot. A key declared on a
/// partitioned table is one edge (its copies on the partitions are left out); a key whose either side has no table in
/// the plan is left out too (no rows of it are copied, so there is nothing to keep complete).
/// </summary>
internal sealed class ForeignKeyGraph
{
    private readonly Dictionary<uint, QualifiedName> _leafNames;
    private readonly ILookup<uint, SubsetEdge> _byChildLeaf;
    private readonly ILookup<uint, SubsetEdge> _byParentLeaf;

    private ForeignKeyGraph(Dictionary<uint, QualifiedName> leafNames, Dictionary<uint, SubsetRelation> relations, List<SubsetEdge> edges)
    {
        _leafNames = leafNames;
        Relations = relations;
        Edges = edges;
        _byChildLeaf = edges.SelectMany(e => e.Child.Leaves.Select(l => (l, e))).ToLookup(x => x.l, x => x.e);
        _byParentLeaf = edges.SelectMany(e => e.Parent.Leaves.Select(l => (l, e))).ToLookup(x => x.l, x => x.e);
    }

    public IReadOnlyDictionary<uint, SubsetRelation> Relations { get; }
    public IReadOnlyList<SubsetEdge> Edges { get; }
    public IReadOnlyCollection<uint> Leaves => _leafNames.Keys;
    public QualifiedName LeafName(uint leaf) => _leafNames[leaf];
    public bool IsLeaf(uint oid) => _leafNames.ContainsKey(oid);
    /// <summary>Keys whose referencing side holds rows in the leaf.</summary>
    public IEnumerable<SubsetEdge> ReferencingFrom(uint leaf) => _byChildLeaf[leaf];
    /// <summary>Keys whose referenced side holds rows in the leaf.</summary>
    public IEnumerable<SubsetEdge> ReferencedIn(uint leaf) => _byParentLeaf[leaf];

    public SubsetRelation Relation(ServerEndpoint server, QualifiedName name, string what) =>
        Relations.Values.FirstOrDefault(r => r.Name == name)
        ?? throw PgCloneException.For(server, $"table {name.Quoted}", $"subset: the {what} is not among the cloned tables");

    /// <param name="tables">The plan's tables (leaves: plain tables and leaf partitions).</param>
    public static async Task<ForeignKeyGraph> ReadAsync(NpgsqlConnection source, ServerEndpoint server, IReadOnlyList<QualifiedName> tables,
        IReadOnlyList<VirtualForeignKey> virtualKeys, string? defaultSchema, CancellationToken ct)
    {
        // Each leaf with itself and its partition ancestors (none for a plain table): a key on any of them covers the leaf's rows.
        var rows = await QueryAsync(source, server, """
            SELECT l.oid, n.nspname, c.relname, c.relkind, l.leaf
            FROM (SELECT t.leaf, a.oid FROM (SELECT pg_catalog.to_regclass(x)::oid AS leaf FROM unnest($1::text[]) x) t,
                  LATERAL (SELECT t.leaf UNION SELECT relid::oid FROM pg_catalog.pg_partition_ancestors(t.leaf)) a(oid) WHERE t.leaf IS NOT NULL) l
            JOIN pg_catalog.pg_class c ON c.oid = l.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            """, r => (Oid: r.GetFieldValue<uint>(0), Name: new QualifiedName(r.GetString(1), r.GetString(2)), Kind: r.GetChar(3), Leaf: r.GetFieldValue<uint>(4)),
            ct, (object)tables.Select(t => t.Quoted).ToArray());
        var leafNames = rows.Where(r => r.Oid == r.Leaf).ToDictionary(r => r.Leaf, r => r.Name);
        var relations = rows.GroupBy(r => r.Oid).ToDictionary(g => g.Key,
            g => new SubsetRelation(g.Key, g.First().Name, g.First().Kind == 'p', g.Select(r => r.Leaf).Distinct().Order().ToList()));
        var edges = await QueryAsync(source, server, """
            SELECT c.conname, c.conrelid, c.confrelid,
                   ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
                   ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
            FROM pg_catalog.pg_constraint c
            WHERE c.contype = 'f' AND c.conparentid = 0 AND c.conrelid = ANY($1::oid[]) AND c.confrelid = ANY($1::oid[])
            ORDER BY c.conrelid, c.conname
            """, r => new SubsetEdge(r.GetString(0), relations[r.GetFieldValue<uint>(1)], r.GetFieldValue<string[]>(3),
                relations[r.GetFieldValue<uint>(2)], r.GetFieldValue<string[]>(4)), ct, relations.Keys.Select(k => (long)k).ToArray());
        foreach (var v in virtualKeys) edges.Add(await VirtualAsync(source, server, relations, v, defaultSchema, ct));
        return new ForeignKeyGraph(leafNames, relations, edges);
    }

    private static async Task<SubsetEdge> VirtualAsync(NpgsqlConnection source, ServerEndpoint server, Dictionary<uint, SubsetRelation> relations,
        VirtualForeignKey key, string? defaultSchema, CancellationToken ct)
    {
        var from = RelationRef.Parse(key.From, "virtual_fks.from", defaultSchema);
        var to = RelationRef.Parse(key.To, "virtual_fks.to", defaultSchema);
        var display = $"virtual foreign key {key.From} -> {key.To}";
        if (from.Columns.Count == 0 || from.Columns.Count != to.Columns.Count)
            throw PgCloneException.For(server, display, "subset: both sides need the same number of columns (at least one)");
        var child = relations.Values.FirstOrDefault(r => r.Name == from.Table)
            ?? throw PgCloneException.For(server, display, $"subset: table {from.Table.Quoted} is not among the cloned tables");
        var parent = relations.Values.FirstOrDefault(r => r.Name == to.Table)
            ?? throw PgCloneException.For(server, display, $"subset: table {to.Table.Quoted} is not among the cloned tables");
        foreach (var (relation, columns) in new[] { (child, from.Columns), (parent, to.Columns) })
        {
            var existing = (await QueryAsync(source, server, "SELECT attname::text FROM pg_catalog.pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped",
                r => r.GetString(0), ct, (long)relation.Oid)).ToHashSet();
            if (columns.FirstOrDefault(c => !existing.Contains(c)) is { } missing)
                throw PgCloneException.For(server, display, $"subset: column {Sql.Ident(missing)} does not exist in table {relation.Name.Quoted}");
        }
        return new SubsetEdge(display, child, from.Columns, parent, to.Columns);
    }

    internal static Task<List<T>> QueryAsync<T>(NpgsqlConnection conn, ServerEndpoint server, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, params object[] args) =>
        ReadQuery.RowsAsync(conn, server, "subset", sql, map, ct, args);
}
