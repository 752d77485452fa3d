using PgClone.Core.Catalog;

namespace PgClone.Core.Ddl;

internal sealed partial class PlanAssembler
{
    private sealed record PreItem(ObjectKey Key, int Rank, QualifiedName Name, object Source, IReadOnlyList<DdlStatement> Statements);

    /// <summary>Types, sequences, functions, tables and views in pg_depend order.</summary>
    private IEnumerable<DdlStatement> Ordered()
    {
        var items = new List<PreItem>();
        var dependencies = catalog.Dependencies.AsEnumerable();
        foreach (var t in Types)
        {
            var kind = t.Kind == UserTypeKind.Domain ? "domain" : "type";
            var typeKey = new ObjectKey('t', t.Oid);
            if (t.Kind == UserTypeKind.Domain && CycleFunctions(typeKey) is { Count: > 0 } cycle)
            {
                // A check or default calling a function that takes or returns the domain: the domain first, bare, then
                // the function, then its default and validated checks (pg_dump's ALTER DOMAIN ... ADD CONSTRAINT).
                var bare = t with { Default = null, Checks = t.Checks.Where(c => !c.Validated).ToList() };
                items.Add(new PreItem(typeKey, 1, t.Name, t, TypeDdl.Create(bare).Select(sql => new DdlStatement(kind, t.Name.Quoted, sql)).ToList()));
                var split = new ObjectKey('d', t.Oid);
                items.Add(new PreItem(split, 1, t.Name, t, TypeDdl.DomainParts(t).Select(sql => new DdlStatement(kind, t.Name.Quoted, sql)).ToList()));
                dependencies = MoveEdges(dependencies, typeKey, split, cycle);
                continue;
            }
            items.Add(new PreItem(typeKey, 1, t.Name, t, TypeDdl.Create(t).Select(sql => new DdlStatement(kind, t.Name.Quoted, sql)).ToList()));
            if (t.Base is null) continue;
            // A base type and its I/O functions need each other: the functions are made on a shell of the type first
            // (key 's'), as pg_dump does, and the type itself after them.
            var shell = new ObjectKey('s', t.Oid);
            items.Add(new PreItem(shell, 0, t.Name, t, [new DdlStatement(kind, t.Name.Quoted, TypeDdl.Shell(t))]));
            var io = t.Base.FunctionOids.Select(f => new ObjectKey('f', f)).ToHashSet();
            var type = new ObjectKey('t', t.Oid);
            dependencies = dependencies.Select(d => d.To == type && io.Contains(d.From) ? (d.From, shell) : d);
        }
        foreach (var s in Sequences)
            items.Add(new PreItem(new ObjectKey('r', s.Oid), 2, s.Name, s, [new DdlStatement("sequence", naming.Sequence(s).Quoted, SequenceDdl.Create(s, naming.Sequence(s)))]));
        foreach (var f in Functions)
            items.Add(new PreItem(new ObjectKey('f', f.Oid), 3, f.Name, f, f.NeedsConstraint ? [] : [CreateFunction(f)]));
        foreach (var t in Tables)
        {
            var name = naming.Table(t);
            var tableKey = new ObjectKey('r', t.Oid);
            var columns = ColumnsOf(t);
            // The reachability walk only for a table with plain defaults: planning runs this for every table.
            var late = columns.Where(c => c.Default is not null && c.Generated == '\0' && c.Identity == '\0').ToList();
            if (late.Count > 0 && CycleFunctions(tableKey) is { Count: > 0 } cycle)
            {
                // A default calling a function whose SQL body reads the table: the table first, without its defaults,
                // then the function, then the defaults (pg_dump's ALTER TABLE ONLY ... SET DEFAULT).
                columns = columns.Select(c => late.Contains(c) ? c with { Default = null } : c).ToList();
                var split = new ObjectKey('a', t.Oid);
                items.Add(new PreItem(split, 4, t.Name, t, late.Select(c => new DdlStatement("table", name.Quoted,
                    $"ALTER TABLE ONLY {name.Quoted} ALTER COLUMN {Connections.Sql.Ident(c.Name)} SET DEFAULT {naming.Default(c.Default!)}") { Table = name }).ToList()));
                dependencies = MoveEdges(dependencies, tableKey, split, cycle);
            }
            var sql = _tableDdl.Create(t, columns, InlineChecks(t));
            var statements = sql.Select(s => new DdlStatement("table", name.Quoted, s) { Table = name }).ToList();
            _tableStatements[t.Oid] = statements;
            items.Add(new PreItem(tableKey, 4, t.Name, t, statements));
        }
        foreach (var (t, c) in SeparateChecks())
        {
            var name = naming.Table(t);
            var key = new ObjectKey('c', c.Oid);
            items.Add(new PreItem(key, 4, t.Name, c, [new DdlStatement("constraint", $"{Connections.Sql.Ident(c.Name)} on {name.Quoted}",
                _index.AddConstraint(c, name, only: false)) { Table = name }]));
            var table = new ObjectKey('r', t.Oid);
            var functions = c.Functions.Select(f => new ObjectKey('f', f)).ToHashSet();
            dependencies = dependencies.Where(d => d.From != table || !functions.Contains(d.To))
                .Concat(functions.Select(f => (key, f))).Append((key, table));
        }
        foreach (var v in Views)
            items.Add(new PreItem(new ObjectKey('r', v.Oid), 5, v.Name, v, !v.NeedsConstraint ? [new DdlStatement(Kind(v), v.Name.Quoted, ViewDdl.Create(v, _tablespaces.Clause(v.Tablespace)))]
                : v.Materialized ? [] : [new DdlStatement(Kind(v), v.Name.Quoted, ViewDdl.Placeholder(v))]));
        items.AddRange(KindItems());

        var parents = scope.Tables.SelectMany(t => t.Parents.Select(p => (new ObjectKey('r', t.Oid), new ObjectKey('r', p))));
        var edges = dependencies.Concat(parents).Concat(OneWayOperatorLinks()).ToList();
        var sorted = DependencyOrder.Sort(items, i => i.Key, i => i.Rank, i => i.Name.Schema + "\0" + i.Name.Name, edges,
            i => i.Source is ViewInfo { Materialized: false, NeedsConstraint: false });
        var keys = items.Select(i => i.Key).ToHashSet();
        _neededByPreData = edges.Where(e => e.Item1 != e.Item2 && keys.Contains(e.Item1)).Select(e => e.Item2).ToHashSet();
        _ordered = sorted.Select(i => i.Source).Distinct().ToList();
        var cyclic = CyclicViews(sorted, edges);
        return sorted.SelectMany(i => i.Source is ViewInfo v && cyclic.Contains(v) ? [new DdlStatement(Kind(v), v.Name.Quoted, ViewDdl.Placeholder(v))] : i.Statements)
            .Concat(cyclic.Select(v => new DdlStatement(Kind(v), v.Name.Quoted, ViewDdl.Replace(v))));
    }

    /// <summary>
    /// An operator naming a commutator (or negator) that does not name it back was created first, its partner as a
    /// shell, filled in later: created the other way round, the partner would get the link back (CREATE OPERATOR
    /// completes a partner that has none), so the partner waits for it, as pg_dump's order has it. pg_depend records no
    /// such link.
    /// </summary>
    private IEnumerable<(ObjectKey, ObjectKey)> OneWayOperatorLinks()
    {
        var operators = catalog.Operators.ToDictionary(o => o.Oid);
        foreach (var o in catalog.Operators)
            foreach (var (partner, back) in new[] { (o.CommutatorOid, (Func<OperatorInfo, uint>)(p => p.CommutatorOid)), (o.NegatorOid, p => p.NegatorOid) })
                if (partner != 0 && partner != o.Oid && operators.TryGetValue(partner, out var p) && back(p) != o.Oid)
                    yield return (new ObjectKey('o', partner), new ObjectKey('o', o.Oid));
    }

    /// <summary>
    /// Views created before something they select from: in a cycle of views (a view replaced to select from one that
    /// selects from it) or selecting from themselves. Each is created as a placeholder with its columns where the
    /// order puts it and replaced by its definition once every pre-data object exists, as pg_dump does.
    /// </summary>
    private static List<ViewInfo> CyclicViews(List<PreItem> sorted, List<(ObjectKey, ObjectKey)> edges)
    {
        var position = new Dictionary<ObjectKey, int>();
        for (var i = 0; i < sorted.Count; i++) position.TryAdd(sorted[i].Key, i);
        var later = edges.Where(e => position.TryGetValue(e.Item1, out var from) && position.TryGetValue(e.Item2, out var to) && to > from)
            .Select(e => e.Item1).ToHashSet();
        return sorted.Select(i => i.Source).OfType<ViewInfo>()
            .Where(v => !v.Materialized && !v.NeedsConstraint && (v.SelectsItself || later.Contains(new ObjectKey('r', v.Oid)))).Distinct().ToList();
    }

    /// <summary>The cloned functions <paramref name="key"/> uses that use it in turn (by their SQL body, arguments or result).</summary>
    private HashSet<ObjectKey> CycleFunctions(ObjectKey key) =>
        catalog.DependenciesOf(key).Where(k => k.Kind == 'f' && ClonedFunctions.Contains(k.Oid) && Reaches(k, key)).ToHashSet();

    /// <summary>Hands <paramref name="from"/>'s edges to <paramref name="functions"/> over to <paramref name="split"/>, which also follows <paramref name="from"/>.</summary>
    private static IEnumerable<(ObjectKey From, ObjectKey To)> MoveEdges(IEnumerable<(ObjectKey From, ObjectKey To)> dependencies, ObjectKey from,
        ObjectKey split, HashSet<ObjectKey> functions) =>
        dependencies.Where(d => d.From != from || !functions.Contains(d.To)).Concat(functions.Select(f => (split, f))).Append((split, from));

    /// <summary>Each created table's pre-data statements (CREATE TABLE and its column settings).</summary>
    private readonly Dictionary<uint, List<DdlStatement>> _tableStatements = [];
    /// <summary>Objects some other pre-data object depends on.</summary>
    private HashSet<ObjectKey> _neededByPreData = [];

    /// <summary>
    /// The tables the worker that loads them creates, in the transaction of their COPY, rather than one session
    /// creating them all before the load (300 small tables: 0.6 s on one session, nothing else running): creation
    /// runs on every loading session, shares the copy's one commit, allows COPY FREEZE, and a failed copy leaves no
    /// table behind. Only a table whose creation nothing else in pre-data waits for (no view, child,
    /// function or type uses it) and that runs none of the clone's functions while its rows load (a CHECK or a
    /// domain calling one may read another table, which may not exist yet); its OWNED BY statements go with it.
    /// A table a failed copy created is gone with the copy's transaction.
    /// </summary>
    private Dictionary<QualifiedName, List<DdlStatement>> DeferredCreates(List<DdlStatement> pre, IEnumerable<DdlStatement> ownedBy)
    {
        var deferred = new Dictionary<QualifiedName, List<DdlStatement>>();
        // Values resolved by name as the rows load may name any table: reg* columns (a table's, or an extension
        // configuration table's). Then every table is created before the load.
        if (!_options.IncludeData || Tables.Any(t => ColumnsOf(t).Any(c => c.ByName))
            || catalog.ExtensionConfigs.Any(c => c.Kind == 'r' && CreatesExtension(c.Extension))) return deferred;
        var ownership = ownedBy.ToLookup(s => s.Table!.Value);
        foreach (var t in Tables.Where(t => t.Kind == 'r' && t.Parents.Count == 0 && !Parents.Contains(t.Oid) && !UnreadOnStandby(t)))
        {
            var key = new ObjectKey('r', t.Oid);
            if (_neededByPreData.Contains(key) || RunsClonedFunctionWhileLoading(t, key) || !_tableStatements.TryGetValue(t.Oid, out var statements)) continue;
            var name = naming.Table(t);
            deferred[name] = [.. statements, .. ownership[name]];
        }
        var moved = deferred.Values.SelectMany(s => s).ToHashSet(ReferenceEqualityComparer.Instance);
        pre.RemoveAll(moved.Contains);
        return deferred;
    }

    /// <summary>
    /// Whether loading the table's rows may run a cloned function: a CHECK calling one, a generated column (its
    /// expression's functions are not told apart from the defaults'), or a domain of a column with one. A column
    /// default does not count: COPY names every column it creates, so no default runs while the rows load (a table of
    /// a schema whose ids come from `DEFAULT next_id()` loads like any other).
    /// </summary>
    private bool RunsClonedFunctionWhileLoading(TableInfo t, ObjectKey table)
    {
        var calls = catalog.DependenciesOf(table).Any(k => k.Kind == 'f' && ClonedFunctions.Contains(k.Oid));
        if (calls && (ColumnsOf(t).Any(c => c.Generated != '\0')
                      || catalog.ConstraintsOf(t.Oid).Any(c => c.Type == 'c' && c.Functions.Any(ClonedFunctions.Contains))))
            return true;
        var seen = new HashSet<ObjectKey> { table };
        var queue = new Queue<ObjectKey>(catalog.DependenciesOf(table).Where(k => k.Kind == 't' && seen.Add(k)));
        while (queue.TryDequeue(out var key))
            foreach (var next in catalog.DependenciesOf(key))
            {
                if (next.Kind == 'f' && ClonedFunctions.Contains(next.Oid)) return true;
                if (next.Kind == 't' && seen.Add(next)) queue.Enqueue(next);
            }
        return false;
    }

    private static DdlStatement CreateFunction(FunctionInfo f) => new(f.Kind == 'p' ? "procedure" : "function", f.Signature, FunctionDdl.Create(f));

    /// <summary>Validated CHECK constraints declared on the table itself go inline (but <see cref="SeparateChecks"/>); inherited ones come from the parent.</summary>
    private List<ConstraintInfo> InlineChecks(TableInfo t) => LocalChecks(t).Where(c => !Separate(t, c)).ToList();

    private List<ConstraintInfo> LocalChecks(TableInfo t)
    {
        if (_localChecks.TryGetValue(t.Oid, out var known)) return known;
        return _localChecks[t.Oid] = !_options.Constraints ? [] : catalog.ConstraintsOf(t.Oid)
            .Where(c => c.Type == 'c' && c.IsLocal && c.Validated)
            .Where(c => UsesClonedColumns(t, c.Columns, $"check constraint {Connections.Sql.Ident(c.Name)}"))
            .ToList();
    }

    private readonly Dictionary<uint, List<ConstraintInfo>> _localChecks = [];

    /// <summary>
    /// Checks that call a cloned function which itself needs the table (it takes the table's row type): CREATE TABLE
    /// cannot hold them, the function cannot come first; they are added once both exist, as pg_dump does.
    /// </summary>
    private IEnumerable<(TableInfo Table, ConstraintInfo Check)> SeparateChecks() =>
        Tables.SelectMany(t => LocalChecks(t).Where(c => Separate(t, c)).Select(c => (t, c)));

    private bool Separate(TableInfo t, ConstraintInfo c)
    {
        if (c.Functions.Count == 0 || t.OfType is not null) return false;
        var table = new ObjectKey('r', t.Oid);
        return c.Functions.Where(ClonedFunctions.Contains).Any(f => Reaches(new ObjectKey('f', f), table));
    }

    private HashSet<uint> ClonedFunctions => _clonedFunctions ??= Functions.Select(f => f.Oid).ToHashSet();
    private HashSet<uint>? _clonedFunctions;

    /// <summary>Whether <paramref name="from"/> depends on <paramref name="to"/> through pg_depend, directly or not.</summary>
    private bool Reaches(ObjectKey from, ObjectKey to)
    {
        var seen = new HashSet<ObjectKey> { from };
        var queue = new Queue<ObjectKey>(seen);
        while (queue.TryDequeue(out var key))
            foreach (var next in catalog.DependenciesOf(key))
            {
                if (next == to) return true;
                if (seen.Add(next)) queue.Enqueue(next);
            }
        return false;
    }

    /// <summary>OWNED BY, once both the sequence and its table exist.</summary>
    private IEnumerable<DdlStatement> Ownership()
    {
        foreach (var s in Sequences.Where(s => s.OwnerTable != 0 && s.OwnerColumn is not null))
        {
            var owner = _excluded.Contains(s.OwnerTable) ? null : scope.Tables.FirstOrDefault(t => t.Oid == s.OwnerTable);
            if (owner is null || ColumnsOf(owner).All(c => c.Name != s.OwnerColumn)) continue;
            var name = naming.Sequence(s);
            yield return new DdlStatement("sequence", name.Quoted, SequenceDdl.OwnedBy(name, naming.Table(owner), s.OwnerColumn!)) { Table = naming.Table(owner) };
        }
    }
}
