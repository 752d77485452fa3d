using System.Security.Cryptography;
using System.Text;

namespace PgClone.Core.Masking;

/// <summary>
/// The per-installation secret behind the keyed strategies (keyed_hash, fake_name, fake_email, date_shift,
/// keep_format, keyed_email). Masks are HMAC-SHA256(secret, value) computed on the source with the built-in sha256(): someone
/// who sees masked data but not the secret cannot rebuild the mapping from a dictionary of likely values, and
/// the same secret gives the same mask in every table and run, so joins still match.
/// The CLI reads PGCLONE_MASK_SECRET or a key file; the console passes its own.
/// </summary>
public sealed class MaskingSecret
{
    private readonly byte[] _key;

    public MaskingSecret(ReadOnlySpan<byte> key)
    {
        if (key.Length < 16) throw new PgCloneException("the masking secret must be at least 16 bytes");
        _key = key.ToArray();
    }

    public static MaskingSecret FromText(string secret) => new(Encoding.UTF8.GetBytes(secret));

    public static MaskingSecret Random() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>A secret of its own for one purpose (a masked view), from which this one cannot be recovered.</summary>
    public MaskingSecret Derive(string purpose) => new(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes("pgclone-derive:" + purpose)));

    /// <summary>The HMAC-SHA256 inner and outer padded keys (RFC 2104), which is all the SQL needs.</summary>
    public (byte[] Inner, byte[] Outer) Pads()
    {
        var key = new byte[64];
        (_key.Length > 64 ? SHA256.HashData(_key) : _key).CopyTo(key, 0);
        return (key.Select(b => (byte)(b ^ 0x36)).ToArray(), key.Select(b => (byte)(b ^ 0x5c)).ToArray());
    }

    /// <summary>A reusable HMAC-SHA256 under this secret (one per thread): what masking on the stream computes with.</summary>
    public IncrementalHash NewHmac() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);

    /// <summary>What tests compare the SQL against.</summary>
    public byte[] Hmac(string value) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(value));

    /// <summary>sha256(ipad || value), what keep_format's SQL computes per digit.</summary>
    public byte[] InnerHash(string value) => SHA256.HashData([.. Pads().Inner, .. Encoding.UTF8.GetBytes(value)]);

    /// <summary>SQL for the padded keys inlined as bytea values.</summary>
    public MaskKeySql InlineSql()
    {
        var (inner, outer) = Pads();
        return new MaskKeySql($"decode('{Convert.ToHexStringLower(inner)}', 'hex')", $"decode('{Convert.ToHexStringLower(outer)}', 'hex')");
    }
}

/// <summary>Two SQL expressions of type bytea: HMAC's inner and outer padded keys.</summary>
public sealed record MaskKeySql(string Inner, string Outer)
{
    /// <summary>HMAC-SHA256 of a bytea expression.</summary>
    public string Hmac(string message) => $"pg_catalog.sha256({Outer} || pg_catalog.sha256({Inner} || {message}))";

    /// <summary>sha256(ipad || text): HMAC's keyed inner hash, for callers that need one hash per character.</summary>
    public string InnerHashText(string text) => $"pg_catalog.sha256({Inner} || pg_catalog.convert_to({text}, 'UTF8'))";

    /// <summary>HMAC-SHA256 of a text expression's UTF-8 bytes.</summary>
    public string HmacText(string text) => Hmac($"pg_catalog.convert_to({text}, 'UTF8')");

    /// <summary>For rules without keyed strategies (using it for a keyed one is a programming error).</summary>
    public static readonly MaskKeySql None = new("NULL::bytea", "NULL::bytea");
}
