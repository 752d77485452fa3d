namespace PgClone.Web.Data;

/// <summary>
/// A personal API token. Only the SHA-256 of the secret is stored; the secret itself is shown once, at creation.
/// </summary>
public sealed class ApiToken
{
    public int Id { get; set; }
    public required string UserId { get; set; }
    public ApplicationUser? User { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the whole token text (prefix included).</summary>
    public required byte[] Hash { get; set; }
    /// <summary>The token's first characters, so a user can tell tokens apart without the secret.</summary>
    public required string Hint { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}
