using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// An object the plan creates, as the conflict check sees it. Functions are identified by signature; a table carries
/// the columns it is created with (what replacing the target's table keeps of its columns).
/// </summary>
internal sealed record PlannedObject(uint Oid, string Kind, QualifiedName Name, string? Arguments = null, IReadOnlyList<string>? Columns = null)
{
    public string? Signature => Arguments is null ? null : FunctionInfo.SignatureOf(Name, Arguments);
    public string Display => $"{Kind} {Signature ?? Name.Quoted}";
    /// <summary>The object as DROP and ALTER name it: an aggregate of no arguments is <c>name(*)</c>.</summary>
    public string Addressed => Kind == "aggregate" && Arguments == "" ? $"{Name.Quoted}(*)" : Signature ?? Name.Quoted;
}

/// <summary>
/// Applies the conflict strategy to objects the plan would create that already exist on the target:
/// error (fail naming it, nothing changed), skip (leave it, neither create nor load it), replace (drop it with
/// CASCADE, then create; refused when that would drop anything the clone does not create again, see
/// <see cref="TargetState.DroppedAlongAsync"/>), rename (move it aside to name_old, name_old_2, ...; a table's indexes and owned
/// sequences move with it so their names are free for the copy).
/// </summary>
internal sealed class ConflictResolver(ConflictStrategy strategy, TargetState target, ServerEndpoint targetServer, IReadOnlySet<QualifiedName> plannedNames,
    Action<PlanIssue>? issues = null)
{
    private readonly HashSet<QualifiedName> _chosen = [];
    public List<DdlStatement> Statements { get; } = [];
    public HashSet<uint> SkippedOids { get; } = [];
    public List<string> Skipped { get; } = [];
    /// <summary>The objects replace drops, as reg* type and name (<see cref="ClonePlan.Replaced"/>).</summary>
    public List<(string RegType, string Name)> Replaced { get; } = [];
    /// <summary>Every planned object that already exists on the target (what a preview shows before a run).</summary>
    public List<string> Conflicts { get; } = [];
    /// <summary>
    /// What the strategy did to the target's own objects that the run's result must say (<see cref="ClonePlan.Notes"/>):
    /// what replace dropped and created again, the columns a replaced table had that the copy lacks, and where each
    /// object moved aside went.
    /// </summary>
    public IReadOnlyList<string> Notes => _replacedShown.Count == 0 ? _notes
        : [$"replaced on the target (dropped with CASCADE and created again): {string.Join(", ", _replacedShown.Take(Listed))}" +
           (_replacedShown.Count > Listed ? $" and {_replacedShown.Count - Listed} more" : ""), .. _notes];

    private readonly List<string> _notes = [];
    /// <summary>What replace drops, as the notes name it.</summary>
    private readonly List<string> _replacedShown = [];

    public void Resolve(IEnumerable<PlannedObject> planned)
    {
        foreach (var p in planned)
        {
            var existingKind = Existing(p);
            if (existingKind is null) continue;
            Conflicts.Add(p.Display);
            switch (strategy)
            {
                case ConflictStrategy.Error:
                    Refuse(p.Display);
                    // (Reached only by the preflight, which goes on:) the object's own indexes and sequences are not more conflicts.
                    Free(p.Name);
                    break;
                case ConflictStrategy.Skip:
                    SkippedOids.Add(p.Oid);
                    Skipped.Add($"{p.Display}: already exists on the target (conflict=skip)");
                    issues?.Invoke(new PlanIssue("conflict", false, p.Display, "already exists on the target: left as it is, not created nor loaded (conflict=skip)"));
                    break;
                case ConflictStrategy.Replace:
                    var lost = LostColumns(p, existingKind.Value);
                    issues?.Invoke(new PlanIssue("conflict", false, p.Display,
                        "already exists on the target: dropped with CASCADE and created again (conflict=replace)" + (lost is null ? "" : $"; {lost}")));
                    if (lost is not null) _notes.Add($"{p.Display}: replaced; {lost}");
                    Statements.Add(new DdlStatement(p.Kind, p.Signature ?? p.Name.Quoted, $"DROP {Keyword(p, existingKind.Value)} IF EXISTS {p.Addressed} CASCADE"));
                    _replacedShown.Add(p.Display);
                    Replaced.Add(existingKind switch { 'F' => ("regprocedure", p.Signature!), 'T' or 'D' => ("regtype", p.Name.Quoted), _ => ("regclass", p.Name.Quoted) });
                    Free(p.Name);
                    break;
                case ConflictStrategy.Rename:
                    var moved = Rename(p, existingKind.Value);
                    issues?.Invoke(new PlanIssue("conflict", false, p.Display, $"already exists on the target: moved aside to {moved} (conflict=rename)"));
                    break;
            }
        }
    }

    private readonly HashSet<(string, string)> _movedTypes = [];

    /// <summary>Whether a name mentions a type rename moves aside (a cast from it, an operator on it): the existing one then goes by the type's new name.</summary>
    private bool MentionsMovedType(string name)
    {
        if (_movedTypes.Count == 0) return false;
        var tokens = SqlTokens.Read(name);
        for (var i = 0; i + 2 < tokens.Count; i++)
            if (tokens[i].IsIdentifier && tokens[i + 1].Kind == SqlTokenKind.Dot && tokens[i + 2].IsIdentifier && _movedTypes.Contains((tokens[i].Value, tokens[i + 2].Value)))
                return true;
        return false;
    }

    /// <summary>The order the other kinds are dropped in under replace: what uses an object before it.</summary>
    private static readonly string[] KindDropOrder = ["operator class", "operator family", "text search configuration", "text search dictionary",
        "text search template", "text search parser", "cast", "operator", "conversion"];

    /// <summary>
    /// Objects of the other kinds (operators, their families and classes, conversions, text search objects, casts)
    /// that already exist: error refuses; skip leaves them (returned, to be left out of the plan); replace drops each
    /// once the objects it replaces are gone (with what they took along), without CASCADE, so one anything else still
    /// uses fails the run before anything changes; rename, which these kinds do not all have (an operator has no
    /// name of its own to change), refuses.
    /// </summary>
    public IReadOnlySet<ObjectKey> ResolveKinds(IEnumerable<KindObject> kinds)
    {
        var skipped = new HashSet<ObjectKey>();
        var drops = new List<KindObject>();
        foreach (var k in kinds.Where(k => target.KindObjects.Contains((k.Kind, k.Name)) && !MentionsMovedType(k.Name)))
        {
            var display = $"{k.Kind} {k.Name}";
            Conflicts.Add(display);
            if (strategy == ConflictStrategy.Skip)
            {
                skipped.Add(k.Key);
                Skipped.Add($"{display}: already exists on the target (conflict=skip)");
                issues?.Invoke(new PlanIssue("conflict", false, display, "already exists on the target: left as it is, not created (conflict=skip)"));
                continue;
            }
            if (strategy == ConflictStrategy.Replace)
            {
                drops.Add(k);
                _replacedShown.Add(display);
                issues?.Invoke(new PlanIssue("conflict", false, display, "already exists on the target: dropped and created again (conflict=replace)"));
                continue;
            }
            var problem = strategy == ConflictStrategy.Error ? ExistsProblem
                : $"already exists, and conflict=rename does not apply to {("aeiou".Contains(k.Kind[0]) ? "an" : "a")} {k.Kind} (nothing was changed; drop it on the target first, or choose conflict skip or replace)";
            var error = PgCloneException.For(targetServer, display, problem);
            if (issues is null) throw error;
            issues(new PlanIssue("conflict", true, display, problem, error));
        }
        foreach (var k in drops.OrderBy(k => Array.IndexOf(KindDropOrder, k.Kind)))
            Statements.Add(new DdlStatement(k.Kind, k.Name, $"DROP {k.Kind.ToUpperInvariant()} IF EXISTS {k.Name}"));
        return skipped;
    }

    /// <summary>
    /// Names a created object brings along (its indexes, identity and owned sequences) that an unrelated target
    /// relation already uses (a sequence left by a failed run, say), all settled before anything changes: error
    /// refuses; rename moves the relation aside; replace drops a sequence of that name and creates the copy's (what
    /// the drop would take along is checked as for any replaced object) and refuses any other relation, which is not
    /// the clone's to drop; skip refuses, as leaving it would leave the object that needs the name uncreatable.
    /// </summary>
    public void ResolveBroughtNames(IEnumerable<(string Kind, QualifiedName Name, string Owner)> names)
    {
        foreach (var (kind, name, owner) in names)
        {
            if (_freed.Contains(name) || !target.Relations.TryGetValue(name, out var rel)) continue;
            var display = $"{kind} {name.Quoted}";
            Conflicts.Add(display);
            switch (strategy)
            {
                case ConflictStrategy.Error:
                    Refuse(display);
                    break;
                case ConflictStrategy.Rename:
                    _notes.Add($"{Keyword(rel.Kind).ToLowerInvariant()} {name.Quoted} moved aside to {MoveAside(new PlannedObject(0, kind, name), Keyword(rel.Kind), name).Quoted}");
                    break;
                case ConflictStrategy.Replace when rel.Kind == 'S' && kind == "sequence":
                    issues?.Invoke(new PlanIssue("conflict", false, display, "already exists on the target: dropped with CASCADE and created again (conflict=replace)"));
                    Statements.Add(new DdlStatement(kind, name.Quoted, $"DROP SEQUENCE IF EXISTS {name.Quoted} CASCADE"));
                    _replacedShown.Add(display);
                    Replaced.Add(("regclass", name.Quoted));
                    Free(name);
                    break;
                default:
                    var taken = $"{Keyword(rel.Kind).ToLowerInvariant()} {name.Quoted}";
                    var shown = taken == display ? "" : $" as {taken}";
                    Refuse(display, strategy == ConflictStrategy.Replace
                        ? $"the name {owner} brings for its {kind} is taken on the target by {taken}, which conflict=replace does not drop (the clone " +
                          "does not create it again); drop or rename it on the target, or choose conflict rename (nothing was changed)"
                        : $"already exists on the target{shown}, and {owner} brings its {kind} under that name: conflict=skip cannot leave it and create " +
                          $"{owner}; drop or rename it on the target, or choose conflict replace or rename (nothing was changed)");
                    break;
            }
        }
    }

    /// <summary>How many objects a note names (<see cref="KeptNote"/>, what replace dropped) before it counts the rest.</summary>
    private const int Listed = 20;

    /// <summary>
    /// The note a schema or database clone that goes on over what exists gives of the tables and views of its
    /// schemas that only the target has: left as they are (replace drops only what it creates again, and what
    /// depends on that), beside the copy, where a user may take the schema for the source's. Null when there are none.
    /// </summary>
    /// <param name="schemas">The cloned schemas, as <paramref name="target"/> names them.</param>
    /// <param name="dropped">Relations that go with what replace drops (<see cref="TargetState.DroppedAlongAsync"/>), by their names on the target.</param>
    /// <param name="onTarget">A name of <paramref name="target"/> as the target spells it (the new schema's, under target_name).</param>
    public static string? KeptNote(TargetState target, SourceCatalog catalog, IReadOnlySet<string> schemas, IEnumerable<QualifiedName> dropped,
        Func<QualifiedName, QualifiedName> onTarget)
    {
        var source = catalog.Tables.Select(t => t.Name).Concat(catalog.Views.Select(v => v.Name)).Concat(catalog.Sequences.Select(s => s.Name))
            .Concat(catalog.Indexes.Select(i => i.Name)).ToHashSet();
        var gone = dropped.ToHashSet();
        var kept = target.Relations.Values
            .Where(r => r.Kind is 'r' or 'p' or 'v' or 'm' or 'f' && !r.ExtensionMember && schemas.Contains(r.Name.Schema) && !source.Contains(r.Name))
            .Select(r => (Kind: RelationKind(r.Kind), Name: onTarget(r.Name))).Where(r => !gone.Contains(r.Name)).OrderBy(r => r.Name).ToList();
        if (kept.Count == 0) return null;
        var more = kept.Count > Listed ? $" and {kept.Count - Listed} more" : "";
        return $"kept on the target, not in the source: {string.Join(", ", kept.Take(Listed).Select(k => $"{k.Kind} {k.Name.Quoted}"))}{more}";
    }

    private static string RelationKind(char kind) => kind switch
    {
        'v' => "view", 'm' => "materialized view", 'f' => "foreign table", _ => "table",
    };

    public const string ExistsProblem = "already exists (conflict strategy is error; nothing was changed)";

    /// <summary>Fails naming the object (conflict=error: it exists), or (for the preflight) reports it and goes on.</summary>
    private void Refuse(string display, string problem = ExistsProblem)
    {
        var error = PgCloneException.For(targetServer, display, problem);
        if (issues is null) throw error;
        issues(new PlanIssue("conflict", true, display, problem, error));
    }

    /// <summary>A relation dropped or moved aside frees its own name and those of its indexes and owned sequences.</summary>
    private void Free(QualifiedName name)
    {
        _freed.Add(name);
        if (!target.Relations.TryGetValue(name, out var rel)) return;
        foreach (var n in rel.Indexes.Concat(rel.OwnedSequences)) _freed.Add(name with { Name = n });
    }

    private readonly HashSet<QualifiedName> _freed = [];
    private int _routinesRenamed;

    /// <summary>The existing object's kind: a relkind, 'T'/'D' for a type/domain, 'F' for a routine; null when free.</summary>
    private char? Existing(PlannedObject p)
    {
        if (p.Signature is not null) return target.Functions.Contains(p.Signature) ? 'F' : null;
        if (target.Relations.TryGetValue(p.Name, out var rel)) return rel.Kind;
        if (p.Kind is "type" or "domain" && target.Types.TryGetValue(p.Name, out var t)) return t == 'd' ? 'D' : 'T';
        return null;
    }

    /// <summary>
    /// The target's columns that replacing its table drops and the source's table (as the clone creates it) lacks:
    /// someone's hand-made column on a staging copy goes with its rows and indexes, which only this says; null when none.
    /// </summary>
    private string? LostColumns(PlannedObject p, char kind)
    {
        if (p.Columns is null || kind is not ('r' or 'p') || !target.Relations.TryGetValue(p.Name, out var rel)) return null;
        var lost = rel.Columns.Where(c => !p.Columns.Contains(c)).ToList();
        return lost.Count switch
        {
            0 => null,
            1 => $"its column {Sql.Ident(lost[0])} that the source's table lacks is dropped with it",
            _ => $"its columns {string.Join(", ", lost.Select(Sql.Ident))} that the source's table lacks are dropped with it",
        };
    }

    private static string Keyword(PlannedObject p, char kind) => p.Kind == "aggregate" ? "AGGREGATE" : Keyword(kind);

    private static string Keyword(char kind) => kind switch
    {
        'r' or 'p' => "TABLE", 'v' => "VIEW", 'm' => "MATERIALIZED VIEW", 'S' => "SEQUENCE", 'i' or 'I' => "INDEX",
        'f' => "FOREIGN TABLE", 'D' => "DOMAIN", 'F' => "ROUTINE", _ => "TYPE",
    };

    /// <summary>Moves the existing object aside (noting where it went, <see cref="Notes"/>) and returns its new name.</summary>
    private string Rename(PlannedObject p, char kind)
    {
        if (p.Signature is not null)
        {
            var fresh = FreshName(p.Name, n => target.Functions.Contains(FunctionInfo.SignatureOf(n, p.Arguments!)));
            // Before any type moves: the routine is named by its arguments' types.
            Statements.Insert(_routinesRenamed++, new DdlStatement(p.Kind, p.Signature, $"ALTER {Keyword(p, kind)} {p.Addressed} RENAME TO {Sql.Ident(fresh.Name)}"));
            var signature = FunctionInfo.SignatureOf(fresh, p.Arguments!);
            _notes.Add($"{p.Display} moved aside to {signature}");
            return signature;
        }
        var newName = FreshName(p.Name, n => target.NameTaken(n.Schema, n.Name));
        Statements.Add(new DdlStatement(p.Kind, p.Name.Quoted, $"ALTER {Keyword(kind)} {p.Name.Quoted} RENAME TO {Sql.Ident(newName.Name)}"));
        _freed.Add(p.Name);
        if (kind is 'T' or 'D' or 'c') _movedTypes.Add((p.Name.Schema, p.Name.Name));
        // A range's multirange and the constructor functions of both keep their names when the range moves: they move
        // aside too (before it, as they are named by its arguments), or the new range's could not be made.
        if (target.Multiranges.TryGetValue(p.Name, out var multirange))
        {
            var multiNew = MoveAside(p, "TYPE", multirange);
            foreach (var (type, moved) in new[] { (p.Name, newName), (multirange, multiNew) })
                foreach (var constructor in target.Functions.Where(f => f.StartsWith(type.Quoted + "(", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                    Statements.Insert(_routinesRenamed++, new DdlStatement(p.Kind, p.Name.Quoted, $"ALTER FUNCTION {constructor} RENAME TO {Sql.Ident(moved.Name)}"));
        }
        var note = $"{Keyword(kind).ToLowerInvariant()} {p.Name.Quoted} moved aside to {newName.Quoted}";
        if (kind is not ('r' or 'p' or 'm') || !target.Relations.TryGetValue(p.Name, out var rel))
        {
            _notes.Add(target.Multiranges.ContainsKey(p.Name) ? $"{note}, with its multirange type and constructor functions" : note);
            return newName.Quoted;
        }
        // The moved table's (or materialized view's) indexes (and so its constraints) and owned sequences free their names too.
        foreach (var index in rel.Indexes)
            MoveAside(p, "INDEX", p.Name with { Name = index });
        foreach (var sequence in rel.OwnedSequences)
            MoveAside(p, "SEQUENCE", p.Name with { Name = sequence });
        var along = (rel.Indexes.Count > 0, rel.OwnedSequences.Count > 0) switch
        {
            (true, true) => ", with its indexes and sequences", (true, false) => ", with its indexes", (false, true) => ", with its sequences", _ => "",
        };
        _notes.Add(note + along);
        return newName.Quoted;
    }

    private QualifiedName MoveAside(PlannedObject owner, string keyword, QualifiedName name)
    {
        var fresh = FreshName(name, n => target.NameTaken(n.Schema, n.Name));
        Statements.Add(new DdlStatement(owner.Kind, owner.Name.Quoted, $"ALTER {keyword} {name.Quoted} RENAME TO {Sql.Ident(fresh.Name)}"));
        _freed.Add(name);
        return fresh;
    }

    private QualifiedName FreshName(QualifiedName name, Func<QualifiedName, bool> taken)
    {
        for (var i = 1; ; i++)
        {
            var candidate = name with { Name = PgName.WithSuffix(name.Name, i == 1 ? "_old" : $"_old_{i}") };
            if (taken(candidate) || plannedNames.Contains(candidate) || _chosen.Contains(candidate)) continue;
            _chosen.Add(candidate);
            return candidate;
        }
    }
}
