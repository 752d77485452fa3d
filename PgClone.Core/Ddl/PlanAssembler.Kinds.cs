using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

internal sealed partial class PlanAssembler
{
    private List<KindObject>? _kinds;

    /// <summary>
    /// The objects of the other kinds pg_dump emits that this request clones: a schema or database clone takes
    /// every one of its schemas' (aggregates, operators, operator classes and families, text search objects,
    /// conversions, casts, rules, collations); a database clone also the database-wide ones; a functions clone
    /// its aggregates; a table clone its rules; and these two the operators, their classes and families and the text
    /// search objects of the schema that what they clone uses (<see cref="PlanScope.BroughtKinds"/>).
    /// </summary>
    private List<KindObject> Kinds => _kinds ??= WithoutUnclonable(BuildKinds().ToList());

    /// <summary>Leaves out (and lists) the objects that depend on what cannot be cloned: a cast on a type left out, an operator on a function left out.</summary>
    private List<KindObject> WithoutUnclonable(List<KindObject> kinds)
    {
        if (scope.Unclonable.Count == 0) return kinds;
        var names = kinds.GroupBy(k => k.Key).ToDictionary(g => g.Key, g => $"{g.First().Kind} {g.First().Name}");
        foreach (var k in kinds)
            if (scope.Unclonable.TryGetValue(k.Key, out var cause) && cause != k.Key)
                _skipped.Add($"{k.Kind} {k.Name}: depends on {CauseName(cause, names)}, which is not cloned");
        return kinds.Where(k => !scope.Unclonable.ContainsKey(k.Key)).ToList();
    }

    /// <summary>A publication without the tables skip_unsupported left out (each membership listed).</summary>
    private PublicationInfo WithoutLeftOutTables(PublicationInfo p)
    {
        if (scope.Unclonable.Count == 0 || p.TableOids.Count != p.Tables.Count) return p;
        var kept = Enumerable.Range(0, p.Tables.Count)
            .Where(i => Cloned(new ObjectKey('r', p.TableOids[i]), $"{p.Tables[i]} in publication {Sql.Ident(p.Name)}")).ToList();
        return kept.Count == p.Tables.Count ? p : p with { Tables = kept.Select(i => p.Tables[i]).ToList(), TableOids = kept.Select(i => p.TableOids[i]).ToList() };
    }

    /// <summary>
    /// Whether an object is cloned: one skip_unsupported left out, or that depends on one (<see cref="PlanScope.Unclonable"/>),
    /// is listed with what it needed.
    /// </summary>
    private bool Cloned(ObjectKey key, string what)
    {
        if (!scope.Unclonable.TryGetValue(key, out var cause)) return true;
        // One left out itself the scope listed, with why.
        if (cause != key) _skipped.Add($"{what}: depends on {CauseName(cause)}, which is not cloned");
        return false;
    }

    /// <summary>
    /// The nearest object with a name on the way from <paramref name="cause"/> to what could not be cloned: an
    /// operator class has none here, so an index on it names the function the class needed.
    /// </summary>
    private string CauseName(ObjectKey cause, IReadOnlyDictionary<ObjectKey, string>? kinds = null)
    {
        for (var key = cause; ; key = scope.Unclonable[key])
        {
            if ((scope.NameOf(key) ?? kinds?.GetValueOrDefault(key) ?? IndexName(key)) is { } name) return name;
            if (!scope.Unclonable.TryGetValue(key, out var next) || next == key) return "an object";
        }
    }

    /// <summary>"index s.i" for an index key (a foreign key's referenced index), else null.</summary>
    private string? IndexName(ObjectKey key) =>
        key.Kind == 'i' && catalog.FindIndex(key.Oid) is { } index ? $"index {index.Name.Quoted}" : null;

    private IEnumerable<KindObject> BuildKinds()
    {
        // A rule's definition names its table as on the source: rules follow a table only under its own name.
        var relations = Views.Select(v => (v.Oid, v.Name)).ToDictionary(x => x.Oid, x => x.Name);
        if (ReferenceEquals(naming, TargetNaming.Identity))
            foreach (var t in Tables) relations[t.Oid] = t.Name;
        foreach (var r in catalog.Rules.Where(r => relations.ContainsKey(r.TableOid)))
            if (Tables.FirstOrDefault(t => t.Oid == r.TableOid) is not { } table || UsesClonedColumns(table, r.Columns, $"rule {Sql.Ident(r.Name)}"))
                yield return ObjectDdl.Render(r, relations[r.TableOid]);
        if (request.Operation != CloneOperation.Table)
        {
            foreach (var l in catalog.Languages) yield return ObjectDdl.Render(l);
            foreach (var a in catalog.Aggregates.Where(a => !_excluded.Contains(a.Oid))) yield return AggregateDdl.Render(a);
        }
        if (request.Operation is CloneOperation.Table or CloneOperation.Functions)
        {
            foreach (var k in BroughtKinds()) yield return k;
            yield break;
        }

        var database = catalog.Database;
        foreach (var a in database.AccessMethods) yield return ObjectDdl.Render(a);
        foreach (var w in database.ForeignWrappers) yield return ForeignDataDdl.Render(w);
        foreach (var s in database.ForeignServers) yield return ForeignDataDdl.Render(s, state.Roles.Contains, _absentRoles);
        foreach (var k in PlanScope.BringableKinds(catalog)) yield return k;
        foreach (var c in catalog.Conversions) yield return ObjectDdl.Render(c);
        foreach (var c in catalog.Casts) yield return ObjectDdl.Render(c);
        foreach (var t in catalog.Transforms) yield return ObjectDdl.Render(t);
        foreach (var p in database.Publications) yield return ObjectDdl.Render(WithoutLeftOutTables(p));
        foreach (var s in database.Subscriptions) yield return ObjectDdl.Render(s);
        foreach (var s in database.UnreadableSubscriptions)
            _skipped.Add($"subscription {Sql.Ident(s)}: not cloned, reading its connection (pg_subscription.subconninfo) needs a superuser on the source");
        foreach (var e in database.EventTriggers) yield return ObjectDdl.Render(e);
    }

    /// <summary>The operators, operator classes and text search objects of its schema a table or functions clone brings, those the target lacks.</summary>
    private IEnumerable<KindObject> BroughtKinds() =>
        PlanScope.BringableKinds(catalog).Where(k => scope.BroughtKinds.Contains(k.Key) && !state.KindObjects.Contains((k.Kind, k.Name)));

    /// <summary>Pre-data objects of the other kinds as items of the pg_depend order; rank 0 puts wrappers, servers and access methods early among equals.</summary>
    private IEnumerable<PreItem> KindItems() =>
        Kinds.Where(k => k.Section == DumpSection.PreData).Select(k => new PreItem(k.Key, k.Kind is "access method" or "foreign data wrapper" or "server" or "language" ? 0 : 3,
            new QualifiedName("", k.Name), k, k.Create.Select(sql => new DdlStatement(k.Kind, k.Name, sql) { Table = k.Table }).ToList()));

    /// <summary>
    /// Rules and publications (after the data and triggers), or event triggers (at the very end, with their owner
    /// and comment, so they never fire on the clone's own DDL).
    /// </summary>
    private IEnumerable<DdlStatement> KindStatements(DumpSection section)
    {
        foreach (var k in Kinds.Where(k => k.Section == section))
        {
            foreach (var sql in k.Create) yield return new DdlStatement(k.Kind, k.Name, sql) { Table = k.Table };
            if (section != DumpSection.Last) continue;
            if (KindOwner(k) is { } owner) yield return owner;
            if (k.Comment is not null) yield return new DdlStatement(k.Kind, k.Name, k.Comment);
        }
    }

    private IEnumerable<DdlStatement> KindComments() =>
        Kinds.Where(k => k.Comment is not null && k.Section != DumpSection.Last).Select(k => new DdlStatement(k.Kind, k.Name, k.Comment!) { Table = k.Table });

    private DdlStatement? KindOwner(KindObject k) => OwnerTo(k.Kind, k.Name, k.OwnerTarget, k.Owner, k.Table);

    /// <summary>
    /// ALTER <paramref name="alterTarget"/> OWNER TO the source owner when it is not the cloning user and the target
    /// has the role; null otherwise (a missing role is noted).
    /// </summary>
    private DdlStatement? OwnerTo(string kind, string name, string? alterTarget, string? owner, QualifiedName? table = null)
    {
        if (owner is null || owner == state.CurrentUser) return null;
        if (CannotActAs(owner) is not { } gap) return new DdlStatement(kind, name, $"ALTER {alterTarget} OWNER TO {Sql.Ident(owner)}") { Table = table };
        _absentRoles.Add($"{kind} {name}: owner role {Sql.Ident(owner)} {gap} (left owned by {Sql.Ident(state.CurrentUser)})");
        return null;
    }

    /// <summary>Large objects (a database clone's), created empty under their oids with owners, privileges and comments.</summary>
    private IEnumerable<DdlStatement> LargeObjects() =>
        catalog.Database.LargeObjects.SelectMany(lo => LargeObjectDdl.Create(lo, state.CurrentUser, state.Roles.Contains, CannotActAs, _absentRoles)
            .Select(sql => new DdlStatement("large object", Sql.Literal(lo.Oid), sql)));

    /// <summary>
    /// What a database clone sets on the database as a whole: comments on extensions (CREATE EXTENSION set its
    /// own), ALTER DATABASE ... SET and ALTER ROLE ... IN DATABASE ... SET settings, default privileges; and for
    /// database-create, the database's comment,
    /// owner and privileges.
    /// </summary>
    private IEnumerable<DdlStatement> DatabaseSettings()
    {
        var database = catalog.Database;
        // A schema clone's catalog holds the default privileges IN SCHEMA it (pg_dump -n dumps them with the schema).
        if (request.Operation == CloneOperation.Schema)
            foreach (var sql in DatabaseDdl.DefaultPrivileges(database.DefaultPrivileges, state.Roles.Contains, CannotActAs, _absentRoles))
                yield return new DdlStatement("default privileges", Sql.Ident(request.Schema!), sql);
        if (request.Operation is not (CloneOperation.Database or CloneOperation.DatabaseCreate)) yield break;
        foreach (var (extension, comment) in database.ExtensionComments)
            yield return new DdlStatement("extension", Sql.Ident(extension),
                UnlessAlready($"(SELECT pg_catalog.obj_description(oid, 'pg_extension') FROM pg_catalog.pg_extension WHERE extname = {Sql.Literal(extension)})",
                    comment, $"COMMENT ON EXTENSION {Sql.Ident(extension)} IS {Sql.Literal(comment)}"));
        var name = Sql.Ident(state.CurrentDatabase);
        foreach (var sql in DatabaseDdl.Settings(state.CurrentDatabase, database.Settings, state.Roles.Contains, CannotSet, _absentRoles))
            yield return new DdlStatement("database", name, sql);
        foreach (var sql in DatabaseDdl.DefaultPrivileges(database.DefaultPrivileges, state.Roles.Contains, CannotActAs, _absentRoles))
            yield return new DdlStatement("default privileges", name, sql);
        if (request.Operation != CloneOperation.DatabaseCreate) yield break;
        foreach (var sql in DatabaseDdl.Identity(state.CurrentDatabase, database, state.CurrentUser, state.Roles.Contains, CannotActAs, _absentRoles))
            yield return new DdlStatement("database", name, sql);
    }
}
