using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Masking;

namespace PgClone.Web.Masking;

/// <summary>
/// A policy's rules (keyed by <c>table</c> or <c>schema.table</c>) as the <c>mask</c> option of one run's scope:
/// a table clone takes the rules of its table by column, a schema clone the rules of its schema's tables, a
/// database clone all of them. A bare table name means the run's schema in a table or schema clone and
/// <c>public</c> in a database clone, as the engine reads a mask (<see cref="MaskTableKey"/>). Rules of tables outside
/// the scope are left out (the engine refuses rules that match no copied column), so one policy can cover several schemas.
/// </summary>
public static class MaskPolicyScope
{
    /// <summary>Checks a policy's rules with the engine's parser; the message names the table and column at fault.</summary>
    public static JsonObject Validate(JsonObject rules)
    {
        if (rules.Count == 0) throw new PgCloneException("a masking policy needs at least one rule: {\"table\": {\"column\": \"strategy\"}}");
        MaskRuleSet.Parse(rules, CloneOperation.Database, null);
        return (JsonObject)rules.DeepClone();
    }

    public static JsonObject ForRun(JsonObject rules, CloneOperation operation, string? schema, string? table)
    {
        var scope = new JsonObject();
        foreach (var (key, value) in rules)
        {
            var (ruleSchema, ruleTable) = MaskTableKey.Split(key);
            switch (operation)
            {
                case CloneOperation.Table when ruleTable == table && (ruleSchema ?? schema) == schema && value is JsonObject columns:
                    foreach (var (column, rule) in columns) scope[column] = rule?.DeepClone();
                    break;
                case CloneOperation.Schema or CloneOperation.Functions when ruleSchema is null || ruleSchema == schema:
                    scope[key] = value?.DeepClone();
                    break;
                case CloneOperation.Database or CloneOperation.DatabaseCreate:
                    scope[key] = value?.DeepClone();
                    break;
            }
        }
        return scope;
    }

    /// <summary>Number of column rules in a policy's rules.</summary>
    public static int Count(JsonObject rules) => rules.Sum(t => t.Value is JsonObject c ? c.Count : 0);
}
