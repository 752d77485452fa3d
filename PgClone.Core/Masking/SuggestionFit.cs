using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>
/// Discovery's suggestions made to pass the gates a masked clone runs before it writes
/// (<see cref="ColumnMasker.EnsureCoverageAsync"/>), so that its output runs as printed. Users paste it unread:
/// a suggestion the clone refuses is a dead end, not a hint.
/// <list type="bullet">
/// <item>No rule on a partition key column (each partition loads by itself) nor on a stored generated column (the
/// target computes it again from its base columns, whose own rules mask it; a rule of its own never applies).</item>
/// <item>The two sides of each foreign key inside the schema get one deterministic rule that fits both (a side
/// discovery did not flag included), or neither gets one: a key masked on one side, or two ways, breaks.</item>
/// <item>Each table's rules are tried together on a masked sample (<see cref="MaskFitProbe"/>), as the gate tries
/// them: a CHECK over two masked columns, a domain's check or a unique key a rule breaks makes it give way to the
/// next strategy of its category (none when none fits).</item>
/// </list>
/// Keyed strategies are tried under a throwaway key: a value's shape does not depend on the key.
/// </summary>
internal sealed class SuggestionFit
{
    /// <summary>One column pair of a foreign key, a partition's columns standing for its root's (discovery's findings are the root's).</summary>
    private sealed record Link(string Constraint, (QualifiedName Table, string Column) From, (QualifiedName Table, string Column) To, string FromType, string ToType);

    /// <summary>Columns foreign keys tie together (directly or through each other), in catalog order, with the keys that tie them.</summary>
    private sealed record Linked(IReadOnlyList<(QualifiedName Table, string Column)> Members, IReadOnlyList<Link> Links);

    private readonly NpgsqlConnection _conn;
    private readonly ServerEndpoint _server;
    private readonly Dictionary<(QualifiedName Table, string Column), MaskCatalogColumn> _catalog = [];
    private readonly Dictionary<(QualifiedName Table, string Column), int> _order = [];
    private readonly Dictionary<(QualifiedName Table, string Column), SensitiveColumn> _result = [];
    private readonly Dictionary<QualifiedName, List<MaskedColumn>> _chosen = [];
    private readonly Lazy<MaskKeySql> _key = new(() => MaskingSecret.Random().InlineSql());
    private IReadOnlyList<MaskCatalog.CheckConstraint> _checks = [];
    private IReadOnlySet<(QualifiedName Table, string Column)> _constrained = new HashSet<(QualifiedName, string)>();

    private SuggestionFit(NpgsqlConnection conn, ServerEndpoint server, IReadOnlyList<MaskCatalogColumn> columns, IEnumerable<SensitiveColumn> found)
    {
        (_conn, _server) = (conn, server);
        for (var i = 0; i < columns.Count; i++)
        {
            _catalog[(columns[i].Table, columns[i].Column)] = columns[i];
            _order[(columns[i].Table, columns[i].Column)] = i;
        }
        foreach (var f in found) _result[(f.Table, f.Column)] = f;
    }

    /// <param name="conn">A session in a read-only transaction (the probe masks its samples under savepoints).</param>
    /// <param name="columns">Every column of the schema's tables (<see cref="MaskCatalog.ColumnsAsync"/>), in catalog order.</param>
    public static async Task<List<SensitiveColumn>> FitAsync(NpgsqlConnection conn, ServerEndpoint server, List<SensitiveColumn> found,
        IReadOnlyList<MaskCatalogColumn> columns, CancellationToken ct)
    {
        var fit = new SuggestionFit(conn, server, columns, found);
        var groups = await fit.LinkedAsync(ct);
        List<(QualifiedName Table, string Column)> tried = [.. found.Select(f => (f.Table, f.Column)).Concat(groups.SelectMany(g => g.Members)).Distinct()];
        fit._checks = await MaskCatalog.ChecksReadingAsync(conn, server, tried, ct);
        fit._constrained = await MaskCatalog.ConstrainedAsync(conn, server, tried, ct);
        var unmaskable = await fit.LeaveOutUnmaskableAsync(tried, ct);
        var groupOf = groups.SelectMany(g => g.Members.Select(m => (Member: m, Group: g))).ToDictionary(x => x.Member, x => x.Group);
        var fitted = new HashSet<Linked>();
        // In catalog order, each choice tried with those made before it in its tables: the last one made passes them all.
        foreach (var f in found)
            if (!groupOf.TryGetValue((f.Table, f.Column), out var group)) await fit.FitColumnAsync((f.Table, f.Column), ct);
            else if (fitted.Add(group)) await fit.FitLinkedAsync(group, unmaskable, ct);
        await fit.ExplainGeneratedAsync(ct);
        return [.. fit._result.Values.OrderBy(f => fit._order[(f.Table, f.Column)])];
    }

    /// <summary>The groups of columns the schema's foreign keys tie together (a key to another schema's table is left out, as a schema clone leaves it).</summary>
    private async Task<IReadOnlyList<Linked>> LinkedAsync(CancellationToken ct)
    {
        var links = (await MaskCatalog.ForeignKeysOfAsync(_conn, _server, _catalog.Keys.Select(k => k.Table).ToHashSet(), ct))
            .Where(fk => fk.ReferencedCopied)
            .Select(fk => new Link(fk.Constraint, (RootOf(fk.Table, fk.TableAncestors), fk.Column),
                (RootOf(fk.Referenced, fk.ReferencedAncestors), fk.ReferencedColumn), fk.Type, fk.ReferencedType))
            .Where(l => _catalog.ContainsKey(l.From) && _catalog.ContainsKey(l.To))
            .Distinct().ToList();
        var up = new Dictionary<(QualifiedName, string), (QualifiedName, string)>();
        (QualifiedName, string) Root((QualifiedName, string) c)
        {
            while (up.TryGetValue(c, out var parent)) c = parent;
            return c;
        }
        foreach (var l in links)
            if (Root(l.From) is var a && Root(l.To) is var b && a != b) up[a] = b;
        return [.. links.GroupBy(l => Root(l.From))
            .Select(g => new Linked([.. g.SelectMany(l => new[] { l.From, l.To }).Distinct().OrderBy(m => _order[m])], [.. g]))];
    }

    /// <summary>A partition's partitioned root (its ancestors run from its parent up), else the table itself.</summary>
    private static QualifiedName RootOf(QualifiedName table, IReadOnlyList<QualifiedName> ancestors) => ancestors.Count > 0 ? ancestors[^1] : table;

    /// <summary>
    /// Takes the suggestion off partition key columns (saying so) and stored generated columns (<see cref="ExplainGeneratedAsync"/>
    /// says why), and returns every such column of <paramref name="tried"/>: a foreign key through one cannot be masked alike.
    /// </summary>
    private async Task<IReadOnlySet<(QualifiedName Table, string Column)>> LeaveOutUnmaskableAsync(
        IReadOnlyCollection<(QualifiedName Table, string Column)> tried, CancellationToken ct)
    {
        var keys = (await MaskCatalog.PartitionKeyColumnsAsync(_conn, _server, tried, ct)).ToLookup(k => (k.Table, k.Column), k => k.Partitioned);
        foreach (var (at, f) in _result.ToList())
            if (keys.Contains(at) && f.Suggested is not null)
                _result[at] = f with
                {
                    Suggested = null,
                    Evidence = [.. f.Evidence, $"in the partition key of {keys[at].First().Quoted}: mask it on the target after the clone (mask-in-place)"],
                };
            else if (_catalog[at].Generated)
                _result[at] = f with { Suggested = null };
        return tried.Where(c => keys.Contains(c) || _catalog[c].Generated).ToHashSet();
    }

    /// <summary>A column no foreign key ties: the first strategy of its category that fits with the rules chosen before it.</summary>
    private async Task FitColumnAsync((QualifiedName Table, string Column) at, CancellationToken ct)
    {
        var f = _result[at];
        if (f.Suggested is null) return;
        var column = _catalog[at];
        MaskRule? fits = null;
        foreach (var rule in SensitiveDataScanner.Choices(f.Category, column))
            if (await FitsAsync([column], rule, ct))
            {
                fits = rule;
                break;
            }
        Choose([column], fits);
        if (fits?.ToString() == f.Suggested.ToString()) return;
        var broken = Broken(column);
        _result[at] = f with
        {
            Suggested = fits,
            Evidence = [.. f.Evidence, fits is null ? $"no strategy's values fit {broken}: mask it by hand" : $"{f.Suggested} would break {broken}: {fits} fits"],
        };
    }

    /// <summary>
    /// Columns foreign keys tie: one deterministic rule for all of them, the first of the flagged members' strategies that
    /// fits every member, cuts a hash to one length on both sides of each key, and passes each table's sample; or none.
    /// A member discovery did not flag gets a finding of its own: it holds the same values as the flagged one.
    /// </summary>
    private async Task FitLinkedAsync(Linked group, IReadOnlySet<(QualifiedName Table, string Column)> unmaskable, CancellationToken ct)
    {
        var flagged = group.Members.Where(_result.ContainsKey).Select(m => _result[m]).ToList();
        if (flagged.All(f => f.Suggested is null)) return;
        var members = group.Members.Select(m => _catalog[m]).ToList();
        var (rule, from) = group.Members.Any(unmaskable.Contains) ? (null, null) : await AlikeAsync(group, members, flagged, ct);
        Choose(members, rule);
        foreach (var m in group.Members)
        {
            var linked = LinkedTo(group, m);
            if (_result.TryGetValue(m, out var f))
            {
                if (f.Suggested?.ToString() != rule?.ToString())
                    _result[m] = f with
                    {
                        Suggested = rule,
                        Evidence = [.. f.Evidence, rule is null
                            ? $"{linked}: no deterministic rule fits both sides of the key, and one side masked alone breaks it: mask them by hand"
                            : $"{linked}: {rule} masks them alike"],
                    };
            }
            else if (rule is not null && from is not null)
                _result[m] = new SensitiveColumn(m.Table, m.Column, _catalog[m].DataType, from.Category, "medium",
                    [$"{linked}, which holds {from.Category}: {rule} masks them alike"], rule) { InheritedFrom = _catalog[m].InheritedFrom };
        }
    }

    /// <summary>The first deterministic strategy of the flagged members' categories, in turn, that fits every member; with the finding that gave it.</summary>
    private async Task<(MaskRule? Rule, SensitiveColumn? From)> AlikeAsync(Linked group, IReadOnlyList<MaskCatalogColumn> members,
        IReadOnlyList<SensitiveColumn> flagged, CancellationToken ct)
    {
        var tried = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in flagged.OrderBy(f => f.Suggested is null))
            foreach (var rule in SensitiveDataScanner.Choices(f.Category, _catalog[(f.Table, f.Column)]))
                if (rule.IsDeterministic && tried.Add(rule.ToString()) && members.All(m => SensitiveDataScanner.Fits(rule, m))
                    && group.Links.All(l => ColumnMasker.CutTo(l.FromType, rule) == ColumnMasker.CutTo(l.ToType, rule))
                    && await FitsAsync(members, rule, ct))
                    return (rule, f);
        return (null, null);
    }

    /// <summary>A stored generated column's finding says what masks it: its base columns' rules, or which of them need one.</summary>
    private async Task ExplainGeneratedAsync(CancellationToken ct)
    {
        foreach (var (at, f) in _result.Where(r => _catalog[r.Key].Generated).ToList())
        {
            var bases = await MaskCatalog.GeneratedFromAsync(_conn, _server, at.Table, at.Column, ct);
            var unmasked = bases.Where(b => _result.GetValueOrDefault((at.Table, b))?.Suggested is null).Select(Sql.Ident).ToList();
            var computed = $"computed on the target from {string.Join(", ", bases.Select(Sql.Ident))}";
            _result[at] = f with
            {
                Evidence = [.. f.Evidence, unmasked.Count == 0
                    ? $"{computed}: their rules mask it (a rule of its own would not apply)"
                    : $"{computed}: mask {string.Join(", ", unmasked)} and it follows (a rule of its own cannot apply)"],
            };
        }
    }

    /// <summary>Whether the rule on these columns, with the rules chosen before in their tables, passes each table's masked sample.</summary>
    private async Task<bool> FitsAsync(IReadOnlyList<MaskCatalogColumn> columns, MaskRule rule, CancellationToken ct)
    {
        foreach (var table in columns.GroupBy(c => c.Table))
            if (!await MaskFitProbe.FitsAsync(_conn, _server, table.Key, [.. _chosen.GetValueOrDefault(table.Key, []), .. table.Select(c => Masked(c, rule))],
                    _checks, _constrained, ct))
                return false;
        return true;
    }

    private void Choose(IEnumerable<MaskCatalogColumn> columns, MaskRule? rule)
    {
        if (rule is null) return;
        foreach (var c in columns)
            (_chosen.TryGetValue(c.Table, out var list) ? list : _chosen[c.Table] = []).Add(Masked(c, rule));
    }

    private MaskedColumn Masked(MaskCatalogColumn column, MaskRule rule)
    {
        var mc = column.ToMaskColumn();
        return new MaskedColumn(mc, rule, MaskExpressions.For(rule, mc, rule.IsKeyed ? _key.Value : MaskKeySql.None));
    }

    /// <summary>What a rule's values broke, in words: the CHECK constraints that read the column, its domain, or else its unique key.</summary>
    private string Broken(MaskCatalogColumn column)
    {
        var names = _checks.Where(c => c.Table == column.Table && c.Columns.Contains(column.Column)).Select(c => Sql.Ident(c.Name)).ToList();
        if (column.IsDomain) names.Add($"domain {column.DataType}");
        return names.Count > 0 ? string.Join(", ", names) : "its unique key";
    }

    private static string LinkedTo(Linked group, (QualifiedName Table, string Column) member) =>
        "linked by " + string.Join(", ", group.Links.Where(l => l.From == member || l.To == member)
            .Select(l => (l.Constraint, Other: l.From == member ? l.To : l.From)).Distinct()
            .Select(x => $"foreign key {Sql.Ident(x.Constraint)} to {x.Other.Table.Quoted}.{Sql.Ident(x.Other.Column)}"));
}
