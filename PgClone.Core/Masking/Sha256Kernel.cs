using System.Security.Cryptography;

namespace PgClone.Core.Masking;

/// <summary>
/// The SHA-256 work of the keyed strategies, for one thread: HMAC-SHA256 under the masking secret, and keep_format's
/// running inner hash, sha256(ipad || "f:" || prefix), read after each byte of a value. Masking on the stream
/// computes one or more of these per value, so their fixed cost per call decides the masked clone's speed:
/// <see cref="NativeSha256"/> keeps the padded keys' states precomputed and calls libcrypto's block functions
/// directly (SHA-NI where the CPU has it); <see cref="ManagedSha256"/> is the portable fallback.
/// </summary>
internal abstract class Sha256Kernel
{
    /// <summary>The fastest kernel this machine runs for <paramref name="secret"/>.</summary>
    public static Sha256Kernel Create(MaskingSecret secret) =>
        NativeSha256.IsAvailable ? new NativeSha256(secret) : new ManagedSha256(secret);

    /// <summary>HMAC-SHA256 of purpose || message into <paramref name="digest"/> (32 bytes).</summary>
    public void Hmac(ReadOnlySpan<byte> purpose, ReadOnlySpan<byte> message, Span<byte> digest)
    {
        BeginHmac(purpose);
        AppendHmac(message);
        EndHmac(digest);
    }

    /// <summary>Starts an HMAC-SHA256 of <paramref name="purpose"/> || what is appended next (one at a time, beside the running inner hash).</summary>
    public abstract void BeginHmac(ReadOnlySpan<byte> purpose);

    public abstract void AppendHmac(ReadOnlySpan<byte> data);

    /// <summary>The HMAC's 32 bytes into <paramref name="digest"/>.</summary>
    public abstract void EndHmac(Span<byte> digest);

    /// <summary>Starts a running inner hash: sha256(ipad || <paramref name="prefix"/> || what is appended next).</summary>
    public abstract void BeginInner(ReadOnlySpan<byte> prefix);

    public abstract void AppendInner(ReadOnlySpan<byte> data);

    /// <summary>Byte 0 of the running inner hash's digest so far; the running hash goes on.</summary>
    public abstract byte InnerFirstByte();
}

/// <summary>The fallback kernel: .NET's IncrementalHash (one native call chain per operation).</summary>
internal sealed class ManagedSha256(MaskingSecret secret) : Sha256Kernel
{
    private readonly IncrementalHash _hmac = secret.NewHmac();
    private readonly IncrementalHash _inner = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _innerPad = secret.Pads().Inner;
    private readonly byte[] _scratch = new byte[32];

    public override void BeginHmac(ReadOnlySpan<byte> purpose) => _hmac.AppendData(purpose);

    public override void AppendHmac(ReadOnlySpan<byte> data) => _hmac.AppendData(data);

    public override void EndHmac(Span<byte> digest) => _hmac.GetHashAndReset(digest);

    public override void BeginInner(ReadOnlySpan<byte> prefix)
    {
        _inner.GetHashAndReset(_scratch);
        _inner.AppendData(_innerPad);
        _inner.AppendData(prefix);
    }

    public override void AppendInner(ReadOnlySpan<byte> data) => _inner.AppendData(data);

    public override byte InnerFirstByte()
    {
        _inner.GetCurrentHash(_scratch);
        return _scratch[0];
    }
}
