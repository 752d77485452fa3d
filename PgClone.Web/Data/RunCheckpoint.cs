namespace PgClone.Web.Data;

/// <summary>
/// One durable record of an engine job's checkpoint (begin, plan, table copied, step done, finish), appended like
/// the CLI's checkpoint file lines: inserts only, so parallel workers never contend, and the engine's checkpoint
/// model is stored as its own JSON (it may grow without a migration here).
/// </summary>
public sealed class RunCheckpoint
{
    public long Id { get; set; }
    public required string JobId { get; set; }
    public required string Kind { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
