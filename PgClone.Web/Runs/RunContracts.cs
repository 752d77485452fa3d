using System.Text.Json.Serialization;
using PgClone.Core;
using PgClone.Core.Roles;

namespace PgClone.Web.Runs;

/// <summary>The operations a run can perform, by the names users know (the CLI's verbs).</summary>
public static class RunOperations
{
    public const string Roles = "roles";

    /// <summary>table, schema, functions, database, database-create, roles.</summary>
    public static readonly IReadOnlyList<string> All =
        [.. Enum.GetValues<CloneOperation>().Select(o => o.Name()), Roles];

    public static CloneOperation? ToClone(string operation) =>
        Enum.GetValues<CloneOperation>().Cast<CloneOperation?>().FirstOrDefault(o => o!.Value.Name() == operation);
}

/// <summary>A run's state. Stored and sent as its lower-case name (the names <c>StatusBadge</c> colours).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    /// <summary>Its instance went away and nobody recovers it: resumable.</summary>
    [JsonStringEnumMemberName("interrupted")] Interrupted,
}

public static class RunStatuses
{
    public static string Name(this RunStatus s) => s.ToString().ToLowerInvariant();
    public static RunStatus Parse(string s) => Enum.Parse<RunStatus>(s, ignoreCase: true);
    public static bool IsFinished(this RunStatus s) => s is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Interrupted;
    /// <summary>Statuses a run can be resumed from.</summary>
    public static bool IsResumable(this RunStatus s) => s is RunStatus.Failed or RunStatus.Cancelled or RunStatus.Interrupted;
}

/// <summary>Who starts runs.</summary>
public static class RunActorKinds
{
    public const string User = "user";
    public const string Token = "token";
    public const string Schedule = "schedule";
}

/// <summary>
/// What to run: the engine's request (operation, scope, options with mask rules) with connection ids instead of
/// connection strings. The same body for the wizard, a profile, the API and schedules.
/// </summary>
/// <param name="Options">The engine's options object (<see cref="CloneOptions"/>: the JSON the CLI's --options takes).</param>
/// <param name="Roles">For the roles operation: which roles and whether passwords are copied.</param>
/// <param name="ConfirmProductionWithoutMasking">Required to clone a production connection into a non-production one
/// without a mask rule for every column discovery flags; recorded on the run.</param>
/// <param name="MaskPolicyVersionId">A masking policy version whose rules (for the run's scope) are the run's "mask"; recorded on the run.</param>
/// <param name="MaskPolicyId">A masking policy whose newest version the run applies (when no version is named); the run records that version.
/// A policy and the options' own "mask" are exclusive.</param>
public sealed record RunRequest(
    string Operation,
    int SourceConnectionId,
    int TargetConnectionId,
    string? Schema = null,
    string? Table = null,
    CloneOptions? Options = null,
    RoleCloneOptions? Roles = null,
    bool ConfirmProductionWithoutMasking = false,
    long? MaskPolicyVersionId = null,
    int? MaskPolicyId = null);

/// <summary>What a schedule adds to the runs it starts.</summary>
/// <param name="Overlap">wait or skip (<c>OverlapPolicy</c>'s names): when another run holds the target database.</param>
/// <param name="RequireMasking">Apply the engine's masking coverage gate (require_masking).</param>
/// <param name="RefreshJson">Zero-downtime refresh options, or null for a plain run.</param>
public sealed record ScheduledStart(int ScheduleId, string Overlap, bool RequireMasking, string? RefreshJson);

/// <summary>Told when a run has finished (succeeded, failed, cancelled or skipped) on this instance: notifications hang here.</summary>
public interface IRunOutcomeListener
{
    Task RunFinishedAsync(long runId, CancellationToken ct);
}

/// <summary>Filters for the run list; every one optional.</summary>
public sealed record RunFilter(
    RunStatus? Status = null,
    string? User = null,
    int? ConnectionId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null);

/// <summary>A page of a long list.</summary>
public sealed record Paging(int Skip = 0, int Take = 50);

public sealed record RunPage(IReadOnlyList<RunSummary> Items, int Total);

/// <summary>A run as lists show it.</summary>
public sealed record RunSummary(
    long Id,
    RunStatus Status,
    string? QueueReason,
    string? Phase,
    string Operation,
    string? Schema,
    string? Table,
    string SourceName,
    string? SourceEnvironment,
    string TargetName,
    string? TargetEnvironment,
    string StartedByKind,
    string StartedBy,
    int? ProfileId,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int TablesTotal,
    int TablesCompleted,
    int TablesFailed,
    long Rows,
    long Bytes,
    long BytesEstimated,
    string? Error,
    long? ResumedFromRunId,
    string? Instance,
    bool CancelRequested,
    string? TargetKey = null)
{
    /// <summary>The database the run writes (the part of <see cref="TargetKey"/> after <c>host:port/</c>), null for roles.</summary>
    public string? TargetDatabase => TargetKey?.IndexOf('/') is int slash and >= 0 ? TargetKey[(slash + 1)..] : null;
}

/// <summary>One table's outcome in a run.</summary>
public sealed record RunTableResult(string Table, long Rows, long Bytes, double Seconds, string Status, string? Error, string? CopiedByJob);

/// <summary>A run with everything the detail page and GET /api/v1/runs/{id} show.</summary>
public sealed record RunDetail(
    RunSummary Run,
    int? SourceConnectionId,
    int? TargetConnectionId,
    CloneOptions? Options,
    RoleCloneOptions? Roles,
    bool Masked,
    bool ProductionConfirmed,
    IReadOnlyDictionary<string, double> PhaseSeconds,
    IReadOnlyList<string> Notes,
    IReadOnlyList<RunTableResult> Tables,
    long? MaskPolicyVersionId = null);

/// <summary>Totals over a period (the dashboard's "this week").</summary>
public sealed record RunTotals(int Runs, long Rows, long Bytes, int Failures);

/// <summary>Why a run request was refused; the API maps <see cref="Kind"/> to its HTTP status.</summary>
public sealed class RunRejectedException(RunRejection kind, string message) : PgCloneException(message)
{
    public RunRejection Kind { get; } = kind;
}

public enum RunRejection
{
    /// <summary>The request is malformed (bad options, missing scope): 400.</summary>
    Invalid,
    /// <summary>The user may not use a connection that way, or may not act on the run: 403.</summary>
    Forbidden,
    /// <summary>The run or profile does not exist: 404.</summary>
    NotFound,
    /// <summary>The run's state does not allow it (resume a running run), or a production confirmation is missing: 409.</summary>
    Conflict,
}
