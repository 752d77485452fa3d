namespace PgClone.Web.Schedules;

/// <summary>Settings of schedules and their notifications, section <c>PgClone:Schedules</c>.</summary>
public sealed class SchedulesOptions
{
    public const string Section = "PgClone:Schedules";

    /// <summary>The console's address as users reach it (https://pgclone.example.com): webhooks link to /jobs/{id} under it.</summary>
    public string? PublicBaseUrl { get; set; }
    /// <summary>Deliveries of one webhook call before it is given up (the first included).</summary>
    public int WebhookAttempts { get; set; } = 3;
    /// <summary>The wait before the second attempt; each later one waits twice as long.</summary>
    public TimeSpan WebhookBackoff { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
