using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// Which source objects a request clones. A table clone also brings what the table needs (types, functions and
/// sequences its columns use, its triggers' functions): those are created only when the target lacks them.
/// </summary>
internal sealed class PlanScope
{
    public List<TableInfo> Tables { get; } = [];
    public List<SequenceInfo> Sequences { get; } = [];
    public List<UserType> Types { get; } = [];
    public List<FunctionInfo> Functions { get; } = [];
    public List<ViewInfo> Views { get; } = [];
    /// <summary>Oids of objects brought only because a cloned table needs them: reused when they exist on the target.</summary>
    public HashSet<uint> NeededOnly { get; } = [];
    /// <summary>Collations of the cloned schema a table or functions clone brings (<see cref="WithoutBrought"/>): created when the target lacks them.</summary>
    public HashSet<uint> BroughtCollations { get; } = [];
    /// <summary>
    /// Operators, operator classes and families and text search objects of the cloned schema that a table or functions
    /// clone brings because what it clones uses them (an index's operator class, a generated column's text search
    /// configuration, and what those need in turn): created when the target lacks them, as its types and functions are.
    /// </summary>
    public HashSet<ObjectKey> BroughtKinds { get; } = [];
    /// <summary>The columns cloned per table (all, unless the columns option narrows a table clone).</summary>
    public Dictionary<uint, IReadOnlyList<ColumnInfo>> Columns { get; } = [];
    public List<string> Skipped { get; } = [];
    /// <summary>
    /// The calls the catalog's function bodies make by name, each body read once for the whole plan (what to bring,
    /// which extensions, what the load calls).
    /// </summary>
    public FunctionBodies Bodies { get; private init; } = null!;

    public static PlanScope Build(CloneRequest request, SourceCatalog catalog)
    {
        var scope = new PlanScope { Bodies = new FunctionBodies(catalog) };
        var options = request.EffectiveOptions;
        switch (request.Operation)
        {
            case CloneOperation.Table:
                scope.SelectTable(request, catalog);
                break;
            case CloneOperation.Functions:
                scope.Functions.AddRange(catalog.Functions);
                scope.AddNeeded(catalog, catalog.Functions.Select(f => new ObjectKey('f', f.Oid)), types: true, functions: false, sequences: false);
                break;
            default:
                scope.Tables.AddRange(catalog.Tables);
                scope.Sequences.AddRange(catalog.Sequences.Where(s => !s.IsIdentity));
                scope.Types.AddRange(catalog.Types);
                scope.Functions.AddRange(catalog.Functions);
                scope.Views.AddRange(catalog.Views);
                scope._unsupported.AddRange(catalog.Unsupported);
                break;
        }
        foreach (var t in scope.Tables) scope.Columns.TryAdd(t.Oid, t.Columns);
        if (!options.Matviews) scope.DropMatviews(catalog);
        scope.RefusePartitionsElsewhere(request, catalog);
        return scope;
    }

    /// <summary>
    /// A cloned partitioned table's partitions in a schema the clone does not cover hold its rows (a parent in public,
    /// its partitions in a schema of their own): the clone would copy none of them, as pg_dump -n does. Refused before
    /// anything is written, naming each, or with skip_unsupported listed, the table created without them.
    /// </summary>
    private void RefusePartitionsElsewhere(CloneRequest request, SourceCatalog catalog)
    {
        var cloned = Tables.Select(t => t.Name).ToHashSet();
        var elsewhere = catalog.PartitionsElsewhere.Where(p => cloned.Contains(p.Parent)).ToList();
        RefuseOrSkip(request, [.. elsewhere.Select(p => $"partition {p.Partition.Quoted} of {p.Parent.Quoted}: it is in schema " +
            $"{Sql.Ident(p.Partition.Schema)}, which this clone does not cover, so its rows would not be copied")],
            Skipped, $"clone schema {string.Join(", ", elsewhere.Select(p => Sql.Ident(p.Partition.Schema)).Distinct())} too, or the whole database");
    }

    /// <summary>
    /// What cannot be recreated on the target fails the run before anything is written, naming every object;
    /// with skip_unsupported the run goes on without them and lists them in the result.
    /// </summary>
    private void RefuseOrSkip(CloneRequest request, IReadOnlyList<string> unsupported) => RefuseOrSkip(request, unsupported, Skipped);

    /// <inheritdoc cref="RefuseOrSkip(CloneRequest, IReadOnlyList{string})"/>
    /// <param name="remedy">What else makes the run possible, said before the option.</param>
    public static void RefuseOrSkip(CloneRequest request, IReadOnlyList<string> unsupported, List<string> skipped, string? remedy = null)
    {
        if (unsupported.Count == 0) return;
        if (!request.EffectiveOptions.SkipUnsupported)
            throw PgCloneException.For(request.Source, null,
                $"cannot clone {string.Join("; ", unsupported)} (nothing was written; {(remedy is null ? "" : remedy + ", or ")}set \"skip_unsupported\": true to clone without them)");
        skipped.AddRange(unsupported);
    }

    /// <summary>How a relation or database in a tablespace the target lacks is refused or listed.</summary>
    public static string TablespaceMissing(string what, string tablespace) =>
        $"{what}: its tablespace {Sql.Ident(tablespace)} is not on the target (created in the default tablespace when skipped)";

    /// <summary>
    /// Refuses (or, with skip_unsupported, leaves out) all that cannot be recreated, in one message: the catalog's
    /// (<see cref="SourceCatalog.Unsupported"/>), C functions whose library the target lacks, and what only a
    /// superuser can create when the cloning user is not one.
    /// </summary>
    /// <param name="missingFiles">Of <see cref="TextSearchFiles"/>, those the target server lacks.</param>
    public void RefuseUnsupported(CloneRequest request, SourceCatalog catalog, IReadOnlySet<string> missingLibraries, IReadOnlySet<string> missingFiles, TargetState state)
    {
        var lacking = Functions.Where(f => f.Library is { } lib && missingLibraries.Contains(lib)).ToList();
        var superuserOnly = NeedingSuperuser(request, catalog, state).Where(x => !lacking.Any(f => x.Key == new ObjectKey('f', f.Oid))).ToList();
        var withoutMethod = MissingDatabaseObjects(request, catalog, state).ToList();
        var withoutFiles = Dictionaries(request, catalog).Select(d => (Dictionary: d, Files: TextSearchDdl.Files(d).Where(missingFiles.Contains).ToList()))
            .Where(x => x.Files.Count > 0).Select(x => (Key: new ObjectKey('D', x.Dictionary.Oid), What: $"text search dictionary {x.Dictionary.Name.Quoted}",
                Why: $"its file{(x.Files.Count == 1 ? "" : "s")} {Listed([.. x.Files.Select(f => "tsearch_data/" + f)])} {(x.Files.Count == 1 ? "is" : "are")} not on the target server")).ToList();
        List<string> unsupported = [.. _unsupported, .. lacking.Select(f => $"function {f.Signature}: its library {f.Library} is not on the target server"),
            .. MisplacedTablespaces(catalog, state.Tablespaces), .. withoutMethod.Select(x => x.What), .. withoutFiles.Select(x => $"{x.What}: {x.Why}"),
            .. superuserOnly.Select(x => $"{x.What}: creating it needs a superuser on the target ({Sql.Ident(state.CurrentUser)} is not one)")];
        RefuseOrSkip(request, unsupported, Skipped, superuserOnly.Count > 0 ? "clone as a superuser" : null);
        foreach (var (key, what) in superuserOnly.Concat(withoutFiles.Select(x => (x.Key, x.What)))) _names.TryAdd(key, what);
        LeaveOutDependents(catalog, lacking.Select(f => new ObjectKey('f', f.Oid)).Concat(superuserOnly.Select(x => x.Key)).Concat(withoutMethod.Select(x => x.Key))
            .Concat(withoutFiles.Select(x => x.Key)));
    }

    /// <summary>The files the clone's text search dictionaries read when they are created (<see cref="TextSearchDdl.Files"/>), to be looked for on the target.</summary>
    public IReadOnlyList<string> TextSearchFiles(CloneRequest request, SourceCatalog catalog) =>
        [.. Dictionaries(request, catalog).SelectMany(TextSearchDdl.Files).Distinct()];

    /// <summary>The text search dictionaries the clone creates: a schema's or database's all, a table's or functions' those it brings.</summary>
    private IEnumerable<TextSearchDictionaryInfo> Dictionaries(CloneRequest request, SourceCatalog catalog) =>
        catalog.TextSearchDictionaries.Where(d => request.Operation is not (CloneOperation.Table or CloneOperation.Functions) || BroughtKinds.Contains(new ObjectKey('D', d.Oid)));

    /// <summary>
    /// Tables whose reg* values name an object the target will not have — neither cloned (out of the clone's reach,
    /// or left out) nor there already — are refused, or with skip_unsupported left out with their dependents: COPY
    /// would fail on the first such row. Leaving one out may strand values naming it in another: repeated until none.
    /// </summary>
    /// <param name="unresolved">The names, of <paramref name="named"/>, that the target cannot resolve (<see cref="TargetState.UnresolvedNamesAsync"/>).</param>
    public void RefuseValuesNamingMissing(CloneRequest request, SourceCatalog catalog, IReadOnlyList<ValueNamedObject> named,
        IReadOnlySet<(string Type, string Name)> unresolved)
    {
        var candidates = named.Where(v => unresolved.Contains((v.RegType, v.Name))).ToList();
        while (true)
        {
            var tables = Tables.ToDictionary(t => t.Oid);
            var stranded = candidates.Where(v => tables.ContainsKey(v.Table) && !Brings(request, catalog, v))
                .GroupBy(v => v.Table).ToList();
            if (stranded.Count == 0) return;
            RefuseOrSkip(request, [.. stranded.Select(g => $"table {tables[g.Key].Name.Quoted}: " + string.Join("; ", g.GroupBy(v => v.Column).Select(c =>
                $"values of its column {Sql.Ident(c.Key)} name {Listed(c.Select(v => $"{Kind(v.RegType)} {v.Name}").ToList())}, which the target lacks and the clone does not bring")))],
                Skipped, "clone what they name first");
            LeaveOutDependents(catalog, stranded.Select(g => new ObjectKey('r', g.Key)));
        }
    }

    /// <summary>
    /// A schema clone under another name (target_name) copies reg* values as the names they print, which still name
    /// the source schema: one naming an object of it resolves, as its row loads, to the source schema on the target
    /// (missing there, the COPY failed with the first tables already in), never to the copy. Such tables are refused
    /// before anything is written, naming each column and what its values name, or with skip_unsupported left out with
    /// their dependents. An extension's object keeps its schema under target_name, so a value naming one stays right.
    /// Values are listed as literals: the skipped list is read under the new name, which moves names, not literals.
    /// </summary>
    public void RefuseValuesNamingRenamedSchema(CloneRequest request, SourceCatalog catalog, IReadOnlyList<ValueNamedObject> named, string from, string to)
    {
        var tables = Tables.ToDictionary(t => t.Oid);
        var naming = named.Where(v => v.Schema == from && !v.ExtensionMember && tables.ContainsKey(v.Table)).GroupBy(v => v.Table).ToList();
        if (naming.Count == 0) return;
        RefuseOrSkip(request, [.. naming.Select(g => $"table {tables[g.Key].Name.Quoted}: " + string.Join("; ", g.GroupBy(v => v.Column).Select(c =>
            $"values of its column {Sql.Ident(c.Key)} ({Listed(c.Select(v => Sql.Literal(v.Name)).ToList())}) name objects of the schema the clone " +
            $"creates as {Sql.Ident(to)}, but copied as text they would still name {Sql.Ident(from)} on the target")))],
            Skipped, "clone the schema under its own name, or change those values first");
        LeaveOutDependents(catalog, naming.Select(g => new ObjectKey('r', g.Key)));
    }

    private static string Listed(List<string> names) => names.Count switch
    {
        1 => names[0],
        <= 10 => $"{string.Join(", ", names.SkipLast(1))} and {names[^1]}",
        _ => $"{string.Join(", ", names.Take(10))} and {names.Count - 10} more",
    };

    /// <summary>What a reg* type's values name: "relation", "type", "function", ...</summary>
    private static string Kind(string regType) => regType switch
    {
        "regclass" => "relation", "regtype" => "type", "regproc" or "regprocedure" => "function", "regoper" or "regoperator" => "operator",
        "regnamespace" => "schema", "regrole" => "role", "regcollation" => "collation", "regconfig" => "text search configuration", "column" => "column",
        "ts_template" => "text search template", "ts_parser" => "text search parser", "opclass" => "operator class", "opfamily" => "operator family",
        _ => "text search dictionary",
    };

    /// <summary>
    /// skip_unsupported leaves out what cannot be cloned, but not the table a table clone is for: with nothing left
    /// to clone the run is refused, naming why.
    /// </summary>
    public void KeepRequestedTable(CloneRequest request)
    {
        if (request.Operation != CloneOperation.Table || Tables.Any(t => t.Name == new QualifiedName(request.Schema!, request.Table!))) return;
        throw PgCloneException.For(request.Source, null, $"cannot clone {string.Join("; ", Skipped)} (nothing was written; skip_unsupported leaves out " +
            "only what the table needs, not the table itself)");
    }

    /// <summary>
    /// Whether the clone creates the object a value names: a table clone, what its scope holds; others, what lives in
    /// the cloned schemas; a database clone also every extension's objects.
    /// </summary>
    private bool Brings(CloneRequest request, SourceCatalog catalog, ValueNamedObject value)
    {
        if (value.Key is { } key && Unclonable.ContainsKey(key)) return false;
        if (value.ExtensionMember && request.Operation is CloneOperation.Database or CloneOperation.DatabaseCreate) return true;
        if (request.Operation != CloneOperation.Table)
            return value.Schema is { } schema && catalog.Schemas.Any(s => s.Name == schema) && !(value.Key is { Kind: 'r' } r && _droppedMatviews.Contains(r.Oid));
        return value.Key switch
        {
            { Kind: 'r' } r => Tables.Any(t => t.Oid == r.Oid) || Sequences.Any(s => s.Oid == r.Oid) || Views.Any(v => v.Oid == r.Oid)
                               || catalog.Sequences.Any(s => s.Oid == r.Oid && s.IsIdentity && Tables.Any(t => t.Oid == s.OwnerTable)),
            { Kind: 'i' } i => catalog.Indexes.Any(x => x.Oid == i.Oid && Tables.Any(t => t.Oid == x.TableOid)),
            { Kind: 't' } t => Types.Any(x => x.Oid == t.Oid),
            { Kind: 'f' } f => Functions.Any(x => x.Oid == f.Oid),
            _ => false,
        };
    }

    /// <summary>
    /// Tables and materialized views USING a table access method, and foreign tables on a server, that the target
    /// database lacks, in a clone that does not bring database-wide objects (a database clone does).
    /// </summary>
    private IEnumerable<(ObjectKey Key, string What)> MissingDatabaseObjects(CloneRequest request, SourceCatalog catalog, TargetState state)
    {
        if (request.Operation is CloneOperation.Database or CloneOperation.DatabaseCreate) yield break;
        const string brought = "is not on the target (a database clone brings it)";
        foreach (var t in Tables.Where(t => t.AccessMethod is { } am && !state.AccessMethods.Contains(am)))
            yield return (new ObjectKey('r', t.Oid), $"table {t.Name.Quoted}: its access method {Sql.Ident(t.AccessMethod!)} {brought}");
        foreach (var v in Views.Where(v => v.AccessMethod is { } am && !state.AccessMethods.Contains(am)))
            yield return (new ObjectKey('r', v.Oid), $"materialized view {v.Name.Quoted}: its access method {Sql.Ident(v.AccessMethod!)} {brought}");
        var servers = catalog.ForeignTables.ToDictionary(f => f.TableOid, f => f.Server);
        foreach (var t in Tables.Where(t => t.IsForeign && servers.TryGetValue(t.Oid, out var s) && !state.ForeignServers.Contains(s)))
            yield return (new ObjectKey('r', t.Oid), $"foreign table {t.Name.Quoted}: its server {Sql.Ident(servers[t.Oid])} {brought}");
    }

    /// <summary>
    /// What PostgreSQL 15 lets only a superuser create, among what the plan creates: foreign-data wrappers, event
    /// triggers, subscriptions, access methods, publications FOR ALL TABLES or TABLES IN SCHEMA, procedural
    /// languages, aggregates with an internal state, operator classes and families, text search parsers and templates, binary-coercible casts, base (and shell)
    /// types and routines in an untrusted language (C, internal, plpython3u, ...). A cloning user who is not a
    /// superuser would fail on the first of them, with the schema half made; none when it is one.
    /// </summary>
    private IEnumerable<(ObjectKey Key, string What)> NeedingSuperuser(CloneRequest request, SourceCatalog catalog, TargetState state)
    {
        if (state.IsSuperuser) yield break;
        var kinds = new List<KindObject>();
        if (request.Operation != CloneOperation.Table)
        {
            kinds.AddRange(catalog.Languages.Select(ObjectDdl.Render));
            kinds.AddRange(catalog.Aggregates.Where(a => a.StateType == "internal" || a.MovingStateType == "internal").Select(AggregateDdl.Render));
        }
        if (request.Operation is not (CloneOperation.Table or CloneOperation.Functions))
        {
            var database = catalog.Database;
            kinds.AddRange(database.ForeignWrappers.Select(ForeignDataDdl.Render));
            kinds.AddRange(database.EventTriggers.Select(ObjectDdl.Render));
            kinds.AddRange(database.Subscriptions.Select(ObjectDdl.Render));
            kinds.AddRange(database.AccessMethods.Select(ObjectDdl.Render));
            kinds.AddRange(database.Publications.Where(p => p.AllTables || p.Schemas.Count > 0).Select(ObjectDdl.Render));
            kinds.AddRange(catalog.OperatorFamilies.Select(OperatorDdl.Render));
            kinds.AddRange(catalog.OperatorClasses.Select(OperatorDdl.Render));
            kinds.AddRange(catalog.TextSearchParsers.Select(TextSearchDdl.Render));
            kinds.AddRange(catalog.TextSearchTemplates.Select(TextSearchDdl.Render));
            kinds.AddRange(catalog.Casts.Where(c => c.Method == 'b').Select(ObjectDdl.Render));
        }
        foreach (var k in kinds) yield return (k.Key, $"{k.Kind} {k.Name}");
        // What a table or functions clone only needs is created when the target lacks it.
        foreach (var t in Types.Where(t => t.Kind is UserTypeKind.Base or UserTypeKind.Shell && !(NeededOnly.Contains(t.Oid) && state.Types.ContainsKey(t.Name))))
            yield return (new ObjectKey('t', t.Oid), $"type {t.Name.Quoted}");
        foreach (var f in Functions.Where(f => f.UntrustedLanguage && !(NeededOnly.Contains(f.Oid) && state.Functions.Contains(f.Signature))))
            yield return (new ObjectKey('f', f.Oid), $"{(f.Kind == 'p' ? "procedure" : "function")} {f.Signature}");
    }

    /// <summary>
    /// Relations in a tablespace the target server lacks: refused, or with skip_unsupported created in the
    /// database's default tablespace (the statements leave the tablespace out, <see cref="Tablespaces"/>).
    /// </summary>
    private IEnumerable<string> MisplacedTablespaces(SourceCatalog catalog, IReadOnlySet<string> onTarget)
    {
        string Missing(string kind, QualifiedName name, string tablespace) => TablespaceMissing($"{kind} {name.Quoted}", tablespace);
        foreach (var t in Tables)
        {
            if (t.Tablespace is { } ts && !onTarget.Contains(ts)) yield return Missing("table", t.Name, ts);
            foreach (var i in catalog.IndexesOf(t.Oid).Where(i => i.Tablespace is { } its && !onTarget.Contains(its)))
                yield return Missing("index", i.Name, i.Tablespace!);
        }
        foreach (var v in Views.Where(v => v.Tablespace is { } ts && !onTarget.Contains(ts))) yield return Missing("materialized view", v.Name, v.Tablespace!);
    }

    /// <summary>
    /// Objects left out with everything that depends on them (pg_depend, transitively): a base type on a skipped
    /// I/O function, the tables and casts using that type, the views over those tables, ... Each dependent is
    /// listed with the object it needs; what is not a type, function, sequence, table or view (a cast, an operator,
    /// a trigger) is left out when the plan is assembled (<see cref="Unclonable"/>).
    /// </summary>
    private void LeaveOutDependents(SourceCatalog catalog, IEnumerable<ObjectKey> roots)
    {
        var dependents = catalog.Dependencies.ToLookup(d => d.To, d => d.From);
        var queue = new Queue<ObjectKey>();
        var added = new List<ObjectKey>();
        void Add(ObjectKey key, ObjectKey cause)
        {
            if (!Unclonable.TryAdd(key, cause)) return;
            queue.Enqueue(key);
            added.Add(key);
        }
        foreach (var root in roots) Add(root, root);
        while (queue.TryDequeue(out var key))
            foreach (var dependent in dependents[key]) Add(dependent, key);
        if (added.Count == 0) return;

        NameCloned();
        foreach (var key in added.Where(k => Unclonable[k] != k && _names.ContainsKey(k)))
            Skipped.Add($"{_names[key]}: depends on {NearestNamed(Unclonable[key])}, which is not cloned");
        bool Left(char kind, uint oid) => Unclonable.ContainsKey(new ObjectKey(kind, oid));
        Functions.RemoveAll(f => Left('f', f.Oid));
        Types.RemoveAll(t => Left('t', t.Oid));
        Sequences.RemoveAll(s => Left('r', s.Oid));
        Tables.RemoveAll(t => Left('r', t.Oid));
        Views.RemoveAll(v => Left('r', v.Oid));
    }

    /// <summary>
    /// The relations of the clone's own schema that a table or functions clone needs but does not bring: a rule
    /// writing to another table, a policy reading one, a column or a function or a type taking another table's (or
    /// view's) row type. They are checked on the target as a relation of another schema is
    /// (<see cref="RefuseWhatNeedsMissingOutside"/>). Not from a table: its parents (a partition or child cloned alone is
    /// refused for its parent apart, PlanAssembler's RequireParentsOfClonedTable), its defaults' sequences (brought with
    /// the columns that take them: <see cref="SelectTable"/>), and nothing when the columns option narrows it (pg_depend
    /// does not say which column needs what).
    /// </summary>
    public List<OutsideDependency> RelationsLeftBehind(CloneRequest request, SourceCatalog catalog)
    {
        var cloned = Tables.Select(t => t.Oid).Concat(Views.Select(v => v.Oid)).Concat(Sequences.Select(q => q.Oid)).ToHashSet();
        var parents = Tables.SelectMany(t => t.Parents).ToHashSet();
        var sequences = catalog.Sequences.Select(q => q.Oid).ToHashSet();
        var keys = Functions.Select(f => new ObjectKey('f', f.Oid))
            .Concat(Types.Select(t => new ObjectKey('t', t.Oid)))
            .Concat(Tables.Where(t => Columns[t.Oid].Count == t.Columns.Count).Select(t => new ObjectKey('r', t.Oid)))
            .Concat(Tables.SelectMany(t => catalog.PoliciesOf(t.Oid).Where(p => ReadsClonedColumns(t.Oid, p.Columns))).Select(p => new ObjectKey('y', p.Oid)))
            .Concat(request.Operation == CloneOperation.Functions ? catalog.Aggregates.Select(a => new ObjectKey('f', a.Oid)) : [])
            .Concat(catalog.Rules.Where(r => cloned.Contains(r.TableOid) && ReadsClonedColumns(r.TableOid, r.Columns)).Select(r => new ObjectKey('w', r.Oid)));
        var left = new List<OutsideDependency>();
        foreach (var key in keys)
            foreach (var d in catalog.DependenciesOf(key).Where(d => d.Kind == 'r' && !cloned.Contains(d.Oid)
                         && !(key.Kind == 'r' && (parents.Contains(d.Oid) || sequences.Contains(d.Oid)))))
                if ((catalog.Table(d.Oid)?.Name ?? catalog.Views.FirstOrDefault(v => v.Oid == d.Oid)?.Name ?? catalog.Sequences.FirstOrDefault(q => q.Oid == d.Oid)?.Name) is { } name)
                    left.Add(new OutsideDependency(key, "regclass", name.Quoted, name.Schema));
        return left;
    }

    /// <summary>
    /// The functions of other schemas, by name, that the bodies of the functions the load itself runs call (those of the
    /// tables' defaults, checks, generated columns and indexes, and of the domains, and the functions these call):
    /// PostgreSQL records no dependency for a body kept as text, and an index on a function calling util.norm() failed
    /// after the rows were in on a target without it. A call from a function only the application runs is left as
    /// pg_dump -n leaves it: refusing the clone for it would refuse what works.
    /// </summary>
    public List<(ObjectKey From, QualifiedName Called)> OutsideCallsAtLoad(SourceCatalog catalog)
    {
        var reached = new HashSet<ObjectKey>(Tables.SelectMany(t => catalog.IndexesOf(t.Oid).Select(i => new ObjectKey('i', i.Oid)).Append(new ObjectKey('r', t.Oid)))
            .Concat(Types.Select(t => new ObjectKey('t', t.Oid))));
        var queue = new Queue<ObjectKey>(reached);
        while (queue.TryDequeue(out var key))
            foreach (var to in catalog.DependenciesOf(key).Concat(Bodies.Called(key)))
                if (reached.Add(to)) queue.Enqueue(to);
        var read = catalog.Schemas.Select(s => s.Name).Append("pg_catalog").ToHashSet(StringComparer.Ordinal);
        return [.. Functions.Where(f => reached.Contains(new ObjectKey('f', f.Oid)))
            .SelectMany(f => Bodies.CallsOf(f).Where(c => c.Schema is { } schema && !read.Contains(schema))
                .Select(c => (new ObjectKey('f', f.Oid), new QualifiedName(c.Schema!, c.Name))))
            .Distinct()];
    }

    /// <summary>Whether the columns an object of a table reads are all cloned: one reading a left-out column is left out (and the plan lists it).</summary>
    private bool ReadsClonedColumns(uint table, IReadOnlyList<int> columns) =>
        !Columns.TryGetValue(table, out var kept) || columns.All(n => kept.Any(c => c.Number == n));

    /// <summary>Names the types, functions, sequences, tables and views in the scope (<see cref="NameOf"/>).</summary>
    private void NameCloned()
    {
        foreach (var f in Functions) _names[new ObjectKey('f', f.Oid)] = $"{(f.Kind == 'p' ? "procedure" : "function")} {f.Signature}";
        foreach (var t in Types) _names[new ObjectKey('t', t.Oid)] = $"{(t.Kind == UserTypeKind.Domain ? "domain" : "type")} {t.Name.Quoted}";
        foreach (var s in Sequences) _names[new ObjectKey('r', s.Oid)] = $"sequence {s.Name.Quoted}";
        foreach (var t in Tables) _names[new ObjectKey('r', t.Oid)] = $"table {t.Name.Quoted}";
        foreach (var v in Views) _names[new ObjectKey('r', v.Oid)] = $"{(v.Materialized ? "materialized view" : "view")} {v.Name.Quoted}";
    }

    /// <summary>
    /// The indexes and the objects of the other kinds the clone brings, named as their statements are (an index or a
    /// rule comes with its table or view; a functions clone brings the schema's aggregates; a schema clone every kind
    /// of its schema). Listed when they need what the target lacks; what depends on a left-out object the plan lists itself.
    /// </summary>
    private Dictionary<ObjectKey, string> KindNames(CloneRequest request, SourceCatalog catalog)
    {
        var relations = Tables.Select(t => (t.Oid, t.Name)).Concat(Views.Select(v => (v.Oid, v.Name))).ToDictionary(x => x.Oid, x => x.Name);
        var kinds = catalog.Rules.Where(r => relations.ContainsKey(r.TableOid)).Select(r => ObjectDdl.Render(r, relations[r.TableOid])).ToList();
        var names = relations.Keys.SelectMany(catalog.IndexesOf).ToDictionary(i => new ObjectKey('i', i.Oid), i => $"index {i.Name.Quoted}");
        foreach (var t in Tables)
            foreach (var p in catalog.PoliciesOf(t.Oid)) names[new ObjectKey('y', p.Oid)] = $"policy {Sql.Ident(p.Name)} on {t.Name.Quoted}";
        if (request.EffectiveOptions.Triggers)
            foreach (var (oid, name) in relations)
                foreach (var tr in catalog.TriggersOf(oid)) names[TriggerKey(tr)] = $"trigger {Sql.Ident(tr.Name)} on {name.Quoted}";
        // A schema clone's own are on tables of any schema (a statistics object's schema is its own, not its table's).
        foreach (var s in catalog.Statistics.Where(s => relations.ContainsKey(s.TableOid) || request.Operation == CloneOperation.Schema))
            names[new ObjectKey('q', s.Oid)] = $"statistics {s.Name.Quoted}";
        if (request.Operation is CloneOperation.Functions or CloneOperation.Schema) kinds.AddRange(catalog.Aggregates.Select(AggregateDdl.Render));
        if (request.Operation == CloneOperation.Schema)
            kinds.AddRange([.. BringableKinds(catalog), .. catalog.Conversions.Select(ObjectDdl.Render),
                .. catalog.Casts.Select(ObjectDdl.Render), .. catalog.Transforms.Select(ObjectDdl.Render)]);
        else kinds.AddRange(BringableKinds(catalog).Where(k => BroughtKinds.Contains(k.Key)));
        foreach (var k in kinds) names.TryAdd(k.Key, $"{k.Kind} {k.Name}");
        return names;
    }

    /// <summary>
    /// A table, schema or functions clone whose objects need one in a schema it does not clone (a column's domain in
    /// public, a default's sequence, a view's table) that the target lacks: CREATE would fail in the middle of the
    /// run, so it is refused before anything is written, naming each, or with skip_unsupported left out with what
    /// depends on it.
    /// </summary>
    public void RefuseWhatNeedsMissingOutside(CloneRequest request, SourceCatalog catalog, IReadOnlyList<OutsideDependency> outside,
        IReadOnlySet<(string Type, string Name)> unresolved)
    {
        NameCloned();
        _kindNames = KindNames(request, catalog);
        outside = WithoutBrought(catalog, outside, key => NameOf(key) is not null);
        // The columns of a relation the target lacks go without saying.
        var missingRelations = outside.Where(d => d.RegType == "regclass" && unresolved.Contains((d.RegType, d.Name))).Select(d => d.Oid).ToHashSet();
        outside = [.. outside.Where(d => d.RegType != "column" || !missingRelations.Contains(d.Oid))];
        // A foreign key to a table of another schema the target lacks is left out and listed, as one to a table neither cloned nor there.
        foreach (var key in outside.Where(d => d.From.Kind == 'K' && unresolved.Contains((d.RegType, d.Name))).GroupBy(d => d.From.Oid))
            ForeignKeysToMissing[key.Key] = [.. key.Select(d => d.RegType == "column" ? $"column {d.Name}" : d.Name).Distinct()];
        var stranded = outside.Where(d => unresolved.Contains((d.RegType, d.Name)) && NameOf(d.From) is not null && !Unclonable.ContainsKey(d.From))
            .GroupBy(d => d.From).ToList();
        if (stranded.Count == 0) return;
        var schemas = stranded.SelectMany(g => g).Select(d => d.Schema).Where(s => s != "pg_catalog").Distinct().Order(StringComparer.Ordinal).Select(Sql.Ident).ToList();
        List<string> remedies = [];
        if (schemas.Count > 0) remedies.Add($"clone schema {string.Join(", ", schemas)} first, or the whole database");
        if (stranded.SelectMany(g => g).Any(d => d.Schema == "pg_catalog"))
            remedies.Add("add the locale to the target server's system and run pg_import_system_collations('pg_catalog'), or create the collation there");
        RefuseOrSkip(request, [.. stranded.Select(g => $"{NameOf(g.Key)}: needs {Listed(g.Select(d => $"{Kind(d.RegType)} {d.Name}").Distinct().ToList())}, " +
            "which the target lacks and the clone does not bring")],
            Skipped, string.Join(", or ", remedies));
        LeaveOutDependents(catalog, stranded.Select(g => g.Key));
    }

    /// <summary>
    /// A table or functions clone brings the collations of the cloned schema that its objects use (a column's, an
    /// index's, a domain's), created when the target lacks them, as it brings the types they use: a collation needs
    /// nothing else. It brings the <see cref="BroughtKinds"/> too. The rest of <paramref name="outside"/> the target must have.
    /// </summary>
    private IReadOnlyList<OutsideDependency> WithoutBrought(SourceCatalog catalog, IReadOnlyList<OutsideDependency> outside, Func<ObjectKey, bool> cloned)
    {
        var own = catalog.Collations.Select(c => c.Oid).ToHashSet();
        var brought = outside.Where(d => d.RegType == "regcollation" && own.Contains(d.Oid) && cloned(d.From)).ToList();
        BroughtCollations.UnionWith(brought.Select(d => d.Oid));
        return [.. outside.Where(d => !(d.RegType == "regcollation" && own.Contains(d.Oid)) && !(KindKey(d) is { } key && BroughtKinds.Contains(key)))];
    }

    /// <summary>The <see cref="ObjectKey"/> kinds of <see cref="BringableKinds"/>: operator, class, family, text search parser, template, dictionary, configuration.</summary>
    private const string BringableKindLetters = "oCFPTDG";

    /// <summary>The key of an operator, operator class or family or text search object <paramref name="d"/> names; null for other kinds.</summary>
    private static ObjectKey? KindKey(OutsideDependency d) => d.RegType switch
    {
        "regoper" or "regoperator" => new ObjectKey('o', d.Oid), "opclass" => new ObjectKey('C', d.Oid), "opfamily" => new ObjectKey('F', d.Oid),
        "ts_parser" => new ObjectKey('P', d.Oid), "ts_template" => new ObjectKey('T', d.Oid), "regdictionary" => new ObjectKey('D', d.Oid),
        "regconfig" => new ObjectKey('G', d.Oid), _ => null,
    };

    /// <summary>
    /// The schema's operators, operator families and classes and text search objects, rendered, in the order they are
    /// created among equals: a schema clone makes all of them, a table or functions clone the <see cref="BroughtKinds"/>.
    /// </summary>
    public static IEnumerable<KindObject> BringableKinds(SourceCatalog catalog) =>
        [.. catalog.Operators.Select(OperatorDdl.Render), .. catalog.OperatorFamilies.Select(OperatorDdl.Render),
         .. catalog.OperatorClasses.Select(OperatorDdl.Render), .. catalog.TextSearchParsers.Select(TextSearchDdl.Render),
         .. catalog.TextSearchTemplates.Select(TextSearchDdl.Render), .. catalog.TextSearchDictionaries.Select(TextSearchDdl.Render),
         .. catalog.TextSearchConfigs.Select(TextSearchDdl.Render)];

    /// <summary>A trigger's key, which only the outside dependencies use (<see cref="CatalogReader.OutsideDependenciesAsync"/>).</summary>
    public static ObjectKey TriggerKey(TriggerInfo tr) => new('g', tr.Oid);

    /// <summary>The first object with a name on the way from a left-out object to its root (a server names its wrapper).</summary>
    private string NearestNamed(ObjectKey key)
    {
        for (; ; key = Unclonable[key])
        {
            if (_names.TryGetValue(key, out var name) || _kindNames.TryGetValue(key, out name)) return name;
            if (Unclonable[key] == key) return "an object";
        }
    }

    /// <summary>Foreign keys (by constraint oid) referencing a table outside the clone's schemas that the target lacks, with what they need.</summary>
    public Dictionary<uint, IReadOnlyList<string>> ForeignKeysToMissing { get; } = [];

    /// <summary>Objects left out because they cannot be recreated, or depend on one that cannot: each with the object it depends on (itself for a root).</summary>
    public Dictionary<ObjectKey, ObjectKey> Unclonable { get; } = [];

    /// <summary>
    /// "table s.t", "function s.f(integer)", ... for a type, function, sequence, table or view the scope had; once the
    /// outside dependencies are checked, also "index s.i", "operator class s.c USING btree", ... for the other kinds it brings.
    /// </summary>
    public string? NameOf(ObjectKey key) => _names.GetValueOrDefault(key) ?? _kindNames.GetValueOrDefault(key);

    private readonly Dictionary<ObjectKey, string> _names = [];

    /// <summary>The other kinds' objects by key (<see cref="KindNames"/>), once the outside dependencies are checked.</summary>
    private Dictionary<ObjectKey, string> _kindNames = [];

    private readonly List<string> _unsupported = [];

    /// <summary>
    /// A table name given as "schema.table" is one name (a dot is allowed in it): the message says how to name a table
    /// of that schema (the catalog read holds only the requested schema, so whether it exists is not known here).
    /// </summary>
    private static string QualifiedHint(QualifiedName name)
    {
        var dot = name.Name.IndexOf('.');
        if (dot <= 0 || dot == name.Name.Length - 1) return "";
        var meant = new QualifiedName(name.Name[..dot], name.Name[(dot + 1)..]);
        return $" (a dot is part of a table's name; for table {meant.Quoted}, give schema {Sql.Ident(meant.Schema)} and table {Sql.Ident(meant.Name)} apart)";
    }

    private void SelectTable(CloneRequest request, SourceCatalog catalog)
    {
        var name = new QualifiedName(request.Schema!, request.Table!);
        var table = catalog.Tables.FirstOrDefault(t => t.Name == name)
            ?? throw PgCloneException.For(request.Source, null, $"table {name.Quoted} does not exist{PgName.TooLongHint(name.Name)}{QualifiedHint(name)}");
        var options = request.EffectiveOptions;
        // A partitioned table comes with its partitions, at every level.
        var selected = new List<TableInfo> { table };
        for (var i = 0; i < selected.Count; i++)
            selected.AddRange(catalog.Tables.Where(t => t.IsPartition && t.Parents.Contains(selected[i].Oid)));
        Tables.AddRange(selected);
        if (options.Columns is { } wanted)
        {
            var missing = wanted.FirstOrDefault(c => table.Columns.All(x => x.Name != c));
            if (missing is not null)
                throw PgCloneException.For(request.Source, $"table {name.Quoted}", $"column {Sql.Ident(missing)} does not exist");
            RefuseGeneratedWithoutBase(request, table, wanted);
            RefusePartitionKeyLeftOut(request, selected, wanted);
            foreach (var t in selected) Columns[t.Oid] = t.Columns.Where(c => wanted.Contains(c.Name)).ToList();
        }
        // A serial column's sequence comes with the column, or with a kept column whose default takes its values (then
        // owned by nothing); not otherwise when the column is left out.
        var defaults = selected.SelectMany(t => Columns.GetValueOrDefault(t.Oid) ?? t.Columns).Select(c => c.Default).OfType<string>().ToList();
        Sequences.AddRange(selected.SelectMany(t => catalog.SequencesOwnedBy(t.Oid)
            .Where(s => !s.IsIdentity && (options.Columns is null || options.Columns.Contains(s.OwnerColumn!) || defaults.Any(d => d.Contains(RegclassLiteral(s)))))));

        // What the tables need, transitively: types, functions, sequences (pg_depend), and trigger functions. Their
        // indexes (keys and exclusions are folded onto theirs), policies, rules and statistics are keyed apart from the
        // table (CatalogReader's ObjectKeys): a function in an index expression or a policy comes through them.
        var needed = new HashSet<ObjectKey>(selected.SelectMany(t => OwnObjects(catalog, t)));
        if (options.Triggers)
            foreach (var tr in selected.SelectMany(t => catalog.TriggersOf(t.Oid)))
                needed.UnionWith([.. tr.FunctionsUsed.Append(tr.FunctionOid).Select(f => new ObjectKey('f', f)), .. tr.OperatorsUsed.Select(o => new ObjectKey('o', o))]);
        AddNeeded(catalog, needed, types: true, functions: true, sequences: true);
    }

    /// <summary>A table and the objects of its own that pg_depend records apart from it.</summary>
    private static IEnumerable<ObjectKey> OwnObjects(SourceCatalog catalog, TableInfo t) =>
        [new ObjectKey('r', t.Oid),
         .. catalog.IndexesOf(t.Oid).Select(i => new ObjectKey('i', i.Oid)),
         .. catalog.PoliciesOf(t.Oid).Select(p => new ObjectKey('y', p.Oid)),
         .. catalog.StatisticsOf(t.Oid).Select(s => new ObjectKey('q', s.Oid)),
         .. catalog.Rules.Where(r => r.TableOid == t.Oid).Select(r => new ObjectKey('w', r.Oid))];

    /// <summary>A sequence as a column default names it: nextval('s.seq'::regclass).</summary>
    private static string RegclassLiteral(SequenceInfo s) => $"'{s.PgName.Replace("'", "''")}'::regclass";

    /// <summary>
    /// A partitioned table cannot be created without the columns of its partition key (nor its partitions loaded), at
    /// any level: refused before anything is written, as a generated column without its base column is.
    /// </summary>
    private static void RefusePartitionKeyLeftOut(CloneRequest request, IEnumerable<TableInfo> selected, IReadOnlyList<string> wanted)
    {
        foreach (var t in selected)
            foreach (var number in t.PartitionKeyColumns)
                if (t.Columns.FirstOrDefault(c => c.Number == number) is { } key && !wanted.Contains(key.Name))
                    throw PgCloneException.For(request.Source, $"table {t.Name.Quoted}",
                        $"column {Sql.Ident(key.Name)} is in its partition key ({t.PartitionKey}), which is not among the columns; add {Sql.Ident(key.Name)} to them");
    }

    /// <summary>
    /// A generated column asked for without a column its expression reads is refused before anything is written: the
    /// columns were named one by one, so leaving one out quietly (as the objects reading a left-out column are) would
    /// clone less than was asked, and computing it from nothing is impossible.
    /// </summary>
    private static void RefuseGeneratedWithoutBase(CloneRequest request, TableInfo table, IReadOnlyList<string> wanted)
    {
        foreach (var generated in table.Columns.Where(c => wanted.Contains(c.Name)))
            foreach (var number in generated.GeneratedFrom)
                if (table.Columns.FirstOrDefault(c => c.Number == number) is { } from && !wanted.Contains(from.Name))
                    throw PgCloneException.For(request.Source, $"table {table.Name.Quoted}",
                        $"column {Sql.Ident(generated.Name)} is generated from column {Sql.Ident(from.Name)}, which is not among the columns; " +
                        $"add {Sql.Ident(from.Name)} to them or leave {Sql.Ident(generated.Name)} out");
    }

    /// <summary>
    /// Adds what the given objects need, transitively through pg_depend, as objects created only when the
    /// target lacks them: the types (and functions, sequences) a table or function uses.
    /// </summary>
    private void AddNeeded(SourceCatalog catalog, IEnumerable<ObjectKey> roots, bool types, bool functions, bool sequences)
    {
        var needed = new HashSet<ObjectKey>(roots);
        var queue = new Queue<ObjectKey>(needed);
        var bodies = functions ? Bodies : null;
        while (queue.TryDequeue(out var key))
            foreach (var to in catalog.DependenciesOf(key).Concat(bodies?.Called(key) ?? []))
                if (needed.Add(to)) queue.Enqueue(to);
        BroughtKinds.UnionWith(needed.Where(k => BringableKindLetters.Contains(k.Kind)));
        var tables = Tables.Select(t => t.Oid).ToHashSet();
        if (types)
            foreach (var t in catalog.Types.Where(t => needed.Contains(new ObjectKey('t', t.Oid)))) { Types.Add(t); NeededOnly.Add(t.Oid); }
        if (functions)
            foreach (var f in catalog.Functions.Where(f => needed.Contains(new ObjectKey('f', f.Oid)))) { Functions.Add(f); NeededOnly.Add(f.Oid); }
        if (sequences)
            foreach (var s in catalog.Sequences.Where(s => needed.Contains(new ObjectKey('r', s.Oid)) && !s.IsIdentity && !tables.Contains(s.OwnerTable)))
            { Sequences.Add(s); NeededOnly.Add(s.Oid); }
    }

    /// <summary>matviews=false: materialized views stay behind, and so do the views built on them.</summary>
    private void DropMatviews(SourceCatalog catalog)
    {
        var dropped = Views.Where(v => v.Materialized).Select(v => v.Oid).ToHashSet();
        bool changed;
        do
        {
            changed = false;
            foreach (var v in Views.Where(v => !dropped.Contains(v.Oid)))
                if (catalog.DependenciesOf(new ObjectKey('r', v.Oid)).Any(d => d.Kind == 'r' && dropped.Contains(d.Oid)))
                    changed |= dropped.Add(v.Oid);
        } while (changed);
        foreach (var v in Views.Where(v => dropped.Contains(v.Oid)))
            Skipped.Add(v.Materialized
                ? $"materialized view {v.Name.Quoted}: matviews option is off"
                : $"view {v.Name.Quoted}: depends on a materialized view that is not cloned");
        Views.RemoveAll(v => dropped.Contains(v.Oid));
        _droppedMatviews.UnionWith(dropped);
    }

    /// <summary>Materialized views (and views over them) that matviews=false leaves behind.</summary>
    private readonly HashSet<uint> _droppedMatviews = [];
}
