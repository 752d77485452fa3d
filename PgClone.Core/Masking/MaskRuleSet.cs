using System.Text.Json.Nodes;
using PgClone.Core.Catalog;

namespace PgClone.Core.Masking;

/// <summary>
/// The <c>mask</c> option read for the clone's scope. A table clone lists columns
/// (<c>{"email": "email"}</c>) and the rules apply to the cloned table (and its partitions); a schema clone is
/// keyed by table (<c>{"employees": {"email": "email"}}</c>); a database clone by <c>"schema.table"</c>
/// (a bare table name means schema <c>public</c>). A schema clone also accepts <c>"schema.table"</c> keys; keys are
/// read as <see cref="MaskTableKey"/> says.
/// </summary>
public sealed class MaskRuleSet
{
    private readonly Dictionary<string, MaskRule> _anyTable = new(StringComparer.Ordinal);
    private readonly Dictionary<QualifiedName, Dictionary<string, MaskRule>> _byTable = [];
    private readonly HashSet<(QualifiedName? Table, string Column)> _used = [];

    public bool IsEmpty => _anyTable.Count == 0 && _byTable.Count == 0;

    /// <summary>Rules for the one table of a table clone, a masked view or an in-place update: <c>{column: rule}</c>.</summary>
    public static MaskRuleSet ForColumns(JsonObject? columns)
    {
        var set = new MaskRuleSet();
        foreach (var (column, rule) in columns ?? [])
            set._anyTable[column] = MaskRule.Parse(rule, $"column \"{column}\"");
        return set;
    }

    public static MaskRuleSet Parse(JsonObject? mask, CloneOperation operation, string? schema)
    {
        if (mask is null) return new MaskRuleSet();
        if (operation == CloneOperation.Table) return ForColumns(mask);
        var set = new MaskRuleSet();
        foreach (var (key, value) in mask)
        {
            var table = MaskTableKey.Resolve(key, operation == CloneOperation.Schema ? schema ?? "public" : "public");
            if (value is not JsonObject columns || columns.ContainsKey("type"))
                throw new PgCloneException($"invalid mask rule for \"{key}\": a {(operation == CloneOperation.Schema ? "schema" : "database")} clone's mask is keyed by table: {{\"{key}\": {{\"column\": \"strategy\"}}}}");
            var rules = set._byTable.TryGetValue(table, out var existing) ? existing : set._byTable[table] = new Dictionary<string, MaskRule>(StringComparer.Ordinal);
            foreach (var (column, rule) in columns)
                rules[column] = MaskRule.Parse(rule, $"column {table.Quoted}.{Connections.Sql.Ident(column)}");
        }
        return set;
    }

    /// <summary>
    /// The rule for a column, or null to pass it through; a column inherited by a partition or an inheritance child
    /// falls back to the rules of the tables it is inherited from, nearest first. Marks the rule used.
    /// </summary>
    public MaskRule? Find(QualifiedName table, string column, IReadOnlyList<QualifiedName>? inheritedFrom = null)
    {
        foreach (var owner in Owners(table, inheritedFrom))
            if (_byTable.TryGetValue(owner, out var rules) && rules.TryGetValue(column, out var byTable))
            {
                lock (_used) _used.Add((owner, column));
                return byTable;
            }
        if (_anyTable.TryGetValue(column, out var rule))
        {
            lock (_used) _used.Add((null, column));
            return rule;
        }
        return null;
    }

    /// <summary>The rule <see cref="Find"/> would give, without marking it used.</summary>
    public MaskRule? Peek(QualifiedName table, string column, IReadOnlyList<QualifiedName>? inheritedFrom = null) =>
        Owners(table, inheritedFrom).Select(o => _byTable.TryGetValue(o, out var r) ? r.GetValueOrDefault(column) : null).FirstOrDefault(r => r is not null)
        ?? _anyTable.GetValueOrDefault(column);

    /// <summary>Looks a rule up without marking it used (coverage checks).</summary>
    public bool Covers(QualifiedName table, string column, IReadOnlyList<QualifiedName>? inheritedFrom = null) =>
        _anyTable.ContainsKey(column) || Owners(table, inheritedFrom).Any(owner => _byTable.TryGetValue(owner, out var rules) && rules.ContainsKey(column));

    /// <summary>The tables whose rules may mask a column: its own, then those it is inherited from, nearest first.</summary>
    private static IEnumerable<QualifiedName> Owners(QualifiedName table, IReadOnlyList<QualifiedName>? inheritedFrom) => [table, .. inheritedFrom ?? []];

    /// <summary>Every rule, as "table"."column" (or "column" for a one-table rule set), that <see cref="Find"/> never returned.</summary>
    public IReadOnlyList<string> Unused()
    {
        lock (_used)
        {
            var unused = _anyTable.Keys.Where(c => !_used.Contains((null, c))).Select(Connections.Sql.Ident).ToList();
            foreach (var (table, rules) in _byTable.OrderBy(t => t.Key))
                unused.AddRange(rules.Keys.Where(c => !_used.Contains((table, c))).Select(c => $"{table.Quoted}.{Connections.Sql.Ident(c)}"));
            return unused;
        }
    }

    /// <summary>The one-table rules by column (for in-place masking and masked views).</summary>
    public IReadOnlyDictionary<string, MaskRule> Columns => _anyTable;

    /// <summary>
    /// The masked columns as verify's exclusions (<see cref="Verification.VerifyOptions.ExcludeColumns"/>), since masked
    /// values differ from the source by design: <c>schema.table.column</c> for rules keyed by table; one-table rules
    /// name <paramref name="oneTable"/>'s column when given, else the column in every table.
    /// </summary>
    public IReadOnlyList<string> VerifyExclusions(QualifiedName? oneTable = null) =>
    [
        .. _anyTable.Keys.Order(StringComparer.Ordinal).Select(c => oneTable is { } t ? $"{t.Schema}.{t.Name}.{c}" : c),
        .. _byTable.OrderBy(t => t.Key).SelectMany(t => t.Value.Keys.Order(StringComparer.Ordinal).Select(c => $"{t.Key.Schema}.{t.Key.Name}.{c}")),
    ];
}
