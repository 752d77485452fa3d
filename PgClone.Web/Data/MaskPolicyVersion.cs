namespace PgClone.Web.Data;

/// <summary>
/// One immutable version of a <see cref="MaskPolicy"/>'s rules, in the engine's <c>mask</c> JSON keyed by table
/// (<c>{"employees": {"email": "email"}}</c>, or <c>"schema.table"</c> keys): the shape <c>pgclone discover</c>
/// prints. Never updated or deleted: runs point at it.
/// </summary>
public sealed class MaskPolicyVersion
{
    public long Id { get; set; }
    public int PolicyId { get; set; }
    /// <summary>1, 2, 3... within the policy.</summary>
    public int Version { get; set; }
    public required string RulesJson { get; set; }
    /// <summary>Why this version was made ("accepted from discovery of crm", "salary now random_int").</summary>
    public string? Note { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
}
