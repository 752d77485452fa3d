using System.Text.Json.Nodes;
using PgClone.Core.Masking;

namespace PgClone.Web.Components.Pages.Masking;

/// <summary>One column's rule as the policy editor edits it; turned into the engine's rule JSON (and checked by the engine's parser) on save.</summary>
public sealed class RuleRow
{
    public required string Table { get; set; }
    public required string Column { get; set; }
    public MaskStrategy Strategy { get; set; } = MaskStrategy.KeyedHash;
    public int Prefix { get; set; } = 1;
    public int Suffix { get; set; } = 1;
    public long Min { get; set; }
    public long Max { get; set; } = 100;
    public string Value { get; set; } = "";
    public int Days { get; set; } = 30;

    public static IReadOnlyList<MaskStrategy> Strategies { get; } = Enum.GetValues<MaskStrategy>();

    public static string NameOf(MaskStrategy s) => new MaskRule(s).StrategyName;

    public JsonNode ToJson() => Strategy switch
    {
        MaskStrategy.Partial => new JsonObject { ["type"] = NameOf(Strategy), ["prefix"] = Prefix, ["suffix"] = Suffix },
        MaskStrategy.RandomInt => new JsonObject { ["type"] = NameOf(Strategy), ["min"] = Min, ["max"] = Max },
        MaskStrategy.Constant => new JsonObject { ["type"] = NameOf(Strategy), ["value"] = Value },
        MaskStrategy.DateShift => new JsonObject { ["type"] = NameOf(Strategy), ["days"] = Days },
        _ => JsonValue.Create(NameOf(Strategy)),
    };

    /// <summary>Rows from a policy's rules (parsed by the engine, so a broken rule fails here with its message).</summary>
    public static List<RuleRow> From(JsonObject rules)
    {
        var rows = new List<RuleRow>();
        foreach (var (table, columns) in rules)
            foreach (var (column, node) in columns as JsonObject ?? [])
            {
                var rule = MaskRule.Parse(node, $"column {table}.{column}");
                rows.Add(new RuleRow
                {
                    Table = table, Column = column, Strategy = rule.Strategy, Prefix = rule.Prefix, Suffix = rule.Suffix,
                    Min = rule.Min, Max = rule.Strategy == MaskStrategy.RandomInt ? rule.Max : 100, Value = rule.Value ?? "", Days = rule.Days,
                });
            }
        return rows;
    }

    public static JsonObject ToRules(IEnumerable<RuleRow> rows)
    {
        var rules = new JsonObject();
        foreach (var r in rows)
        {
            if (rules[r.Table] is not JsonObject columns) rules[r.Table] = columns = new JsonObject();
            columns[r.Column] = r.ToJson();
        }
        return rules;
    }

    /// <summary>The rules of one table by column (what the preview, a masked view and mask-in-place take).</summary>
    public static JsonObject ColumnsOf(IEnumerable<RuleRow> rows, string table)
    {
        var columns = new JsonObject();
        foreach (var r in rows.Where(r => r.Table == table)) columns[r.Column] = r.ToJson();
        return columns;
    }
}
