using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>A column discovery judged sensitive, with why and what to mask it with (null: no strategy fits it safely).</summary>
public sealed record SensitiveColumn(
    QualifiedName Table, string Column, string DataType, string Category, string Confidence,
    IReadOnlyList<string> Evidence, MaskRule? Suggested)
{
    /// <summary>For a partition, its partitioned root (discovery's suggestions are the root's).</summary>
    public QualifiedName? PartitionRoot { get; init; }

    /// <summary>The tables the column is inherited from (<see cref="MaskColumn.InheritedFrom"/>): a rule on any of them covers it.</summary>
    public IReadOnlyList<QualifiedName> InheritedFrom { get; init; } = [];
}

/// <summary>
/// Discovery: finds sensitive columns by name (<see cref="SensitiveNames"/>) and by content (<see cref="ColumnContent"/>:
/// value shapes, credentials, person names, JSON keys) on a bounded sample of each table: at most
/// <see cref="SampleRows"/> rows, read with TABLESAMPLE SYSTEM on large tables, each value cut to 120 characters
/// (JSON documents to 4000). Sampled values stay in memory and are
/// never printed, logged or returned; only counts and shares are.
/// </summary>
public static class SensitiveDataScanner
{
    public const int SampleRows = 1000;

    /// <summary>Scans every table of a schema on its own connection (what the CLI and the console call).</summary>
    public static async Task<IReadOnlyList<SensitiveColumn>> ScanAsync(ServerEndpoint server, string schema, CancellationToken ct)
    {
        await using var conn = await server.OpenAsync(ct);
        await PlannerWarmup.BeginReadsAsync(conn, server, ct);
        return await ScanAsync(conn, server, schema, null, ct);
    }

    /// <param name="conn">A session inside a transaction (<see cref="PlannedRead"/>).</param>
    public static async Task<IReadOnlyList<SensitiveColumn>> ScanAsync(NpgsqlConnection conn, ServerEndpoint server,
        string schema, IReadOnlyCollection<string>? tables, CancellationToken ct)
    {
        var found = new List<SensitiveColumn>();
        var columns = await MaskCatalog.ColumnsAsync(conn, server, schema, tables, ct);
        if (columns.Count == 0 && tables is null
            && !await MaskingConnections.ScalarAsync<bool>(conn, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)", ct, schema))
            throw PgCloneException.For(server, $"schema {Sql.Ident(schema)}", "does not exist");
        var warmup = new SessionWarmup(conn, server);
        // Scanning a whole schema, a partitioned table stands for its partitions (sampling it samples them all).
        foreach (var table in columns.Where(c => tables is not null || c.PartitionRoot is null).GroupBy(c => c.Table))
        {
            // A hot standby holds no rows of an unlogged table: its columns are judged by their names alone.
            var content = await warmup.ReadAsync(table.Key.Quoted,
                () => SampleAsync(conn, server, table.Key, table.Where(c => IsSampled(c) && !c.UnloggedOnStandby).ToList(), ct), ct);
            foreach (var column in table)
                if (Judge(column, content.GetValueOrDefault(column.Column)) is { } sensitive) found.Add(sensitive);
        }
        // Suggestions for the user are made to pass the clone's gates; the clone's own scan (require_masking) needs none.
        return tables is null ? await SuggestionFit.FitAsync(conn, server, found, columns, ct) : found;
    }

    /// <summary>
    /// Discovery's answer as the <c>mask</c> option of a schema or database clone (and a console policy's rules):
    /// <c>{table: {column: rule}}</c> keyed as <see cref="MaskTableKey.Of"/> names tables, so a schema other than
    /// public is named in the key and the rules mean the same in both scopes. Columns without a safe strategy, and
    /// inherited columns their parent's same rule covers, are left out.
    /// </summary>
    public static JsonObject ToMaskOption(IEnumerable<SensitiveColumn> found)
    {
        var mask = new JsonObject();
        foreach (var f in SuggestedRules(found))
        {
            var key = MaskTableKey.Of(f.PartitionRoot ?? f.Table);
            if (mask[key] is not JsonObject rules) mask[key] = rules = new JsonObject();
            rules[f.Column] = f.Suggested!.ToJson();
        }
        return mask;
    }

    /// <summary>
    /// The findings that need a rule of their own: those with a suggestion, less an inheritance child's inherited
    /// column whose nearest flagged parent gets the same rule, which masks it already (<see cref="MaskRuleSet.Find"/>);
    /// one rule per column is what a reader of the rules expects.
    /// </summary>
    public static IEnumerable<SensitiveColumn> SuggestedRules(IEnumerable<SensitiveColumn> found)
    {
        var covered = CoveredBy(found);
        return found.Where(f => f.Suggested is not null && !covered.ContainsKey(f));
    }

    /// <summary>
    /// The findings <see cref="SuggestedRules"/> leaves out, each with the parent whose same rule masks it (the
    /// console says so on the finding's row).
    /// </summary>
    public static IReadOnlyDictionary<SensitiveColumn, QualifiedName> CoveredBy(IEnumerable<SensitiveColumn> found)
    {
        var suggested = found.Where(f => f.Suggested is not null).ToList();
        var rules = suggested.ToDictionary(f => (f.Table, f.Column), f => f.Suggested!.ToString());
        var covered = new Dictionary<SensitiveColumn, QualifiedName>();
        foreach (var f in suggested)
        {
            var nearest = f.InheritedFrom.Where(p => rules.ContainsKey((p, f.Column))).Select(p => (QualifiedName?)p).FirstOrDefault();
            if (nearest is { } parent && rules[(parent, f.Column)] == rules[(f.Table, f.Column)]) covered[f] = parent;
        }
        return covered;
    }

    private static bool IsSampled(MaskCatalogColumn c) =>
        c.TypeCategory is 'S' or 'I' || IsJson(c) || IsStringArray(c)
        || (c.TypeCategory == 'N' && (c.DataType == "bigint" || c.DataType.StartsWith("numeric", StringComparison.Ordinal)));

    private static bool IsJson(MaskCatalogColumn c) => c.DataType is "json" or "jsonb";

    /// <summary>An array of strings (<c>alt_emails text[]</c>): judged by name and by its first non-null element's content.</summary>
    private static bool IsStringArray(MaskCatalogColumn c) => c.TypeCategory == 'A' && c.ElementCategory == 'S';

    /// <summary>What a sampled column is read as: its text, or for an array of strings its first non-null element.</summary>
    private static string Sampled(MaskCatalogColumn c) => IsStringArray(c)
        ? $"(SELECT x::text FROM pg_catalog.unnest({Sql.Ident(c.Column)}) x WHERE x IS NOT NULL LIMIT 1)"
        : $"{Sql.Ident(c.Column)}::text";

    /// <summary>The content tally of each sampled column (JSON documents are read whole up to 4000 characters, to find their keys).</summary>
    private static async Task<Dictionary<string, ColumnContent>> SampleAsync(NpgsqlConnection conn, ServerEndpoint server,
        QualifiedName table, IReadOnlyList<MaskCatalogColumn> columns, CancellationToken ct)
    {
        var result = new Dictionary<string, ColumnContent>(StringComparer.Ordinal);
        if (columns.Count == 0) return result;
        var estimated = columns[0].EstimatedRows;
        var sample = estimated > 2 * SampleRows
            ? $" TABLESAMPLE SYSTEM ({Math.Min(100, 2 * SampleRows * 100.0 / estimated).ToString("0.######", CultureInfo.InvariantCulture)})"
            : "";
        var select = string.Join(", ", columns.Select(c => $"pg_catalog.left({Sampled(c)}, {(IsJson(c) ? 4000 : 120)})"));
        var tallies = columns.Select(c => new ColumnContent(c.Column)).ToArray();
        try
        {
            await using var cmd = new NpgsqlCommand($"SELECT {select} FROM {table.Quoted}{sample} LIMIT {SampleRows}", conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                for (var i = 0; i < columns.Count; i++)
                    if (!reader.IsDBNull(i)) tallies[i].Add(reader.GetString(i), IsJson(columns[i]));
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(server, $"table {table.Quoted}", e); }
        for (var i = 0; i < columns.Count; i++) result[columns[i].Column] = tallies[i];
        return result;
    }

    private static SensitiveColumn? Judge(MaskCatalogColumn column, ColumnContent? content)
    {
        var byName = SensitiveNames.CategoryOf(column.Table.Name, column.Column) is { } named
            && SensitiveNames.TypeFits(named, IsStringArray(column) ? 'S' : column.TypeCategory, column.DataType) ? named : null;
        var findings = content?.Findings() ?? [];
        var best = findings.FirstOrDefault();
        if (byName is null && best is null) return null;
        var evidence = new List<string>();
        if (byName is not null) evidence.Add($"name suggests {byName}");
        evidence.AddRange(findings.Select(f => f.Evidence));
        var share = best?.Share ?? 0;
        // Content overrides a name only when it is near-certain, and never with "secret" for a column whose name says
        // what it holds: a hashed ssn is still the ssn column.
        var category = best is not null && (byName is null || (share >= 0.9 && best.Category != SensitiveCategory.Secret)) ? best.Category : byName!;
        var confidence = (byName is not null && findings.Any(f => f.Category == byName)) || (byName is null && share >= 0.9) ? "high" : "medium";
        return new SensitiveColumn(column.Table, column.Column, column.DataType, category, confidence, evidence, Suggest(category, column))
            { PartitionRoot = column.PartitionRoot, InheritedFrom = column.InheritedFrom };
    }

    /// <summary>The first strategy of the category's list that fits the column's type, keys and NOT NULL.</summary>
    public static MaskRule? Suggest(string category, MaskCatalogColumn column) => Choices(category, column).FirstOrDefault();

    /// <summary>The strategies of the category's list that fit the column's type, keys and NOT NULL, best first.</summary>
    public static IEnumerable<MaskRule> Choices(string category, MaskCatalogColumn column)
    {
        var keyed = new MaskRule(MaskStrategy.KeyedHash);
        var keep = new MaskRule(MaskStrategy.KeepFormat);
        var nulled = new MaskRule(MaskStrategy.Null);
        MaskRule[] choices = category switch
        {
            // keyed_email where an address must stay one (a CHECK reading '@') and unique: the domain kept, the rest hashed.
            SensitiveCategory.Email => [new(MaskStrategy.Email), keyed, new(MaskStrategy.KeyedEmail), nulled],
            SensitiveCategory.Name => [new(MaskStrategy.Name), keyed, nulled],
            // A plausible placeholder (RFC-style example street) keeps forms and labels testable; "XXXX" read as a name mask.
            SensitiveCategory.Address => [new(MaskStrategy.Constant) { Value = "1 Example Street" }, keyed, nulled],
            SensitiveCategory.Phone => [new(MaskStrategy.Phone), keep, nulled],
            SensitiveCategory.Salary => [new(MaskStrategy.RandomInt) { Min = 30000, Max = 150000 }, nulled],
            SensitiveCategory.Secret => [nulled, new(MaskStrategy.Constant) { Value = "********" }, keyed],
            SensitiveCategory.BirthDate => [new(MaskStrategy.DateShift) { Days = 30 }, keep, nulled],
            SensitiveCategory.IpAddress => [keep, new(MaskStrategy.Constant) { Value = "192.0.2.1" }, nulled],
            _ => [keep, keyed, nulled],
        };
        return choices.Where(r => Fits(r, column));
    }

    /// <summary>Whether the rule can mask the column at all: its type and keys (<see cref="MaskExpressions.Problem"/>), and no NULL where it is NOT NULL.</summary>
    public static bool Fits(MaskRule rule, MaskCatalogColumn column) =>
        MaskExpressions.Problem(rule, column.ToMaskColumn()) is null && !(rule.Strategy == MaskStrategy.Null && column.NotNull);
}
