namespace PgClone.Web.Data;

/// <summary>
/// A clone profile run on a Quartz cron expression, in a time zone. Its trigger lives in the clustered Quartz store
/// beside the runs (job <c>schedules.schedule-{id}</c>); this row is what users edit, and the trigger follows it.
/// Runs it starts carry its id and name (<see cref="Run.ScheduleId"/>, started by kind "schedule").
/// </summary>
public sealed class Schedule
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public int ProfileId { get; set; }
    /// <summary>A Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]).</summary>
    public required string Cron { get; set; }
    /// <summary>IANA or Windows time zone id the expression is read in.</summary>
    public required string TimeZone { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>run-once or skip (<see cref="Schedules.MisfirePolicy"/>): a firing missed while no console ran.</summary>
    public required string Misfire { get; set; }
    /// <summary>wait or skip (<see cref="Schedules.OverlapPolicy"/>): when another run writes the same target database.</summary>
    public required string Overlap { get; set; }
    /// <summary>Apply the masking coverage gate (require_masking) to every run: on unless switched off.</summary>
    public bool RequireMasking { get; set; } = true;
    /// <summary>The zero-downtime refresh's options (<see cref="PgClone.Core.Refresh.RefreshOptions"/>) when it refreshes that way; null for a plain run.</summary>
    public string? RefreshJson { get; set; }
    /// <summary>The user whose rights on the connections the schedule's runs use.</summary>
    public required string OwnerId { get; set; }
    public required string Owner { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }

    public List<ScheduleWebhook> Webhooks { get; set; } = [];
}
