using System.Text;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>One line of the compliance report.</summary>
public sealed record ComplianceRow(string Schema, string Table, string Column, string Category, string Status, string Recommendation);

/// <summary>
/// The compliance report of a schema: every sensitive column discovery finds (and every column a masking policy
/// masks), whether a masked view covers it, and what to do when none does.
/// </summary>
public static class MaskingReport
{
    public const string Masked = "MASKED (view)", Unmasked = "UNMASKED";

    public static async Task<IReadOnlyList<ComplianceRow>> BuildAsync(ServerEndpoint server, string schema, CancellationToken ct)
    {
        await using var conn = await server.OpenAsync(ct);
        await PlannerWarmup.BeginReadsAsync(conn, server, ct);
        var found = await SensitiveDataScanner.ScanAsync(conn, server, schema, null, ct);
        var policies = await MaskingPolicy.ListAsync(conn, server, schema, ct);
        var maskedBy = new Dictionary<(QualifiedName, string), QualifiedName>();
        foreach (var p in policies)
            foreach (var (column, _) in p.Rules)
                maskedBy.TryAdd((p.Table, column), p.View);
        var rows = new List<ComplianceRow>();
        foreach (var f in found)
            rows.Add(maskedBy.Remove((f.Table, f.Column), out var view)
                ? new ComplianceRow(schema, f.Table.Name, f.Column, f.Category, Masked, $"OK - masked via {view.Quoted}")
                : new ComplianceRow(schema, f.Table.Name, f.Column, f.Category, Unmasked,
                    f.Suggested is null ? "Apply mask strategy: none fits this column automatically; restrict access to it" : $"Apply mask strategy: {Describe(f.Suggested)}"));
        // Columns a policy masks although discovery does not consider them sensitive are covered too.
        rows.AddRange(maskedBy.Select(m => new ComplianceRow(schema, m.Key.Item1.Name, m.Key.Item2, "masked by policy", Masked, $"OK - masked via {m.Value.Quoted}")));
        return rows.OrderBy(r => r.Table, StringComparer.Ordinal).ThenBy(r => r.Column, StringComparer.Ordinal).ToList();
    }

    private static string Describe(MaskRule rule) => rule.ToJson() is System.Text.Json.Nodes.JsonValue ? rule.StrategyName : rule.ToString();

    public static readonly string[] Header = ["schema", "table", "column", "category", "status", "recommendation"];

    private static string[] Cells(ComplianceRow r) => [r.Schema, r.Table, r.Column, r.Category, r.Status, r.Recommendation];

    /// <summary>RFC 4180 CSV with a header line.</summary>
    public static string ToCsv(IEnumerable<ComplianceRow> rows)
    {
        static string Field(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        var csv = new StringBuilder(string.Join(",", Header)).Append("\r\n");
        foreach (var r in rows) csv.Append(string.Join(",", Cells(r).Select(Field))).Append("\r\n");
        return csv.ToString();
    }

    /// <summary>An aligned plain-text table.</summary>
    public static string ToText(IReadOnlyList<ComplianceRow> rows)
    {
        var lines = new[] { Header.Select(h => h.ToUpperInvariant()).ToArray() }.Concat(rows.Select(Cells)).ToList();
        var widths = Enumerable.Range(0, Header.Length).Select(i => lines.Max(l => l[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var line in lines)
            text.AppendLine(string.Join("  ", line.Select((cell, i) => i == line.Length - 1 ? cell : cell.PadRight(widths[i]))));
        if (rows.Count == 0) text.AppendLine("no sensitive columns found");
        return text.ToString();
    }
}
