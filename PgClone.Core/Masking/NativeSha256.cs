using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace PgClone.Core.Masking;

/// <summary>
/// SHA-256 through libcrypto's block-level functions (OpenSSL 3 and 1.1 export them), with the states after the
/// HMAC pads kept and copied instead of recomputed: an HMAC of a short value is two block compressions and six
/// plain calls, about 4x faster than IncrementalHash, which goes through OpenSSL's EVP layer on every call.
/// <see cref="IsAvailable"/> checks the library and the context layout against .NET's own SHA-256 once per process.
/// </summary>
internal sealed unsafe partial class NativeSha256 : Sha256Kernel
{
    private const string Library = "libcrypto.so.3";
    /// <summary>sizeof(SHA256_CTX) is 112 in every OpenSSL release; slots are larger, and copied whole.</summary>
    private const int Slot = 128;
    private const int InnerPad = 0, OuterPad = 1, Work = 2, Running = 3, Peek = 4;

    private readonly byte[] _slots = GC.AllocateArray<byte>(Slot * 5 + 32, pinned: true);

    public NativeSha256(MaskingSecret secret)
    {
        var (inner, outer) = secret.Pads();
        Absorb(InnerPad, inner);
        Absorb(OuterPad, outer);
    }

    public static bool IsAvailable { get; } = Probe();

    public override void Hmac(ReadOnlySpan<byte> purpose, ReadOnlySpan<byte> message, Span<byte> digest)
    {
        var work = Ctx(Work);
        var inner = DigestBuffer;
        Copy(InnerPad, Work);
        Update(work, purpose);
        Update(work, message);
        SHA256_Final(inner, work);
        Copy(OuterPad, Work);
        SHA256_Update(work, inner, 32);
        SHA256_Final(inner, work);
        new ReadOnlySpan<byte>(inner, 32).CopyTo(digest);
    }

    public override void BeginInner(ReadOnlySpan<byte> prefix)
    {
        Copy(InnerPad, Running);
        Update(Ctx(Running), prefix);
    }

    public override void AppendInner(ReadOnlySpan<byte> data) => Update(Ctx(Running), data);

    public override byte InnerFirstByte()
    {
        Copy(Running, Peek);
        SHA256_Final(DigestBuffer, Ctx(Peek));
        return DigestBuffer[0];
    }

    private byte* Ctx(int slot) => (byte*)Unsafe.AsPointer(ref _slots[slot * Slot]);

    private byte* DigestBuffer => (byte*)Unsafe.AsPointer(ref _slots[Slot * 5]);

    private void Copy(int from, int to) => Buffer.MemoryCopy(Ctx(from), Ctx(to), Slot, Slot);

    private void Absorb(int slot, ReadOnlySpan<byte> data)
    {
        SHA256_Init(Ctx(slot));
        Update(Ctx(slot), data);
    }

    /// <summary>Longer data goes through the import that lets the GC run meanwhile.</summary>
    private const int ShortData = 16 << 10;

    private static void Update(byte* ctx, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        fixed (byte* p = data)
        {
            if (data.Length <= ShortData) SHA256_Update(ctx, p, (nuint)data.Length);
            else SHA256_UpdateLong(ctx, p, (nuint)data.Length);
        }
    }

    /// <summary>True when libcrypto loads and a copied mid-hash context finishes with .NET's own digest.</summary>
    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var ctx = stackalloc byte[Slot * 2];
            var digest = stackalloc byte[32];
            var message = "pgclone native sha-256 probe: a message longer than one 64-byte block, to test the carry"u8;
            SHA256_Init(ctx);
            fixed (byte* m = message)
            {
                SHA256_Update(ctx, m, 10);
                Buffer.MemoryCopy(ctx, ctx + Slot, Slot, Slot);
                SHA256_Update(ctx + Slot, m + 10, (nuint)(message.Length - 10));
            }
            SHA256_Final(digest, ctx + Slot);
            return new ReadOnlySpan<byte>(digest, 32).SequenceEqual(SHA256.HashData(message));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    // Block functions return within microseconds and never block or call back: no GC transition needed.
    [LibraryImport(Library), SuppressGCTransition]
    private static partial int SHA256_Init(byte* ctx);

    [LibraryImport(Library), SuppressGCTransition]
    private static partial int SHA256_Update(byte* ctx, byte* data, nuint length);

    [LibraryImport(Library, EntryPoint = "SHA256_Update")]
    private static partial int SHA256_UpdateLong(byte* ctx, byte* data, nuint length);

    [LibraryImport(Library), SuppressGCTransition]
    private static partial int SHA256_Final(byte* digest, byte* ctx);
}
