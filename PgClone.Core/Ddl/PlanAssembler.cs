using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;

namespace PgClone.Core.Ddl;

/// <summary>
/// Turns the selected catalog objects into the plan's phases: pre-data in dependency order, table data,
/// indexes and keys, foreign keys, then post-data (sequence values, materialized views, triggers, statistics,
/// policies, owners and privileges, comments).
/// </summary>
internal sealed partial class PlanAssembler(CloneRequest request, SourceCatalog catalog, PlanScope scope, TargetState state, TargetNaming naming, string? where,
    Action<PlanIssue>? issues = null)
{
    private readonly CloneOptions _options = request.EffectiveOptions;
    private readonly List<string> _skipped = [.. scope.Skipped];
    /// <summary>
    /// Owners, grants, policies, settings and user mappings naming a role the target lacks or the cloning user cannot
    /// act as, and privileges only a superuser can set (<see cref="RefuseWithoutRoles"/>).
    /// </summary>
    private readonly List<string> _absentRoles = [];
    /// <summary>Whether some of <see cref="_absentRoles"/> are on the target but not the cloning user's to act as.</summary>
    private bool _needsMembership;
    /// <summary>Whether some of <see cref="_absentRoles"/> need a superuser (privileges of extension members, settings).</summary>
    private bool _needsSuperuser;
    private readonly Tablespaces _tablespaces = new(state.Tablespaces);
    private readonly IndexDdl _index = new(naming, new Tablespaces(state.Tablespaces));
    private readonly TableDdl _tableDdl = new(catalog, naming, new Tablespaces(state.Tablespaces));
    /// <summary>Objects not created: skipped by the conflict strategy, or needed ones the target already has.</summary>
    private readonly HashSet<uint> _excluded = [];
    private List<object> _ordered = [];

    private IEnumerable<TableInfo> Tables => scope.Tables.Where(t => !_excluded.Contains(t.Oid));
    private IEnumerable<SequenceInfo> Sequences => scope.Sequences.Where(s => !_excluded.Contains(s.Oid));
    private IEnumerable<UserType> Types => scope.Types.Where(t => !_excluded.Contains(t.Oid));
    private IEnumerable<FunctionInfo> Functions => scope.Functions.Where(f => !_excluded.Contains(f.Oid));
    private IEnumerable<ViewInfo> Views => scope.Views.Where(v => !_excluded.Contains(v.Oid));

    public ClonePlan Build(IColumnMasker? masker)
    {
        RequireParentsOfClonedTable();
        var extensions = Extensions().ToList();
        ExcludeReused();
        var conflicts = new ConflictResolver(_options.Conflict, state, request.Target, PlannedNames(), issues);
        conflicts.Resolve(PrimaryObjects());
        _excluded.UnionWith(conflicts.SkippedOids);
        _excluded.UnionWith(scope.Sequences.Where(s => conflicts.SkippedOids.Contains(s.OwnerTable)).Select(s => s.Oid));
        conflicts.ResolveBroughtNames(BroughtNames());
        var skippedKinds = conflicts.ResolveKinds(Kinds.Where(k => k.Section == DumpSection.PreData && k.Kind != "aggregate"));
        if (skippedKinds.Count > 0) _kinds = Kinds.Where(k => !skippedKinds.Contains(k.Key)).ToList();
        _skipped.AddRange(conflicts.Skipped);

        var pre = new List<DdlStatement>(conflicts.Statements);
        pre.AddRange(catalog.Schemas.Where(s => !state.Schemas.Contains(s.Name))
            .Select(s => new DdlStatement("schema", Sql.Ident(s.Name), $"CREATE SCHEMA {Sql.Ident(s.Name)}")));
        pre.AddRange(extensions);
        pre.AddRange(Collations());
        pre.AddRange(Ordered());
        var ownedBy = Ownership().ToList();
        pre.AddRange(ownedBy);
        pre.AddRange(LargeObjects());
        var deferred = DeferredCreates(pre, ownedBy);
        var indexes = IndexesAndKeys().ToList();
        // Built on the empty table, so a regclass value naming the index resolves as its row loads.
        pre.AddRange(_beforeData);
        indexes.RemoveAll(_beforeData.Contains);
        var constraints = ForeignKeysAndLateChecks().ToList();
        var post = new List<DdlStatement>();
        post.AddRange(DefinitionsNeedingConstraints());
        post.AddRange(SequenceValues());
        post.AddRange(ViewColumns());
        post.AddRange(MaterializedViews());
        post.AddRange(Triggers());
        post.AddRange(ExtensionDependencies());
        post.AddRange(KindStatements(DumpSection.PostData));
        post.AddRange(TableSettings());
        post.AddRange(StatisticsAndPolicies());
        post.AddRange(OwnersAndPrivileges());
        post.AddRange(Comments());
        post.AddRange(KindComments());
        post.AddRange(DatabaseSettings());
        post.AddRange(KindStatements(DumpSection.Last));
        post.AddRange(EventTriggersBack());
        RefuseWithoutRoles();
        var tables = Data(masker).Select(t => deferred.TryGetValue(t.Target, out var create) ? t with { Create = create } : t)
            .OrderByDescending(t => t.EstimatedBytes).ToList();
        return new ClonePlan
        {
            PreData = pre,
            Tables = tables,
            FilteredForeignKeys = FilteredKeys(tables),
            Indexes = indexes,
            Constraints = constraints,
            PostData = post,
            Skipped = _skipped,
            UnreadOnStandby = _options.IncludeData ? Unread() : [],
            LargeObjects = _options.IncludeData ? catalog.Database.LargeObjects.Select(l => l.Oid).ToList() : [],
            Conflicts = conflicts.Conflicts,
            Replaced = conflicts.Replaced,
            Notes = conflicts.Notes,
            CreateDatabase = request.Operation == CloneOperation.DatabaseCreate ? request.Target.Database : null,
        };
    }

    /// <summary>
    /// A database clone promises the source's dump: what needs a role the target lacks refuses the run before anything
    /// is written (clone the roles first), unless skip_unsupported leaves it out. A narrower clone (a table or schema
    /// into a developer's database) leaves it out and lists it: its objects stay the cloning user's.
    /// </summary>
    private void RefuseWithoutRoles()
    {
        if (request.Operation is CloneOperation.Database or CloneOperation.DatabaseCreate)
            PlanScope.RefuseOrSkip(request, _absentRoles, _skipped, _needsMembership
                ? $"clone those roles first with a roles clone and grant them to {Sql.Ident(state.CurrentUser)}, or clone as a superuser"
                : _needsSuperuser ? "clone as a superuser (and the roles named here first, with a roles clone)" : "clone those roles first with a roles clone");
        else _skipped.AddRange(_absentRoles);
    }

    /// <summary>Why the cloning user cannot store a database's or role's setting (<see cref="TargetState.CannotSet"/>), which a superuser could.</summary>
    private string? CannotSet(string? role, string parameter)
    {
        var reason = state.CannotSet(role, parameter);
        _needsSuperuser |= reason is not null;
        return reason;
    }

    /// <summary>
    /// Why the cloning user cannot act as a role on the target (<see cref="TargetState.CannotActAs"/>); a role that is
    /// there but not the cloning user's changes the remedy the refusal gives.
    /// </summary>
    private string? CannotActAs(string role)
    {
        var gap = state.CannotActAs(role);
        if (gap is not null && state.Roles.Contains(role)) _needsMembership = true;
        return gap;
    }

    /// <summary>
    /// The extensions the clone needs (a database clone: all of them, but plpgsql, which every database has), each
    /// after those it requires, which it needs too: CREATE EXTENSION ... CASCADE would make a missing one in the
    /// dependent's schema (pgrouting, created before postgis by name, put postgis in its own schema, and a column of
    /// the type in postgis's schema on the source named nothing on the target).
    /// </summary>
    private List<string> ExtensionNames() => _extensionNames ??= InRequiredOrder(NeededExtensions());

    private List<string>? _extensionNames;

    private List<string> InRequiredOrder(IEnumerable<string> names)
    {
        var byName = catalog.Extensions.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var ordered = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string name)
        {
            if (!byName.TryGetValue(name, out var ext) || !seen.Add(name)) return;
            foreach (var required in ext.Requires) Visit(required);
            ordered.Add(name);
        }
        foreach (var name in names.Distinct().Order(StringComparer.Ordinal)) Visit(name);
        return ordered;
    }

    private IEnumerable<string> NeededExtensions()
    {
        var users = scope.Tables.Select(t => t.Oid).Concat(scope.Types.Select(t => t.Oid)).Concat(scope.Functions.Select(f => f.Oid)).ToHashSet();
        var names = request.Operation switch
        {
            CloneOperation.Table or CloneOperation.Functions => catalog.ExtensionUses.Where(u => users.Contains(u.UserOid)).Select(u => u.Extension),
            CloneOperation.Schema => catalog.ExtensionUses.Select(u => u.Extension),
            _ => catalog.ExtensionUses.Select(u => u.Extension).Concat(catalog.Extensions.Select(e => e.Name)),
        };
        return names.Concat(scope.Bodies.Extensions(scope.Functions));
    }

    private IEnumerable<DdlStatement> Extensions()
    {
        var createdSchemas = new HashSet<string>(catalog.Schemas.Select(s => s.Name));
        foreach (var name in ExtensionNames())
        {
            if (state.InstalledExtensions.Contains(name)) continue;
            var problem = !state.AvailableExtensions.Contains(name) ? "is not available on the target server (not in pg_available_extensions); install it there first"
                : !state.IsSuperuser && !state.TrustedExtensions.Contains(name)
                    ? $"is not a trusted extension: only a superuser can create it, and {Sql.Ident(state.CurrentUser)} is not one; have one create it in the target database first"
                    : null;
            if (problem is not null)
            {
                var missing = PgCloneException.For(request.Target, $"extension {Sql.Ident(name)}", problem);
                if (issues is null) throw missing;
                issues(new PlanIssue("extension", true, $"extension {Sql.Ident(name)}", problem, missing));
                continue;
            }
            var ext = catalog.Extensions.First(e => e.Name == name);
            if (!state.Schemas.Contains(ext.Schema) && createdSchemas.Add(ext.Schema))
                yield return new DdlStatement("schema", Sql.Ident(ext.Schema), $"CREATE SCHEMA IF NOT EXISTS {Sql.Ident(ext.Schema)}");
            yield return new DdlStatement("extension", Sql.Ident(name), $"CREATE EXTENSION IF NOT EXISTS {Sql.Ident(name)} WITH SCHEMA {Sql.Ident(ext.Schema)}{VersionClause(ext)} CASCADE");
            foreach (var trigger in QuietEventTriggers(ext))
                yield return new DdlStatement("event trigger", Sql.Ident(trigger.Name), $"ALTER EVENT TRIGGER {Sql.Ident(trigger.Name)} DISABLE");
        }
    }

    /// <summary>
    /// The event triggers of an extension this run creates, off while the clone runs (<see cref="EventTriggersBack"/>):
    /// CREATE EXTENSION makes them at once, and they judge the clone's statements as they come, in an order the source
    /// never had (periods' health checks refuse a grant on a table whose history table the clone has not yet given it;
    /// pg_dump | psql fails there too). Only a superuser may alter them.
    /// </summary>
    private IEnumerable<ExtensionEventTrigger> QuietEventTriggers(ExtensionInfo ext) => state.IsSuperuser ? ext.EventTriggers : [];

    /// <summary>Those event triggers back in their state on the source, last: after everything they would have judged.</summary>
    private IEnumerable<DdlStatement> EventTriggersBack() =>
        catalog.Extensions.Where(e => CreatesExtension(e.Name)).SelectMany(QuietEventTriggers).Where(t => t.Enabled != 'D')
            .Select(t => new DdlStatement("event trigger", Sql.Ident(t.Name),
                $"ALTER EVENT TRIGGER {Sql.Ident(t.Name)} {(t.Enabled == 'R' ? "ENABLE REPLICA" : t.Enabled == 'A' ? "ENABLE ALWAYS" : "ENABLE")}"));

    /// <summary>
    /// VERSION when the source's version is not the one the target installs by default (pg_dump leaves it out, so a
    /// restore gets the default, whose objects may differ); a version the target cannot install refuses the run, or
    /// with skip_unsupported takes the default and says so.
    /// </summary>
    private string VersionClause(ExtensionInfo ext)
    {
        var fallback = state.DefaultExtensionVersions.GetValueOrDefault(ext.Name);
        if (ext.Version == fallback) return "";
        if (state.ExtensionVersions.Contains((ext.Name, ext.Version))) return $" VERSION {Sql.Literal(ext.Version)}";
        var problem = $"version {ext.Version} (the source's) is not available on the target server, which has {fallback} by default";
        if (!request.EffectiveOptions.SkipUnsupported)
        {
            var refused = PgCloneException.For(request.Target, $"extension {Sql.Ident(ext.Name)}",
                $"{problem}: install that version there, or set \"skip_unsupported\": true to create {fallback}");
            if (issues is null) throw refused;
            issues(new PlanIssue("extension", true, $"extension {Sql.Ident(ext.Name)}", problem, refused));
        }
        else _skipped.Add($"extension {Sql.Ident(ext.Name)}: {problem}; created at {fallback}");
        return "";
    }

    /// <summary>Whether this run creates the extension on the target (it needs it, and the target lacks it).</summary>
    private bool CreatesExtension(string name) =>
        (_createdExtensions ??= ExtensionNames().Where(n => !state.InstalledExtensions.Contains(n) && state.AvailableExtensions.Contains(n))
            .ToHashSet(StringComparer.Ordinal)).Contains(name);

    private HashSet<string>? _createdExtensions;

    /// <summary>
    /// Collations of the cloned schemas (those its objects use, for a table or functions clone), created when the target
    /// lacks them (before any type or column uses one).
    /// </summary>
    private IEnumerable<DdlStatement> Collations() =>
        catalog.Collations.Where(c => !state.Collations.Contains(c.Name)
                                      && (request.Operation is not (CloneOperation.Table or CloneOperation.Functions) || scope.BroughtCollations.Contains(c.Oid)))
        .SelectMany(c => new[]
        {
            new DdlStatement("collation", c.Name.Quoted, CollationDdl.Create(c)),
            OwnerTo("collation", c.Name.Quoted, $"COLLATION {c.Name.Quoted}", c.Owner),
        }.OfType<DdlStatement>());

    /// <summary>A table clone of a partition or an inheritance child needs its parent on the target.</summary>
    private void RequireParentsOfClonedTable()
    {
        if (request.Operation != CloneOperation.Table) return;
        var table = scope.Tables[0];
        foreach (var parent in table.Parents.Select(catalog.Table))
            if (parent is not null && !state.Relations.ContainsKey(parent.Name))
                throw PgCloneException.For(request.Target, $"table {table.Name.Quoted}",
                    $"{(table.IsPartition ? "is a partition of" : "inherits from")} {parent.Name.Quoted}, which is not on the target; clone that table first");
    }

    /// <summary>What a table clone merely needs (a type, a function, a shared sequence) is reused when the target has it.</summary>
    private void ExcludeReused()
    {
        foreach (var t in scope.Types.Where(t => scope.NeededOnly.Contains(t.Oid) && state.Types.ContainsKey(t.Name))) _excluded.Add(t.Oid);
        foreach (var f in scope.Functions.Where(f => scope.NeededOnly.Contains(f.Oid) && state.Functions.Contains(f.Signature))) _excluded.Add(f.Oid);
        foreach (var s in scope.Sequences.Where(s => scope.NeededOnly.Contains(s.Oid) && state.Relations.ContainsKey(s.Name))) _excluded.Add(s.Oid);
    }

    private IEnumerable<PlannedObject> PrimaryObjects()
    {
        foreach (var t in scope.Types.Where(t => !scope.NeededOnly.Contains(t.Oid)))
            yield return new PlannedObject(t.Oid, t.Kind == UserTypeKind.Domain ? "domain" : "type", t.Name);
        // A sequence owned by a cloned table goes with the table (skipped, replaced or moved aside with it).
        var tables = scope.Tables.Select(t => t.Oid).ToHashSet();
        foreach (var s in scope.Sequences.Where(s => !scope.NeededOnly.Contains(s.Oid) && !tables.Contains(s.OwnerTable)))
            yield return new PlannedObject(s.Oid, "sequence", naming.Sequence(s));
        foreach (var t in scope.Tables) yield return new PlannedObject(t.Oid, "table", naming.Table(t), Columns: [.. ColumnsOf(t).Select(c => c.Name)]);
        foreach (var f in scope.Functions.Where(f => !scope.NeededOnly.Contains(f.Oid)))
            yield return new PlannedObject(f.Oid, f.Kind == 'p' ? "procedure" : "function", f.Name, f.IdentityArguments);
        if (request.Operation != CloneOperation.Table)
            foreach (var a in catalog.Aggregates) yield return new PlannedObject(a.Oid, "aggregate", a.Name, a.IdentityArguments);
        foreach (var v in scope.Views) yield return new PlannedObject(v.Oid, Kind(v), v.Name);
    }

    /// <summary>Every relation name the plan creates, so a moved-aside object never takes one of them.</summary>
    private HashSet<QualifiedName> PlannedNames()
    {
        var names = new HashSet<QualifiedName>();
        foreach (var t in scope.Tables)
        {
            names.Add(naming.Table(t));
            foreach (var i in catalog.IndexesOf(t.Oid)) names.Add(i.Name with { Name = naming.Child(t.Oid, i.Name.Name) });
        }
        foreach (var s in scope.Sequences.Concat(scope.Tables.SelectMany(t => catalog.SequencesOwnedBy(t.Oid)))) names.Add(naming.Sequence(s));
        foreach (var v in scope.Views) names.Add(v.Name);
        foreach (var t in scope.Types) names.Add(t.Name);
        return names;
    }

    /// <summary>
    /// Relation names created along with the created tables and materialized views (indexes, identity and owned
    /// sequences), each with the one that brings it.
    /// </summary>
    private IEnumerable<(string Kind, QualifiedName Name, string Owner)> BroughtNames()
    {
        foreach (var t in Tables)
        {
            var owner = $"table {naming.Table(t).Quoted}";
            foreach (var i in catalog.IndexesOf(t.Oid)) yield return ("index", i.Name with { Name = naming.Child(t.Oid, i.Name.Name) }, owner);
            foreach (var s in catalog.SequencesOwnedBy(t.Oid)) yield return ("sequence", naming.Sequence(s), owner);
        }
        foreach (var v in Views.Where(v => v.Materialized))
            foreach (var i in catalog.IndexesOf(v.Oid)) yield return ("index", i.Name, $"materialized view {v.Name.Quoted}");
    }

    private static string Kind(ViewInfo v) => v.Materialized ? "materialized view" : "view";

    private IReadOnlyList<ColumnInfo> ColumnsOf(TableInfo t) => scope.Columns.GetValueOrDefault(t.Oid) ?? t.Columns;

    /// <summary>Whether every column an index, constraint, trigger, statistics object, policy or rule reads is cloned; if not, it is listed as skipped.</summary>
    private bool UsesClonedColumns(TableInfo t, IReadOnlyList<int> columns, string what)
    {
        var cloned = ColumnsOf(t).Select(c => c.Number).ToHashSet();
        var missing = columns.FirstOrDefault(n => !cloned.Contains(n));
        if (missing == 0) return true;
        _skipped.Add($"{what} on table {naming.Table(t).Quoted}: uses column {Sql.Ident(ColumnName(t, missing))}, which is not cloned");
        return false;
    }

    private static string ColumnName(TableInfo t, int number) =>
        t.Columns.FirstOrDefault(c => c.Number == number)?.Name ?? number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
