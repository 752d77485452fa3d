namespace PgClone.Web.Audit;

/// <summary>Filters of the Audit page and <c>GET /api/v1/audit</c>; every one optional. <see cref="To"/> is exclusive.</summary>
public sealed record AuditFilter(
    string? User = null,
    string? Action = null,
    int? ConnectionId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null);

/// <summary>One audit entry as the page, the API and the exports show it (hashes as lower-case hex).</summary>
public sealed record AuditRow(
    long Id,
    DateTimeOffset At,
    string ActorKind,
    string Actor,
    string? Address,
    string Action,
    string Subject,
    int? ConnectionId,
    string Details,
    string PreviousHash,
    string Hash);

public sealed record AuditPage(IReadOnlyList<AuditRow> Items, int Total);

/// <summary>How a link of the chain is broken: the row's content no longer matches its hash, or a row before it is gone.</summary>
public enum ChainBreak { Changed, Missing }

/// <summary>The result of verifying the chain: intact over <see cref="Entries"/> entries, or the first broken link.</summary>
public sealed record ChainStatus(bool Intact, long Entries, long? BrokenAtId, ChainBreak? Reason, string Message, DateTimeOffset CheckedAt);
