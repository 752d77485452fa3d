namespace PgClone.Web.Data;

/// <summary>
/// One clone run, whoever started it. Source and target names and environments are copied when the run is
/// submitted, so history reads as it was even after a connection is renamed or deleted. Status and the totals
/// are updated by the instance that runs it; <see cref="Tables"/> holds the per-table results.
/// </summary>
public sealed class Run
{
    public long Id { get; set; }
    /// <summary>user, token or schedule (<see cref="Runs.RunActorKinds"/>).</summary>
    public required string StartedByKind { get; set; }
    /// <summary>The user's name, the token's owner and name, or the schedule's name.</summary>
    public required string StartedBy { get; set; }
    public int? ProfileId { get; set; }
    /// <summary>The schedule that started it (null for the wizard, a profile run by hand, the API).</summary>
    public int? ScheduleId { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public int? SourceConnectionId { get; set; }
    public required string SourceName { get; set; }
    public string? SourceEnvironment { get; set; }
    /// <summary>host:port of the source, for the sessions-per-source-server limit across the cluster.</summary>
    public required string SourceServer { get; set; }
    public int? TargetConnectionId { get; set; }
    public required string TargetName { get; set; }
    public string? TargetEnvironment { get; set; }
    /// <summary>host:port/database the run writes: the key of the cluster-wide lock that keeps two runs off one target database.</summary>
    public string? TargetKey { get; set; }
    /// <summary>wait (default) or skip: what the run does when another run holds its target database.</summary>
    public string? Overlap { get; set; }
    /// <summary>Zero-downtime refresh options (<see cref="PgClone.Core.Refresh.RefreshOptions"/>) when the run refreshes through a shadow database.</summary>
    public string? RefreshJson { get; set; }

    public required string Operation { get; set; }
    public string? Schema { get; set; }
    public string? Table { get; set; }
    /// <summary>The engine options as applied (mask rules included, under "mask").</summary>
    public string? OptionsJson { get; set; }
    public string? RolesJson { get; set; }
    /// <summary>Whether mask rules were applied (they are part of <see cref="OptionsJson"/>).</summary>
    public bool Masked { get; set; }
    /// <summary>The masking policy version whose rules the run applied (they are also in <see cref="OptionsJson"/>).</summary>
    public long? MaskPolicyVersionId { get; set; }
    /// <summary>The user confirmed a production → non-production clone without full masking.</summary>
    public bool ProductionConfirmed { get; set; }

    /// <summary>queued, running, succeeded, failed, cancelled, interrupted (<see cref="Runs.RunStatus"/>).</summary>
    public required string Status { get; set; }
    /// <summary>Why a queued run waits (no free slot on any instance, too many sessions on its source server).</summary>
    public string? QueueReason { get; set; }
    public string? Phase { get; set; }
    public int TablesTotal { get; set; }
    public int TablesCompleted { get; set; }
    public int TablesFailed { get; set; }
    public long Rows { get; set; }
    public long Bytes { get; set; }
    public long BytesEstimated { get; set; }
    /// <summary>Sessions the run holds on its source server while it runs (parallel workers + 1).</summary>
    public int SourceSessions { get; set; } = 2;
    public string? Error { get; set; }
    /// <summary>Seconds per phase, as the engine measured them (JSON object phase → seconds).</summary>
    public string? PhaseSecondsJson { get; set; }
    /// <summary>Lines the engine wants read (masking proof, skipped objects, role statements' summary).</summary>
    public string? NotesJson { get; set; }

    /// <summary>The run this one finishes (copied tables kept).</summary>
    public long? ResumedFromRunId { get; set; }
    /// <summary>The engine job id of the current attempt: the key of its checkpoint.</summary>
    public string? EngineJobId { get; set; }
    /// <summary>The Quartz scheduler instance that runs it (or ran it last); null while queued.</summary>
    public string? Instance { get; set; }
    /// <summary>Set by a cancel on any instance; the owning instance stops the run.</summary>
    public bool CancelRequested { get; set; }
    public string? CancelledBy { get; set; }

    public List<RunTable> Tables { get; set; } = [];
}
