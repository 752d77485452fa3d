using System.Text.Json.Nodes;

namespace PgClone.Web.Masking;

/// <summary>What a user types to create a policy: its first version's rules (the engine's mask JSON keyed by table).</summary>
public sealed record MaskPolicyDraft(string Name, string? Description, string? Owner, JsonObject Rules, string? Note = null);

/// <summary>A new version of a policy's rules.</summary>
public sealed record MaskPolicyVersionDraft(JsonObject Rules, string? Note = null);

public sealed record MaskPolicySummary(int Id, string Name, string? Description, string Owner, int LatestVersion, long LatestVersionId,
    int Columns, DateTimeOffset UpdatedAt, string UpdatedBy);

public sealed record MaskPolicyVersionInfo(long Id, int PolicyId, string PolicyName, int Version, JsonObject Rules, string? Note,
    DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>A policy with every version, newest first.</summary>
public sealed record MaskPolicyDetail(MaskPolicySummary Policy, IReadOnlyList<MaskPolicyVersionInfo> Versions);
