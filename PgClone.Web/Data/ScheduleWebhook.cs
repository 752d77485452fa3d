namespace PgClone.Web.Data;

/// <summary>
/// A URL told when a schedule's run ends. The body is signed with HMAC-SHA256 under <see cref="SecretEncrypted"/>
/// (encrypted at rest with Data Protection, as connection passwords are).
/// </summary>
public sealed class ScheduleWebhook
{
    public int Id { get; set; }
    public int ScheduleId { get; set; }
    public required string Url { get; set; }
    public required string SecretEncrypted { get; set; }
    /// <summary>Comma-separated events: success, failure, gate (<see cref="Schedules.WebhookEvents"/>).</summary>
    public required string Events { get; set; }
}
