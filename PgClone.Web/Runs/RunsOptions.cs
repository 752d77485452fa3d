namespace PgClone.Web.Runs;

/// <summary>Settings of run execution, section <c>PgClone:Runs</c>.</summary>
public sealed class RunsOptions
{
    public const string Section = "PgClone:Runs";

    /// <summary>Runs one console instance executes at once (its Quartz thread pool); more wait, queued.</summary>
    public int MaxConcurrentRunsPerInstance { get; set; } = 4;
    /// <summary>Sessions all running runs may hold together on one source server, across the cluster (a run holds parallel + 1).</summary>
    public int MaxSessionsPerSource { get; set; } = 32;
    /// <summary>How long a run that does not fit on its source server waits before it tries again.</summary>
    public TimeSpan QueueRetryInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How often an instance tells the cluster it is alive; a dead one's runs are recovered after about interval + threshold.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>How often an idle instance looks for runs to start (at least 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Live progress messages per run and second (hub, feed, NOTIFY).</summary>
    public int ProgressMessagesPerSecond { get; set; } = 4;
    /// <summary>How often a running run writes its totals to the database and checks for a cancel request.</summary>
    public TimeSpan StateSaveInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>The Quartz instance id of this console; generated (host name + time) when empty. Must differ per instance.</summary>
    public string? InstanceId { get; set; }
}
