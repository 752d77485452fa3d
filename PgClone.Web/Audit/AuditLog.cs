using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PgClone.Web.Data;

namespace PgClone.Web.Audit;

/// <summary>
/// The audit trail: append an entry (<see cref="RecordAsync"/>), read pages of it, and verify its hash chain.
/// Appends from every console instance are serialized by a transaction-scoped advisory lock, taken before the last
/// hash is read, so the chain stays linear however many instances write. Rows are never changed: a trigger in the
/// database refuses UPDATE, DELETE and TRUNCATE (migration AuditTrailAndRoleTemplates).
/// </summary>
public sealed class AuditLog(IDbContextFactory<PgCloneDbContext> factory, IHttpContextAccessor http, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Records one action. The actor is <paramref name="actor"/> when given (sign-in attempts, runs finishing), else the
    /// user of the current circuit or HTTP request, else the console itself. <paramref name="details"/> is serialized
    /// as JSON: never put a secret in it.
    /// </summary>
    public async Task RecordAsync(string action, string subject, object? details = null, int? connectionId = null,
        AuditActor? actor = null, CancellationToken ct = default)
    {
        actor ??= await CurrentActorAsync();
        var entry = new AuditEntry
        {
            At = AuditChain.Truncate(clock.GetUtcNow()),
            ActorKind = actor.Kind, Actor = Limit(actor.Name, 256), Address = actor.Address is { } a ? Limit(a, 64) : null,
            Action = action, Subject = subject, ConnectionId = connectionId,
            Details = details is null ? "{}" : details as string ?? JsonSerializer.Serialize(details, Json),
            PreviousHash = [], Hash = [],
        };
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('pgclone.audit'))", ct);
        entry.PreviousHash = await db.AuditEntries.OrderByDescending(e => e.Id).Select(e => e.Hash).FirstOrDefaultAsync(ct) ?? AuditChain.Genesis;
        entry.Hash = AuditChain.Hash(entry.PreviousHash, entry);
        db.AuditEntries.Add(entry);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The actor for a principal a service was handed, with the current client's address.</summary>
    public AuditActor ActorFor(ClaimsPrincipal user) => AuditActor.From(user, ClientAddress());

    /// <summary>The client address of the current circuit or HTTP request, if any.</summary>
    public string? ClientAddress() => AuditContext.Current is { } circuit ? circuit.Address : http.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public async Task<AuditPage> ListAsync(AuditFilter filter, int skip, int take, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = Filtered(db, filter);
        var total = await q.CountAsync(ct);
        var rows = await q.OrderByDescending(e => e.Id).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 1000)).ToListAsync(ct);
        return new AuditPage([.. rows.Select(Row)], total);
    }

    /// <summary>Every entry the filter matches, oldest first, streamed (for the exports).</summary>
    public async IAsyncEnumerable<AuditRow> ReadAllAsync(AuditFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await foreach (var e in Filtered(db, filter).OrderBy(e => e.Id).AsAsyncEnumerable().WithCancellation(ct))
            yield return Row(e);
    }

    /// <summary>The distinct actors, for the page's user filter.</summary>
    public async Task<List<string>> ActorsAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.AuditEntries.Select(e => e.Actor).Distinct().OrderBy(a => a).ToListAsync(ct);
    }

    /// <summary>
    /// Walks the whole chain in id order and reports the first broken link: a row whose content no longer hashes to
    /// its stored hash was changed; a row whose previous hash is not its predecessor's hash follows a deleted (or
    /// rewritten) row. Deleting the newest rows leaves no successor to notice it: an <paramref name="anchor"/>, a
    /// head recorded outside the console at an earlier check, must still be in the chain with the same hash.
    /// </summary>
    public async Task<ChainStatus> VerifyAsync(ChainAnchor? anchor = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var previous = AuditChain.Genesis;
        long count = 0, after = 0;
        while (true)
        {
            var batch = await db.AuditEntries.AsNoTracking().Where(e => e.Id > after).OrderBy(e => e.Id).Take(2000).ToListAsync(ct);
            if (batch.Count == 0) break;
            foreach (var e in batch)
            {
                if (!AuditChain.Hash(e.PreviousHash, e).AsSpan().SequenceEqual(e.Hash))
                    return Broken(e.Id, ChainBreak.Changed, count, $"entry #{e.Id} was changed: its content no longer matches its hash");
                if (!e.PreviousHash.AsSpan().SequenceEqual(previous))
                    return Broken(e.Id, ChainBreak.Missing, count, count == 0
                        ? $"entry #{e.Id} does not start the chain: the entries before it are missing"
                        : $"the entry before #{e.Id} is missing (deleted or rewritten): #{e.Id} does not link to #{after}");
                if (anchor is not null && e.Id == anchor.Id && Convert.ToHexStringLower(e.Hash) != anchor.Hash)
                    return Broken(e.Id, ChainBreak.Changed, count, $"entry #{e.Id} no longer has the hash recorded for it: the chain was rewritten from there on");
                previous = e.Hash;
                after = e.Id;
                count++;
            }
        }
        if (anchor is not null && anchor.Id > after)
            return Broken(anchor.Id, ChainBreak.Missing, count, count == 0
                ? $"entry #{anchor.Id}, recorded as the chain's head, is gone: the chain is empty"
                : $"entry #{anchor.Id}, recorded as the chain's head, is gone: the entries after #{after} were deleted");
        var intact = count == 0 ? "the chain is empty" : $"the chain of {count} entries is intact";
        return new ChainStatus(true, count, null, null, anchor is null ? intact : $"{intact} and holds entry #{anchor.Id} as recorded", clock.GetUtcNow())
        {
            HeadId = count == 0 ? null : after,
            HeadHash = count == 0 ? null : Convert.ToHexStringLower(previous),
        };
    }

    /// <summary>Verifies the chain on a user's request (page or API) and records that it was checked, with the outcome.</summary>
    public async Task<ChainStatus> CheckChainAsync(ChainAnchor? anchor = null, CancellationToken ct = default)
    {
        var status = await VerifyAsync(anchor, ct);
        await RecordAsync(AuditActions.AuditVerified, "audit chain", new { status.Intact, status.Entries, status.BrokenAtId, status.Reason, status.Message, status.Head, Anchor = anchor?.ToString() }, ct: ct);
        return status;
    }

    private ChainStatus Broken(long id, ChainBreak reason, long count, string message) => new(false, count, id, reason, message, clock.GetUtcNow());

    private static IQueryable<AuditEntry> Filtered(PgCloneDbContext db, AuditFilter f)
    {
        var q = db.AuditEntries.AsNoTracking();
        if (f.User is { Length: > 0 } user) q = q.Where(e => e.Actor == user);
        if (f.Action is { Length: > 0 } action) q = q.Where(e => e.Action == action);
        if (f.ConnectionId is { } c) q = q.Where(e => e.ConnectionId == c);
        if (f.From is { } from) q = q.Where(e => e.At >= from.ToUniversalTime());
        if (f.To is { } to) q = q.Where(e => e.At < to.ToUniversalTime());
        return q;
    }

    private static AuditRow Row(AuditEntry e) => new(e.Id, e.At, e.ActorKind, e.Actor, e.Address, e.Action, e.Subject, e.ConnectionId, e.Details,
        Convert.ToHexStringLower(e.PreviousHash), Convert.ToHexStringLower(e.Hash));

    private async Task<AuditActor> CurrentActorAsync()
    {
        if (AuditContext.Current is { } circuit) return AuditActor.From(await circuit.User(), circuit.Address);
        if (http.HttpContext is { } context) return AuditActor.From(Runs.RunActor.ForRequest(context), ClientAddress());
        return AuditActor.Console;
    }

    private static string Limit(string s, int max) => s.Length <= max ? s : s[..max];
}
