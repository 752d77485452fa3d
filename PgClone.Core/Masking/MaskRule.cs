using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgClone.Core.Masking;

/// <summary>How a column is masked. The JSON names are those of <see cref="MaskRule.StrategyName"/>.</summary>
public enum MaskStrategy
{
    Email, Name, Phone, Partial, Hash, Null, RandomInt, Constant,
    KeyedHash, FakeName, FakeEmail, DateShift, KeepFormat, KeyedEmail,
}

/// <summary>
/// One mask rule as written in the <c>mask</c> option: either a strategy name (<c>"email"</c>) or an object with
/// <c>type</c> and the strategy's parameters (<c>{"type": "partial", "prefix": 2, "suffix": 3}</c>).
/// Unknown strategies and parameters are errors, so a typo never lets a value through unmasked.
/// </summary>
public sealed record MaskRule(MaskStrategy Strategy)
{
    public int Prefix { get; init; } = 1;
    public int Suffix { get; init; } = 1;
    public long Min { get; init; }
    public long Max { get; init; }
    public string? Value { get; init; }
    public int Days { get; init; } = 30;

    private static readonly Dictionary<string, MaskStrategy> Names = new()
    {
        ["email"] = MaskStrategy.Email, ["name"] = MaskStrategy.Name, ["phone"] = MaskStrategy.Phone,
        ["partial"] = MaskStrategy.Partial, ["hash"] = MaskStrategy.Hash, ["null"] = MaskStrategy.Null,
        ["random_int"] = MaskStrategy.RandomInt, ["constant"] = MaskStrategy.Constant,
        ["keyed_hash"] = MaskStrategy.KeyedHash, ["fake_name"] = MaskStrategy.FakeName,
        ["fake_email"] = MaskStrategy.FakeEmail, ["date_shift"] = MaskStrategy.DateShift,
        ["keep_format"] = MaskStrategy.KeepFormat, ["keyed_email"] = MaskStrategy.KeyedEmail,
    };

    private static readonly Dictionary<MaskStrategy, string[]> Parameters = new()
    {
        [MaskStrategy.Partial] = ["prefix", "suffix"],
        [MaskStrategy.RandomInt] = ["min", "max"],
        [MaskStrategy.Constant] = ["value"],
        [MaskStrategy.DateShift] = ["days"],
    };

    public string StrategyName => Names.First(n => n.Value == Strategy).Key;

    /// <summary>Same input, same output: joins on the masked column still match across tables and runs.</summary>
    public bool IsDeterministic => Strategy is not MaskStrategy.RandomInt;

    /// <summary>Distinct inputs stay distinct (up to hash collisions), so the rule may mask a key column.</summary>
    public bool KeepsKeys => Strategy is MaskStrategy.Hash or MaskStrategy.KeyedHash or MaskStrategy.KeepFormat or MaskStrategy.KeyedEmail;

    /// <summary>Needs the per-installation secret.</summary>
    public bool IsKeyed => Strategy is MaskStrategy.KeyedHash or MaskStrategy.FakeName or MaskStrategy.FakeEmail
        or MaskStrategy.DateShift or MaskStrategy.KeepFormat or MaskStrategy.KeyedEmail;

    /// <summary>Parses one rule; <paramref name="where"/> names it in errors (<c>column "email"</c>).</summary>
    public static MaskRule Parse(JsonNode? node, string where)
    {
        switch (node)
        {
            case JsonValue v when v.TryGetValue<string>(out var name):
                var rule = new MaskRule(StrategyOf(name, where));
                if (rule.Strategy is MaskStrategy.RandomInt or MaskStrategy.Constant)
                    throw Invalid(where, $"strategy \"{name}\" needs parameters: {{\"type\": \"{name}\", {string.Join(", ", Parameters[rule.Strategy].Select(p => $"\"{p}\": ..."))}}}");
                return rule;
            case JsonObject o:
                return FromObject(o, where);
            default:
                throw Invalid(where, "expected a strategy name or an object with \"type\"");
        }
    }

    private static MaskRule FromObject(JsonObject o, string where)
    {
        if (o["type"] is not JsonValue t || !t.TryGetValue<string>(out var typeName))
            throw Invalid(where, "a rule object needs \"type\" (the strategy name)");
        var strategy = StrategyOf(typeName, where);
        var allowed = Parameters.GetValueOrDefault(strategy, []);
        foreach (var (key, _) in o)
            if (key != "type" && !allowed.Contains(key))
                throw Invalid(where, $"strategy \"{typeName}\" has no parameter \"{key}\"" + (allowed.Length == 0 ? "" : $" (it takes {string.Join(", ", allowed)})"));
        var rule = new MaskRule(strategy);
        switch (strategy)
        {
            case MaskStrategy.Partial:
                rule = rule with { Prefix = Int(o, "prefix", where, 1, 0, 1000), Suffix = Int(o, "suffix", where, 1, 0, 1000) };
                break;
            case MaskStrategy.RandomInt:
                rule = rule with { Min = Long(o, "min", where), Max = Long(o, "max", where) };
                if (rule.Min > rule.Max) throw Invalid(where, $"random_int needs min <= max, got min {rule.Min} and max {rule.Max}");
                if (rule.Max - rule.Min is < 0 or > 1L << 52) throw Invalid(where, "random_int range is too large");
                break;
            case MaskStrategy.Constant:
                rule = rule with { Value = o["value"] switch
                {
                    null => throw Invalid(where, "constant needs \"value\""),
                    JsonValue s when s.TryGetValue<string>(out var text) => text,
                    JsonValue b when b.GetValueKind() is JsonValueKind.True or JsonValueKind.False => b.GetValue<bool>() ? "true" : "false",
                    JsonValue n when n.GetValueKind() == JsonValueKind.Number => n.ToJsonString(),
                    _ => throw Invalid(where, "constant \"value\" must be a string, number or boolean"),
                } };
                break;
            case MaskStrategy.DateShift:
                rule = rule with { Days = Int(o, "days", where, 30, 1, 3650) };
                break;
        }
        return rule;
    }

    /// <summary>The rule in the shape <see cref="Parse"/> reads: a bare name when it has no parameters.</summary>
    public JsonNode ToJson() => Strategy switch
    {
        MaskStrategy.Partial => new JsonObject { ["type"] = StrategyName, ["prefix"] = Prefix, ["suffix"] = Suffix },
        MaskStrategy.RandomInt => new JsonObject { ["type"] = StrategyName, ["min"] = Min, ["max"] = Max },
        MaskStrategy.Constant => new JsonObject { ["type"] = StrategyName, ["value"] = Value },
        MaskStrategy.DateShift => new JsonObject { ["type"] = StrategyName, ["days"] = Days },
        _ => JsonValue.Create(StrategyName),
    };

    public override string ToString() => ToJson().ToJsonString();

    private static MaskStrategy StrategyOf(string name, string where) =>
        Names.TryGetValue(name, out var s) ? s
            : throw Invalid(where, $"unknown mask strategy \"{name}\" (known: {string.Join(", ", Names.Keys)})");

    private static int Int(JsonObject o, string key, string where, int fallback, int min, int max)
    {
        if (o[key] is null) return fallback;
        var value = Long(o, key, where);
        if (value < min || value > max) throw Invalid(where, $"\"{key}\" must be between {min} and {max}, got {value}");
        return (int)value;
    }

    private static long Long(JsonObject o, string key, string where)
    {
        if (o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            return n;
        throw Invalid(where, $"\"{key}\" must be an integer");
    }

    private static PgCloneException Invalid(string where, string problem) => new($"invalid mask rule for {where}: {problem}");
}
