namespace PgClone.Web.Data;

/// <summary>
/// A secret the console generated for itself, shared by every instance through the database and encrypted at rest
/// with Data Protection (whose key ring is in the database too): the masking secret when none is configured.
/// </summary>
public sealed class ConsoleSecret
{
    public required string Name { get; set; }
    public required string ValueEncrypted { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
