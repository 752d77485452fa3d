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

/// <summary>
/// The result of verifying the chain: intact over <see cref="Entries"/> entries, or the first broken link. The head
/// (the newest entry's id and hash) is what to record outside the console: checked against later as an
/// <see cref="ChainAnchor"/>, it shows whether the newest entries were deleted, which the chain alone cannot.
/// </summary>
public sealed record ChainStatus(bool Intact, long Entries, long? BrokenAtId, ChainBreak? Reason, string Message, DateTimeOffset CheckedAt)
{
    public long? HeadId { get; init; }
    public string? HeadHash { get; init; }
    /// <summary>The head as one string to copy and give back as an anchor: "id:hash".</summary>
    public string? Head => HeadId is { } id ? new ChainAnchor(id, HeadHash!).ToString() : null;
}

/// <summary>A head recorded earlier (<see cref="ChainStatus.Head"/>): the entry must still be in the chain with that hash.</summary>
public sealed partial record ChainAnchor(long Id, string Hash)
{
    /// <summary>Reads "id:hash" (a 64-digit hex SHA-256); null when the text is not one.</summary>
    public static ChainAnchor? Parse(string? text)
    {
        var m = text is null ? null : Shape().Match(text.Trim());
        return m is { Success: true } ? new ChainAnchor(long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value.ToLowerInvariant()) : null;
    }

    /// <summary>"id:hash", as <see cref="Parse"/> reads it.</summary>
    public override string ToString() => $"{Id}:{Hash}";

    [System.Text.RegularExpressions.GeneratedRegex("^#?([0-9]{1,18}):([0-9a-fA-F]{64})$")]
    private static partial System.Text.RegularExpressions.Regex Shape();
}
