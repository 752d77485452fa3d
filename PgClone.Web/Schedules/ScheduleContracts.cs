using System.Text.Json.Serialization;
using PgClone.Core.Refresh;
using PgClone.Web.Runs;

namespace PgClone.Web.Schedules;

/// <summary>What happens to a firing missed while no console instance ran (Quartz misfire instructions).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MisfirePolicy>))]
public enum MisfirePolicy
{
    /// <summary>Fire once as soon as a console runs again, then keep to the schedule (FireAndProceed).</summary>
    [JsonStringEnumMemberName("run-once")] RunOnce,
    /// <summary>Forget missed firings and wait for the next one (DoNothing).</summary>
    [JsonStringEnumMemberName("skip")] Skip,
}

/// <summary>What a scheduled run does when another run writes the same target database.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OverlapPolicy>))]
public enum OverlapPolicy
{
    /// <summary>Wait, queued, saying which run holds the target.</summary>
    [JsonStringEnumMemberName("wait")] Wait,
    /// <summary>Do not run this time; the run is recorded as cancelled with the reason.</summary>
    [JsonStringEnumMemberName("skip")] Skip,
}

public static class SchedulePolicies
{
    public static string Name(this MisfirePolicy p) => p == MisfirePolicy.RunOnce ? "run-once" : "skip";
    public static MisfirePolicy ParseMisfire(string s) => s == "skip" ? MisfirePolicy.Skip : MisfirePolicy.RunOnce;
    public static string Name(this OverlapPolicy p) => p == OverlapPolicy.Skip ? RunJob.OverlapSkip : "wait";
    public static OverlapPolicy ParseOverlap(string s) => s == RunJob.OverlapSkip ? OverlapPolicy.Skip : OverlapPolicy.Wait;
}

/// <summary>The events a webhook can subscribe to.</summary>
public static class WebhookEvents
{
    public const string Success = "success";
    public const string Failure = "failure";
    /// <summary>The masking coverage gate refused the run (a sensitive column without a mask rule).</summary>
    public const string Gate = "gate";
    public static readonly IReadOnlyList<string> All = [Success, Failure, Gate];
}

/// <summary>A webhook as typed: a null or empty <see cref="Secret"/> on an existing webhook (<see cref="Id"/>) keeps its secret.</summary>
public sealed record WebhookDraft(string Url, string? Secret, IReadOnlyList<string> Events, int? Id = null);

/// <summary>A webhook as shown: never its secret.</summary>
public sealed record WebhookInfo(int Id, string Url, IReadOnlyList<string> Events);

/// <summary>What a user types to schedule a profile.</summary>
public sealed record ScheduleDraft(
    string Name,
    int ProfileId,
    string Cron,
    string TimeZone = "UTC",
    bool Enabled = true,
    MisfirePolicy Misfire = MisfirePolicy.RunOnce,
    OverlapPolicy Overlap = OverlapPolicy.Wait,
    bool RequireMasking = true,
    RefreshOptions? Refresh = null,
    IReadOnlyList<WebhookDraft>? Webhooks = null);

/// <summary>A schedule as lists and the API show it: with its next and last firing and the last run's status.</summary>
public sealed record ScheduleInfo(
    int Id,
    string Name,
    int ProfileId,
    string ProfileName,
    string Cron,
    string Description,
    string TimeZone,
    bool Enabled,
    MisfirePolicy Misfire,
    OverlapPolicy Overlap,
    bool RequireMasking,
    RefreshOptions? Refresh,
    string Owner,
    DateTimeOffset? NextFireAt,
    DateTimeOffset? LastFiredAt,
    long? LastRunId,
    RunStatus? LastStatus,
    IReadOnlyList<WebhookInfo> Webhooks,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string UpdatedBy);

/// <summary>A cron expression explained: in words, and its next firings in the schedule's time zone.</summary>
public sealed record CronPreview(string Description, IReadOnlyList<DateTimeOffset> Next);
