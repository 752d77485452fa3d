using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>
/// A request in storable form. Connection strings are included; a file store keeps them without secrets
/// (<see cref="WithoutSecrets"/>), and a resume supplies the password again (PGPASSWORD, a pgpass file, or
/// connection strings handed to <see cref="ToRequest"/>).
/// </summary>
public sealed record CheckpointRequest(
    CloneOperation Operation,
    string SourceName, string SourceConnectionString,
    string TargetName, string TargetConnectionString,
    string? Schema, string? Table, string OptionsJson)
{
    public static CheckpointRequest From(CloneRequest r) => new(
        r.Operation, r.Source.Name, r.Source.ConnectionString, r.Target.Name, r.Target.ConnectionString,
        r.Schema, r.Table, r.EffectiveOptions.ToJson());

    /// <param name="source">replaces the stored source connection (e.g. the same server, with its password)</param>
    /// <param name="target">replaces the stored target connection</param>
    public CloneRequest ToRequest(ServerEndpoint? source = null, ServerEndpoint? target = null) => new(
        Operation,
        source ?? new ServerEndpoint(ServerRole.Source, SourceName, SourceConnectionString),
        target ?? new ServerEndpoint(ServerRole.Target, TargetName, TargetConnectionString),
        Schema, Table, CloneOptions.Parse(OptionsJson));

    /// <summary>The request with no password (nor SSL key password) in its connection strings.</summary>
    public CheckpointRequest WithoutSecrets() => this with
    {
        SourceConnectionString = StripSecrets(SourceConnectionString),
        TargetConnectionString = StripSecrets(TargetConnectionString),
    };

    private static string StripSecrets(string connectionString)
    {
        var csb = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Password = null, SslPassword = null };
        return csb.ConnectionString;
    }
}

/// <summary>A table whose data is in, with the job (and so the snapshot) that copied it.</summary>
public sealed record TableCheckpoint(string Table, long Rows, long Bytes, double Seconds, string CopiedByJob);

/// <summary>
/// A step whose target transaction was about to commit: recorded before COMMIT is sent, with the transaction's
/// id, so a resume can ask the target (txid_status) whether the commit happened when the client, the connection
/// or the server died in between. <see cref="Table"/> is set for a table's data (its step is <c>table:"s"."t"</c>);
/// <see cref="With"/> names the steps committed in the same transaction (a small table's indexes and keys).
/// </summary>
public sealed record PendingStep(string Step, long TransactionId, TableCheckpoint? Table = null, IReadOnlyList<string>? With = null);

/// <summary>
/// What a job has durably done, so a new job can finish it: the request, the plan it ran (replayed as is, so a
/// resume never re-plans against a half-built target), the tables whose data is complete and the DDL steps done.
/// Step keys: <c>pre-data:N</c> (the first N PreData statements are committed), <c>index:i</c>,
/// <c>constraint:i</c>, <c>post-data:i</c> (positions in the plan's lists).
/// </summary>
public sealed record JobCheckpoint
{
    public required string JobId { get; init; }
    public required CheckpointRequest Request { get; init; }
    public string? ResumedFrom { get; init; }
    public ClonePlan? Plan { get; init; }
    public Dictionary<string, TableCheckpoint> Tables { get; init; } = new(StringComparer.Ordinal);
    public HashSet<string> Steps { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Steps whose commit was under way when last heard of, by step key (see <see cref="PendingStep"/>).</summary>
    public Dictionary<string, PendingStep> Pending { get; init; } = new(StringComparer.Ordinal);
    public JobStatus Status { get; init; } = JobStatus.Running;
    public string? Error { get; init; }

    public int PreDataDone => Steps.Where(s => s.StartsWith("pre-data:", StringComparison.Ordinal))
        .Select(s => int.Parse(s["pre-data:".Length..], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    public static string Step(string phase, int index) => $"{phase}:{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>
/// Durable job state for resume. The command line keeps it in a JSON file (<see cref="JsonFileCheckpointStore"/>);
/// the web console keeps it in its database. Every call must be durable when it returns.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>Starts a job's record: request, the state carried over from the job it resumes, status running.</summary>
    Task BeginAsync(JobCheckpoint job, CancellationToken ct);
    Task SavePlanAsync(string jobId, ClonePlan plan, CancellationToken ct);
    Task TableCopiedAsync(string jobId, TableCheckpoint table, CancellationToken ct);
    Task StepDoneAsync(string jobId, string step, CancellationToken ct);
    /// <summary>Records a step about to commit (see <see cref="PendingStep"/>); durable when it returns, like every call.</summary>
    Task StepPendingAsync(string jobId, PendingStep step, CancellationToken ct);
    Task FinishAsync(string jobId, JobStatus status, string? error, CancellationToken ct);
    Task<JobCheckpoint?> LoadAsync(string jobId, CancellationToken ct);
    /// <summary>The most recently begun job, if any (the command line's `resume --checkpoint FILE`).</summary>
    Task<JobCheckpoint?> LatestAsync(CancellationToken ct);
}
