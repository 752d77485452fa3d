namespace PgClone.Web.Data;

/// <summary>
/// A saved role clone: which roles (a list, a name prefix, or every non-system role) go from which source to which
/// target, and whether their passwords go too. Memberships, per-role settings and grants always follow the roles
/// (the engine's RoleCloner). Runs through RunsService as the "roles" operation.
/// </summary>
public sealed class RoleTemplate
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>Role names; empty with no prefix means every non-system role.</summary>
    public List<string> Roles { get; set; } = [];
    public string? NamePrefix { get; set; }
    public bool NoPasswords { get; set; }
    public int SourceConnectionId { get; set; }
    public int TargetConnectionId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}
