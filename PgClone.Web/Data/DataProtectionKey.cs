namespace PgClone.Web.Data;

/// <summary>One XML element of the Data Protection key ring, shared by every console instance on this database.</summary>
public sealed class DataProtectionKey
{
    public int Id { get; set; }
    public string? FriendlyName { get; set; }
    public required string Xml { get; set; }
}
