using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PgClone.Web.Data;

namespace PgClone.Web.Audit;

/// <summary>
/// The hash chain: each entry's hash is SHA-256(previous hash ‖ canonical entry). The canonical entry is a JSON
/// array of every stored field except the id and the hashes, in a fixed order, with the time in microseconds since
/// the Unix epoch — so the same row read back from PostgreSQL hashes to the same value.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first entry.</summary>
    public static readonly byte[] Genesis = new byte[32];

    public static DateTimeOffset Truncate(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % 10, TimeSpan.Zero);
    }

    public static string Canonical(AuditEntry e) => JsonSerializer.Serialize(new object?[]
    {
        (e.At.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10, e.ActorKind, e.Actor, e.Address, e.Action, e.Subject, e.ConnectionId, e.Details,
    });

    public static byte[] Hash(byte[] previous, AuditEntry e)
    {
        var canonical = Encoding.UTF8.GetBytes(Canonical(e));
        var input = new byte[previous.Length + canonical.Length];
        previous.CopyTo(input, 0);
        canonical.CopyTo(input, previous.Length);
        return SHA256.HashData(input);
    }
}
