namespace PgClone.Web.Data;

/// <summary>
/// One line of the audit trail. Rows are only ever inserted (a trigger refuses UPDATE, DELETE and TRUNCATE);
/// <see cref="Hash"/> is the SHA-256 of <see cref="PreviousHash"/> and this entry's canonical form
/// (PgClone.Web.Audit.AuditChain), so a changed or deleted row breaks the chain.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    /// <summary>UTC, to the microsecond (what PostgreSQL stores, so the hash survives the round trip).</summary>
    public DateTimeOffset At { get; set; }
    /// <summary>user, token, schedule, system or anonymous (a failed sign-in names the account it tried).</summary>
    public required string ActorKind { get; set; }
    public required string Actor { get; set; }
    /// <summary>The client's IP address when the action came from a browser or an API call.</summary>
    public string? Address { get; set; }
    /// <summary>One of <c>AuditActions</c>, e.g. <c>connection.created</c>.</summary>
    public required string Action { get; set; }
    /// <summary>What was acted on, by name: "connection 'prod'", "run #12", "user ann@example.com".</summary>
    public required string Subject { get; set; }
    /// <summary>The connection involved, for the connection filter (a run's source and target: the source here, both in details).</summary>
    public int? ConnectionId { get; set; }
    /// <summary>Details as JSON text, stored verbatim (json, not jsonb) so the hash input is kept byte for byte.</summary>
    public required string Details { get; set; }
    public required byte[] PreviousHash { get; set; }
    public required byte[] Hash { get; set; }
}
