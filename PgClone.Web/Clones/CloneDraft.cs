using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Masking;
using PgClone.Core.Roles;
using PgClone.Web.Masking;
using PgClone.Web.Runs;

namespace PgClone.Web.Clones;

/// <summary>The wizard's steps, in order.</summary>
public enum WizardStep { Connections, Operation, Scope, Options, Subset, Masking, Summary }

/// <summary>One mask rule as the wizard edits it: a column of a table and its rule in the engine's JSON shape.</summary>
public sealed record DraftMaskRule(QualifiedName Table, string Column, MaskRule Rule);

/// <summary>
/// What the new-clone wizard is building: connections, operation, scope, every engine option, mask rules. Knows
/// what each step still lacks (<see cref="Problems"/>) and becomes the one <see cref="RunRequest"/> that the
/// wizard starts or saves as a profile. Engine option defaults are the engine's own (<see cref="CloneOptions"/>).
/// </summary>
public sealed class CloneDraft
{
    private static readonly CloneOptions Defaults = new();

    public int? SourceId { get; set; }
    public int? TargetId { get; set; }
    public string Operation { get; set; } = Core.CloneOperation.Schema.Name();
    public string? Schema { get; set; }
    public string? Table { get; set; }

    public bool Indexes { get; set; } = Defaults.Indexes;
    public bool Constraints { get; set; } = Defaults.Constraints;
    public bool Triggers { get; set; } = Defaults.Triggers;
    public bool Matviews { get; set; } = Defaults.Matviews;
    /// <summary>Table clones only: the columns to copy (null or empty: all).</summary>
    public IReadOnlyList<string>? Columns { get; set; }
    public string? Where { get; set; }
    public ConflictStrategy Conflict { get; set; } = Defaults.Conflict;
    public int Parallel { get; set; } = Defaults.Parallel;
    public int LockWaitTimeout { get; set; } = Defaults.LockWaitTimeout;
    public bool Consistent { get; set; } = Defaults.Consistent;
    public bool IncludeData { get; set; } = Defaults.IncludeData;
    public string? TargetName { get; set; }
    public bool RequireMasking { get; set; } = Defaults.RequireMasking;
    public bool SkipUnsupported { get; set; } = Defaults.SkipUnsupported;

    /// <summary>Rules typed or accepted from discovery; unused while a masking policy is chosen.</summary>
    public List<DraftMaskRule> MaskRules { get; } = [];

    /// <summary>A masking policy whose newest version the run applies instead of <see cref="MaskRules"/> (null: none).</summary>
    public int? MaskPolicyId { get; set; }

    /// <summary>The chosen policy's newest version as the page loaded it, for its rules (preview, coverage); the run resolves the newest again.</summary>
    public MaskPolicyVersionInfo? Policy { get; set; }

    /// <summary>A referentially complete subset of the rows instead of all of them (null: every row).</summary>
    public SubsetDraft? Subset { get; set; }

    /// <summary>Roles operation: the roles to copy (empty: every non-system role), a prefix, whether passwords are left out.</summary>
    public List<string> Roles { get; } = [];
    public string? RoleNamePrefix { get; set; }
    public bool NoPasswords { get; set; }

    public bool ConfirmProductionWithoutMasking { get; set; }

    public CloneOperation? CloneOperation => RunOperations.ToClone(Operation);
    public bool IsRoles => Operation == RunOperations.Roles;
    public bool IsWholeDatabase => CloneOperation is Core.CloneOperation.Database or Core.CloneOperation.DatabaseCreate;
    /// <summary>Operations that copy rows, and so can be masked.</summary>
    public bool CopiesData => CloneOperation is { } op && op != Core.CloneOperation.Functions && IncludeData;

    /// <summary>The chosen policy's rules for the clone's scope (<see cref="MaskPolicyScope.ForRun"/>, as the run applies them).</summary>
    public IReadOnlyList<DraftMaskRule> PolicyRules => Policy is { } p && CloneOperation is { } op
        ? RulesIn(MaskPolicyScope.ForRun(p.Rules, op, ScopeSchema, Table), op, ScopeSchema, Table)
        : [];

    /// <summary>The rules the clone applies: the policy's when one is chosen, else the typed ones.</summary>
    public IReadOnlyList<DraftMaskRule> AppliedRules => MaskPolicyId is null ? MaskRules : PolicyRules;

    /// <summary>True when a rule the clone applies masks the column (a rule on a parent covers the column it passes to its partitions and inheritance children).</summary>
    public bool Masks(SensitiveColumn f) =>
        AppliedRules.Any(r => r.Column == f.Column && (r.Table == f.Table || f.InheritedFrom.Contains(r.Table)));

    /// <summary>The schema the scope names; a table clone without one is in public, as the run reads it.</summary>
    private string? ScopeSchema => Schema ?? (CloneOperation == Core.CloneOperation.Table ? "public" : null);

    /// <summary>What is wrong with the row filter as typed, shown on the field itself too; null when nothing is.</summary>
    public string? WhereProblem => Where is { Length: > 0 } w && w.Contains(';') ? "The row filter (where) must be one condition, without ';'." : null;

    /// <summary>What keeps the step from being complete, one sentence each; empty when the user may go on.</summary>
    public IReadOnlyList<string> Problems(WizardStep step)
    {
        var problems = new List<string>();
        switch (step)
        {
            case WizardStep.Connections:
                if (SourceId is null) problems.Add("Choose the source connection.");
                if (TargetId is null) problems.Add("Choose the target connection.");
                if (SourceId is not null && SourceId == TargetId && Operation != Core.CloneOperation.Table.Name())
                    problems.Add("Source and target are the same connection: choose another target (only a table clone with a new name may stay on one database).");
                break;
            case WizardStep.Operation:
                if (!RunOperations.All.Contains(Operation)) problems.Add("Choose what to clone.");
                break;
            case WizardStep.Scope:
                if (CloneOperation is Core.CloneOperation.Table or Core.CloneOperation.Schema or Core.CloneOperation.Functions && string.IsNullOrWhiteSpace(Schema))
                    problems.Add("Choose a schema.");
                if (CloneOperation == Core.CloneOperation.Table && string.IsNullOrWhiteSpace(Table))
                    problems.Add("Choose a table.");
                if (CloneOperation == Core.CloneOperation.Table && SourceId == TargetId && string.IsNullOrWhiteSpace(TargetName))
                    problems.Add("Source and target are one database: give the copy a new table name (target name).");
                break;
            case WizardStep.Options:
                if (Parallel is < 1 or > 256) problems.Add("Parallel workers must be between 1 and 256.");
                if (LockWaitTimeout is < 1 or > CloneOptions.MaxLockWaitTimeout) problems.Add($"The lock wait must be between 1 and {CloneOptions.MaxLockWaitTimeout} seconds.");
                if (WhereProblem is { } where) problems.Add(where);
                break;
            case WizardStep.Subset:
                if (Subset is not null && CopiesData) problems.AddRange(Subset.Problems());
                break;
            case WizardStep.Masking when MaskPolicyId is not null:
                if (Policy is null && CopiesData) problems.Add("The chosen masking policy could not be read: choose it again or choose none.");
                break;
            case WizardStep.Masking:
                foreach (var r in MaskRules.GroupBy(r => (r.Table, r.Column)).Where(g => g.Count() > 1))
                    problems.Add($"Column {r.Key.Table}.{Core.Connections.Sql.Ident(r.Key.Column)} has more than one rule: keep one.");
                if (CloneOperation == Core.CloneOperation.Table)
                    foreach (var r in MaskRules.Where(r => r.Table != new QualifiedName(Schema ?? "public", Table ?? "")))
                        problems.Add($"A table clone masks only its table: the rule for {r.Table}.{Core.Connections.Sql.Ident(r.Column)} names another one.");
                break;
        }
        return problems;
    }

    /// <summary>The mask option in the shape the operation's parser reads (see <see cref="MaskRuleSet"/>).</summary>
    public JsonObject? MaskJson()
    {
        if (MaskRules.Count == 0 || CloneOperation is not { } op) return null;
        var mask = new JsonObject();
        foreach (var r in MaskRules)
        {
            if (op == Core.CloneOperation.Table) { mask[r.Column] = r.Rule.ToJson(); continue; }
            // A bare table name means the cloned schema (schema clone) or public (database clone); the parser splits
            // "schema.table" at the first dot, so a name holding a dot is always written qualified.
            var home = op == Core.CloneOperation.Schema ? Schema : "public";
            var key = r.Table.Schema == home && !r.Table.Name.Contains('.') ? r.Table.Name : $"{r.Table.Schema}.{r.Table.Name}";
            if (mask[key] is not JsonObject columns) mask[key] = columns = new JsonObject();
            columns[r.Column] = r.Rule.ToJson();
        }
        return mask;
    }

    /// <summary>The rules the clone applies to one table, by column (for the masking preview).</summary>
    public JsonObject RulesOf(QualifiedName table)
    {
        var rules = new JsonObject();
        foreach (var r in AppliedRules.Where(r => r.Table == table)) rules[r.Column] = r.Rule.ToJson();
        return rules;
    }

    public CloneOptions Options() => new()
    {
        Indexes = Indexes, Constraints = Constraints, Triggers = Triggers, Matviews = Matviews,
        Columns = CloneOperation == Core.CloneOperation.Table && Columns is { Count: > 0 } c ? c : null,
        Where = string.IsNullOrWhiteSpace(Where) ? null : Where.Trim(),
        Conflict = Conflict, Parallel = Parallel, LockWaitTimeout = LockWaitTimeout, Mask = CopiesData && MaskPolicyId is null ? MaskJson() : null, Consistent = Consistent,
        IncludeData = IncludeData,
        TargetName = CloneOperation is Core.CloneOperation.Table or Core.CloneOperation.DatabaseCreate && !string.IsNullOrWhiteSpace(TargetName) ? TargetName.Trim() : null,
        RequireMasking = RequireMasking, SkipUnsupported = SkipUnsupported,
        Subset = CopiesData && Subset is not null ? Subset.ToOptions() : null,
    };

    public RunRequest ToRequest() => new(
        Operation, SourceId ?? 0, TargetId ?? 0,
        IsRoles || IsWholeDatabase ? null : Schema,
        CloneOperation == Core.CloneOperation.Table ? Table : null,
        IsRoles ? null : Options(),
        IsRoles ? new RoleCloneOptions { Roles = Roles.Count == 0 ? null : [.. Roles], NamePrefix = string.IsNullOrWhiteSpace(RoleNamePrefix) ? null : RoleNamePrefix.Trim(), NoPasswords = NoPasswords } : null,
        ConfirmProductionWithoutMasking,
        MaskPolicyId: CopiesData ? MaskPolicyId : null);

    /// <summary>A draft holding a saved request (editing a profile).</summary>
    public static CloneDraft From(RunRequest r)
    {
        var o = r.Options ?? Defaults;
        var draft = new CloneDraft
        {
            SourceId = r.SourceConnectionId, TargetId = r.TargetConnectionId, Operation = r.Operation, Schema = r.Schema, Table = r.Table,
            Indexes = o.Indexes, Constraints = o.Constraints, Triggers = o.Triggers, Matviews = o.Matviews, Columns = o.Columns,
            Where = o.Where, Conflict = o.Conflict, Parallel = o.Parallel, LockWaitTimeout = o.LockWaitTimeout, Consistent = o.Consistent, IncludeData = o.IncludeData,
            TargetName = o.TargetName, RequireMasking = o.RequireMasking, SkipUnsupported = o.SkipUnsupported, Subset = o.Subset is null ? null : SubsetDraft.From(o.Subset),
            RoleNamePrefix = r.Roles?.NamePrefix, NoPasswords = r.Roles?.NoPasswords ?? false, MaskPolicyId = r.MaskPolicyId,
        };
        draft.Roles.AddRange(r.Roles?.Roles ?? []);
        if (o.Mask is { } mask && RunOperations.ToClone(r.Operation) is { } op)
            draft.MaskRules.AddRange(RulesIn(mask, op, r.Schema, r.Table));
        return draft;
    }

    /// <summary>The rules of a mask option one by one, each on its table, read as the operation's parser reads the keys.</summary>
    private static List<DraftMaskRule> RulesIn(JsonObject mask, CloneOperation op, string? schema, string? table)
    {
        var rules = new List<DraftMaskRule>();
        foreach (var (key, value) in mask)
        {
            if (op == Core.CloneOperation.Table)
            {
                rules.Add(new DraftMaskRule(new QualifiedName(schema ?? "public", table ?? ""), key, MaskRule.Parse(value, key)));
                continue;
            }
            var dot = key.IndexOf('.');
            var owner = dot > 0 ? new QualifiedName(key[..dot], key[(dot + 1)..])
                : new QualifiedName(op == Core.CloneOperation.Schema ? schema ?? "public" : "public", key);
            foreach (var (column, rule) in value as JsonObject ?? [])
                rules.Add(new DraftMaskRule(owner, column, MaskRule.Parse(rule, column)));
        }
        return rules;
    }
}
