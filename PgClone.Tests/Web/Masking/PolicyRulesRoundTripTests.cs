using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Masking;
using PgClone.Web.Components.Pages.Masking;
using PgClone.Web.Masking;

namespace PgClone.Tests.Web.Masking;

/// <summary>The policy editor's rows and discovery's suggestions give back the engine's mask JSON exactly.</summary>
public sealed class PolicyRulesRoundTripTests
{
    private const string Every = """
        {"people":{"email":"email","display":"name","phone":"phone","code":{"type":"partial","prefix":2,"suffix":3},"md":"hash","note":"null",
        "score":{"type":"random_int","min":-5,"max":9000000000},"flag":{"type":"constant","value":"n/a"},"key":"keyed_hash","alias":"fake_name",
        "mail":"fake_email","born":{"type":"date_shift","days":400},"card":"keep_format"},"crm.Odd Table":{"Mixed Case":"email"}}
        """;

    [Fact]
    public void The_editor_rows_of_every_strategy_give_back_the_imported_mask_json()
    {
        var imported = JsonNode.Parse(Every)!.AsObject();
        var rows = RuleRow.From(imported);
        Assert.Equal(14, rows.Count);
        Assert.True(JsonNode.DeepEquals(imported, RuleRow.ToRules(rows)));
        Assert.Equal("""{"Mixed Case":"email"}""", RuleRow.ColumnsOf(rows, "crm.Odd Table").ToJsonString());
        // The engine parses what the editor writes: a broken parameter is refused with its message.
        rows[3].Prefix = -1;
        var error = Assert.Throws<PgCloneException>(() => MaskPolicyScope.Validate(RuleRow.ToRules(rows)));
        Assert.Equal("invalid mask rule for column \"public\".\"people\".\"code\": \"prefix\" must be between 0 and 1000, got -1", error.Message);
    }

    [Fact]
    public void Discovery_suggestions_become_rules_keyed_by_table_with_partitions_under_their_root()
    {
        SensitiveColumn Found(string schema, string table, string column, MaskRule? rule, QualifiedName? root = null) =>
            new(new QualifiedName(schema, table), column, "text", "email", "high", [], rule) { PartitionRoot = root };
        var rules = SensitiveDataScanner.ToMaskOption([
            Found("public", "people", "email", new MaskRule(MaskStrategy.Email)),
            Found("crm", "visits_2024", "visitor", new MaskRule(MaskStrategy.KeyedHash), new QualifiedName("crm", "visits")),
            Found("crm", "visits_2025", "visitor", new MaskRule(MaskStrategy.KeyedHash), new QualifiedName("crm", "visits")),
            Found("crm", "blobs", "data", null),
        ]);
        Assert.Equal("""{"people":{"email":"email"},"crm.visits":{"visitor":"keyed_hash"}}""", rules.ToJsonString());
        Assert.True(MaskRuleSet.Parse(rules, CloneOperation.Database, null).Covers(new QualifiedName("crm", "visits"), "visitor"));
    }

    [Fact]
    public void An_inheritance_childs_column_gets_a_rule_of_its_own_only_where_it_differs_from_its_nearest_flagged_parents()
    {
        QualifiedName person = new("hr", "person"), emp = new("hr", "emp"), manager = new("hr", "Manager Emp");
        SensitiveColumn Found(QualifiedName table, string column, MaskRule rule, params QualifiedName[] parents) =>
            new(table, column, "text", "email", "high", [], rule) { InheritedFrom = parents };
        var rules = SensitiveDataScanner.ToMaskOption([
            Found(person, "email", new MaskRule(MaskStrategy.Email)),
            Found(person, "phone", new MaskRule(MaskStrategy.Phone)),
            // A UNIQUE email on the child: a rule of its own.
            Found(emp, "email", new MaskRule(MaskStrategy.KeyedHash), person),
            Found(emp, "phone", new MaskRule(MaskStrategy.Phone), person),
            // Its nearest flagged parent is emp, whose rule it shares (person's differs): none of its own.
            Found(manager, "email", new MaskRule(MaskStrategy.KeyedHash), emp, person),
            Found(manager, "phone", new MaskRule(MaskStrategy.Null), emp, person),
        ]);
        Assert.Equal("""{"hr.person":{"email":"email","phone":"phone"},"hr.emp":{"email":"keyed_hash"},"hr.Manager Emp":{"phone":"null"}}""", rules.ToJsonString());
    }
}
