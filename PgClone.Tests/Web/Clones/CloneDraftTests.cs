using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Masking;
using PgClone.Web.Clones;
using PgClone.Web.Masking;

namespace PgClone.Tests.Web.Clones;

/// <summary>The wizard's draft becomes exactly the run request (and the engine options) the CLI would send, and back.</summary>
public sealed class CloneDraftTests
{
    private static MaskRule Rule(string json) => MaskRule.Parse(JsonNode.Parse(json), "test");

    [Fact]
    public void A_schema_clone_keys_its_mask_by_table_and_qualifies_other_schemas_and_dotted_names()
    {
        var draft = new CloneDraft { SourceId = 1, TargetId = 2, Operation = "schema", Schema = "shop", Parallel = 4, Conflict = ConflictStrategy.Replace };
        draft.MaskRules.Add(new DraftMaskRule(new QualifiedName("shop", "customers"), "email", Rule("\"email\"")));
        draft.MaskRules.Add(new DraftMaskRule(new QualifiedName("shop", "customers"), "card", Rule("\"keep_format\"")));
        draft.MaskRules.Add(new DraftMaskRule(new QualifiedName("shop", "odd.name"), "phone", Rule("""{"type": "partial", "prefix": 2, "suffix": 1}""")));

        var request = draft.ToRequest();

        Assert.Equal("schema", request.Operation);
        Assert.Equal(("shop", (string?)null), (request.Schema, request.Table));
        Assert.Equal("""{"indexes":true,"constraints":true,"triggers":true,"matviews":true,"columns":null,"where":null,"conflict":"replace","parallel":4,"mask":{"customers":{"email":"email","card":"keep_format"},"shop.odd.name":{"phone":{"type":"partial","prefix":2,"suffix":1}}},"consistent":true,"include_data":true,"target_name":null,"require_masking":false,"skip_unsupported":false,"subset":null,"lock_wait_timeout":30}""",
            request.Options!.ToJson());
        // The engine reads it back to the same rules.
        var rules = MaskRuleSet.Parse(request.Options.Mask, CloneOperation.Schema, "shop");
        Assert.True(rules.Covers(new QualifiedName("shop", "odd.name"), "phone"));
        Assert.True(rules.Covers(new QualifiedName("shop", "customers"), "card"));
    }

    [Fact]
    public void A_table_clone_keys_its_mask_by_column_and_keeps_columns_and_new_name()
    {
        var draft = new CloneDraft { SourceId = 1, TargetId = 1, Operation = "table", Schema = "shop", Table = "orders", TargetName = " orders_copy ", Columns = ["id", "email"] };
        draft.MaskRules.Add(new DraftMaskRule(new QualifiedName("shop", "orders"), "email", Rule("\"fake_email\"")));

        var options = draft.ToRequest().Options!;

        Assert.Equal("orders_copy", options.TargetName);
        Assert.Equal(["id", "email"], options.Columns);
        Assert.Equal("""{"email":"fake_email"}""", options.Mask!.ToJsonString());
        Assert.Empty(draft.Problems(WizardStep.Scope));
    }

    [Fact]
    public void A_profile_request_comes_back_as_the_same_draft()
    {
        var draft = new CloneDraft { SourceId = 3, TargetId = 4, Operation = "database", Where = "id > 10", IncludeData = true, Triggers = false, RequireMasking = true, SkipUnsupported = true, LockWaitTimeout = 5 };
        draft.MaskRules.Add(new DraftMaskRule(new QualifiedName("public", "users"), "email", Rule("\"email\"")));
        draft.MaskRules.Add(new DraftMaskRule(new QualifiedName("crm", "people"), "born", Rule("""{"type": "date_shift", "days": 10}""")));

        var again = CloneDraft.From(draft.ToRequest());

        Assert.Equal(draft.ToRequest() with { Options = null }, again.ToRequest() with { Options = null });
        Assert.Equal(draft.ToRequest().Options!.ToJson(), again.ToRequest().Options!.ToJson());
        Assert.Equal(5, again.ToRequest().Options!.LockWaitTimeout);
        Assert.Equal(["The lock wait must be between 1 and 2147483 seconds."], new CloneDraft { LockWaitTimeout = 0 }.Problems(WizardStep.Options));
        Assert.Equal(draft.MaskRules.Select(r => (r.Table, r.Column, r.Rule.ToString())), again.MaskRules.Select(r => (r.Table, r.Column, r.Rule.ToString())));
    }

    [Fact]
    public void A_roles_clone_sends_role_options_and_no_engine_options()
    {
        var draft = new CloneDraft { SourceId = 1, TargetId = 2, Operation = "roles", RoleNamePrefix = "dev_", NoPasswords = true, Schema = "ignored" };
        draft.Roles.AddRange(["app_rw", "app_ro"]);

        var request = draft.ToRequest();

        Assert.Null(request.Options);
        Assert.Null(request.Schema);
        Assert.Equal(["app_rw", "app_ro"], request.Roles!.Roles);
        Assert.Equal("dev_", request.Roles.NamePrefix);
        Assert.True(request.Roles.NoPasswords);
        Assert.False(draft.CopiesData);
    }

    [Fact]
    public void Masking_step_refuses_two_rules_for_one_column()
    {
        var draft = new CloneDraft { Operation = "schema", Schema = "shop" };
        draft.MaskRules.Add(new DraftMaskRule(new QualifiedName("shop", "t"), "email", Rule("\"email\"")));
        draft.MaskRules.Add(new DraftMaskRule(new QualifiedName("shop", "t"), "email", Rule("\"null\"")));

        Assert.Equal(["Column \"shop\".\"t\".\"email\" has more than one rule: keep one."], draft.Problems(WizardStep.Masking));
    }

    private static MaskPolicyVersionInfo PolicyVersion(string rules) =>
        new(7, 3, "CRM", 2, JsonNode.Parse(rules)!.AsObject(), null, DateTimeOffset.UnixEpoch, "test");

    private static SensitiveColumn Flagged(string schema, string table, string column, QualifiedName? root = null) =>
        new(new QualifiedName(schema, table), column, "text", "email", "high", ["name"], null) { PartitionRoot = root, InheritedFrom = root is { } r ? [r] : [] };

    [Fact]
    public void A_chosen_policy_replaces_typed_rules_its_scoped_rules_mask_the_flagged_columns_and_the_request_names_it()
    {
        var draft = new CloneDraft { SourceId = 1, TargetId = 2, Operation = "schema", Schema = "crm" };
        draft.MaskRules.Add(new DraftMaskRule(new QualifiedName("crm", "people"), "note", Rule("\"null\"")));
        draft.MaskPolicyId = 3;
        draft.Policy = PolicyVersion("""{"people": {"email": "keyed_hash"}, "crm.orders": {"card": {"type": "constant", "value": "x"}}, "hr.staff": {"salary": "null"}}""");

        // The policy's rules of the clone's scope (hr.staff is in another schema), each on its table.
        Assert.Equal(["crm.people.email \"keyed_hash\"", "crm.orders.card {\"type\":\"constant\",\"value\":\"x\"}"],
            draft.AppliedRules.Select(r => $"{r.Table.Schema}.{r.Table.Name}.{r.Column} {r.Rule}"));
        Assert.Equal("""{"email":"keyed_hash"}""", draft.RulesOf(new QualifiedName("crm", "people")).ToJsonString());
        Assert.True(draft.Masks(Flagged("crm", "people", "email")));
        Assert.True(draft.Masks(Flagged("crm", "orders_2026", "card", new QualifiedName("crm", "orders"))));
        Assert.False(draft.Masks(Flagged("crm", "people", "note")));
        Assert.Empty(draft.Problems(WizardStep.Masking));

        // The run resolves the policy's newest version itself: the request names the policy and carries no typed mask.
        var request = draft.ToRequest();
        Assert.Equal((3, (long?)null, (JsonObject?)null), (request.MaskPolicyId, request.MaskPolicyVersionId, request.Options!.Mask));
        Assert.Equal(3, CloneDraft.From(request).MaskPolicyId);

        // None again: the typed rules apply as before.
        draft.MaskPolicyId = null;
        Assert.Equal(["note"], draft.AppliedRules.Select(r => r.Column));
        Assert.Equal("""{"people":{"note":"null"}}""", draft.ToRequest().Options!.Mask!.ToJsonString());
        Assert.Null(draft.ToRequest().MaskPolicyId);
    }

    [Fact]
    public void A_table_clone_takes_the_policy_s_rules_of_its_table_only_and_a_clone_without_rows_takes_no_policy()
    {
        var draft = new CloneDraft { SourceId = 1, TargetId = 2, Operation = "table", Schema = "crm", Table = "people", MaskPolicyId = 3,
            Policy = PolicyVersion("""{"crm.people": {"email": "email"}, "crm.orders": {"card": "null"}}""") };

        Assert.Equal(["crm.people.email"], draft.AppliedRules.Select(r => $"{r.Table.Schema}.{r.Table.Name}.{r.Column}"));
        Assert.True(draft.Masks(Flagged("crm", "people", "email")));
        Assert.False(draft.Masks(Flagged("crm", "orders", "card")));

        draft.IncludeData = false;
        Assert.Null(draft.ToRequest().MaskPolicyId);
        draft.IncludeData = true;
        draft.Policy = null;
        Assert.Equal(["The chosen masking policy could not be read: choose it again or choose none."], draft.Problems(WizardStep.Masking));
    }
}
