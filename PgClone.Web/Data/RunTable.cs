namespace PgClone.Web.Data;

/// <summary>What happened to one table's data in a run.</summary>
public sealed class RunTable
{
    public long Id { get; set; }
    public long RunId { get; set; }
    /// <summary>"schema"."table" as the engine names it.</summary>
    public required string Table { get; set; }
    public long Rows { get; set; }
    public long Bytes { get; set; }
    public double Seconds { get; set; }
    /// <summary>copied, kept (copied by the run this one resumed), failed.</summary>
    public required string Status { get; set; }
    public string? Error { get; set; }
    /// <summary>The engine job that copied it (an earlier attempt's for tables a resume kept).</summary>
    public string? CopiedByJob { get; set; }
}
