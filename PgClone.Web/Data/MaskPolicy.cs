namespace PgClone.Web.Data;

/// <summary>
/// A named masking policy: who owns it and what it is for. Its rules live in <see cref="Versions"/>; editing the
/// rules adds a version, so a run can always name the exact rules it applied.
/// </summary>
public sealed class MaskPolicy
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>The person or team answerable for the policy (free text: a user name or a team).</summary>
    public required string Owner { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }

    public List<MaskPolicyVersion> Versions { get; set; } = [];
}
