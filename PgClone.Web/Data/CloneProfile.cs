namespace PgClone.Web.Data;

/// <summary>
/// A saved clone: what to clone, from which connection to which, with every engine option, run again by hand,
/// through the API or by a schedule. <see cref="OptionsJson"/> is the engine's options object
/// (<see cref="PgClone.Core.CloneOptions"/>, mask rules under "mask"); <see cref="RolesJson"/> the role options
/// of a roles clone. Both in the engine's own JSON shape, so a profile runs exactly what the CLI would.
/// </summary>
public sealed class CloneProfile
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public int SourceConnectionId { get; set; }
    public int TargetConnectionId { get; set; }
    /// <summary>table, schema, functions, database, database-create or roles (<see cref="Runs.RunOperations"/>).</summary>
    public required string Operation { get; set; }
    public string? Schema { get; set; }
    public string? Table { get; set; }
    public string? OptionsJson { get; set; }
    public string? RolesJson { get; set; }
    /// <summary>The masking policy whose latest version each run of the profile applies (its rules replace "mask").</summary>
    public int? MaskPolicyId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}
