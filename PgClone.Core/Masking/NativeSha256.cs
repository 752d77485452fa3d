using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace PgClone.Core.Masking;

/// <summary>
/// SHA-256 on libcrypto's block function (<c>SHA256_Transform</c>, exported by OpenSSL 3 and 1.1; SHA-NI where the
/// CPU has it), with the message blocks, padding and length kept here and the states after the HMAC pads
/// precomputed. A digest read mid-message (keep_format reads one per digit) is one compression of the padded tail
/// on a copy of the 32-byte state: SHA256_Final's context copy, padding and cleansing cost as much again as the
/// compression itself (masked benchmark, keep_format alone: ~100 ns per digit through Update/Final).
/// <see cref="IsAvailable"/> checks the library and this block handling against .NET's own SHA-256 once per process.
/// </summary>
internal sealed unsafe partial class NativeSha256 : Sha256Kernel
{
    private const string Library = "libcrypto.so.3";
    private const int Block = 64;
    /// <summary>SHA256_CTX (112 bytes in every OpenSSL release) starts with the state h[8]; the block function reads only that.</summary>
    private const int Ctx = 128;
    private const int InnerPad = 0, OuterPad = 1, Running = 2, Work = 3, Peek = 4, States = 5;
    /// <summary>Longer data goes through the import that lets the GC run meanwhile.</summary>
    private const int ShortData = 16 << 10;

    /// <summary>The contexts, the partial blocks of the running message and of an HMAC's, then two blocks for padding.</summary>
    private readonly byte[] _memory = GC.AllocateArray<byte>(Ctx * States + 2 * Block + 2 * Block, pinned: true);
    private int _runningPending, _workPending;
    private long _runningLength, _workLength;

    public NativeSha256(MaskingSecret secret)
    {
        var (inner, outer) = secret.Pads();
        InitState(State(InnerPad));
        fixed (byte* p = inner) SHA256_Transform(State(InnerPad), p);
        InitState(State(OuterPad));
        fixed (byte* p = outer) SHA256_Transform(State(OuterPad), p);
    }

    public static bool IsAvailable { get; } = Probe();

    public override void BeginHmac(ReadOnlySpan<byte> purpose)
    {
        CopyState(InnerPad, Work);
        _workPending = 0;
        _workLength = Block;
        AppendHmac(purpose);
    }

    public override void AppendHmac(ReadOnlySpan<byte> data) =>
        Absorb(State(Work), new Span<byte>(WorkTail, Block), ref _workPending, ref _workLength, data);

    public override void EndHmac(Span<byte> digest)
    {
        Pad(State(Work), new ReadOnlySpan<byte>(WorkTail, _workPending), _workLength);
        // The outer message is the inner digest: h[0..7] big-endian, one padded block after the outer pad's.
        var inner = new Span<byte>(WorkTail, 32);
        Digest(State(Work), inner);
        CopyState(OuterPad, Work);
        Pad(State(Work), inner, Block + 32);
        Digest(State(Work), digest);
    }

    public override void BeginInner(ReadOnlySpan<byte> prefix)
    {
        CopyState(InnerPad, Running);
        _runningPending = 0;
        _runningLength = Block;
        AppendInner(prefix);
    }

    public override void AppendInner(ReadOnlySpan<byte> data) =>
        Absorb(State(Running), new Span<byte>(RunningTail, Block), ref _runningPending, ref _runningLength, data);

    public override byte InnerFirstByte()
    {
        CopyState(Running, Peek);
        Pad(State(Peek), new ReadOnlySpan<byte>(RunningTail, _runningPending), _runningLength);
        // The digest is h[0..7] big-endian: its first byte is the top byte of h[0], kept in host order.
        return (byte)(*(uint*)State(Peek) >> 24);
    }

    private byte* State(int slot) => (byte*)Unsafe.AsPointer(ref _memory[slot * Ctx]);

    private byte* RunningTail => (byte*)Unsafe.AsPointer(ref _memory[Ctx * States]);

    private byte* WorkTail => (byte*)Unsafe.AsPointer(ref _memory[Ctx * States + Block]);

    private byte* Scratch => (byte*)Unsafe.AsPointer(ref _memory[Ctx * States + 2 * Block]);

    private void CopyState(int from, int to) => Buffer.MemoryCopy(State(from), State(to), 32, 32);

    /// <summary>Adds <paramref name="data"/> to a message: full blocks go through the block function, the rest waits in <paramref name="tail"/>.</summary>
    private static void Absorb(byte* state, Span<byte> tail, ref int pending, ref long length, ReadOnlySpan<byte> data)
    {
        length += data.Length;
        if (pending + data.Length < Block)
        {
            data.CopyTo(tail[pending..]);
            pending += data.Length;
            return;
        }
        if (pending > 0)
        {
            var take = Math.Min(Block - pending, data.Length);
            data[..take].CopyTo(tail[pending..]);
            pending += take;
            data = data[take..];
            fixed (byte* t = tail) SHA256_Transform(state, t);
            pending = 0;
        }
        var blocks = data.Length / Block;
        fixed (byte* p = data)
        {
            for (var b = 0; b < blocks; b++)
            {
                if (data.Length <= ShortData) SHA256_Transform(state, p + b * Block);
                else SHA256_TransformLong(state, p + b * Block);
            }
        }
        data[(blocks * Block)..].CopyTo(tail);
        pending = data.Length - blocks * Block;
    }

    /// <summary>The digest of a finished state: its words big-endian.</summary>
    private static void Digest(byte* state, Span<byte> digest)
    {
        for (var i = 0; i < 8; i++) BinaryPrimitives.WriteUInt32BigEndian(digest[(4 * i)..], ((uint*)state)[i]);
    }

    /// <summary>Compresses the tail with SHA-256's padding (0x80, zeros, the length in bits): one block, or two when it does not fit.</summary>
    private void Pad(byte* state, ReadOnlySpan<byte> tail, long length)
    {
        var blocks = tail.Length < Block - 8 ? 1 : 2;
        var scratch = new Span<byte>(Scratch, blocks * Block);
        tail.CopyTo(scratch);
        scratch[tail.Length] = 0x80;
        scratch[(tail.Length + 1)..^8].Clear();
        BinaryPrimitives.WriteInt64BigEndian(scratch[^8..], length * 8);
        SHA256_Transform(state, Scratch);
        if (blocks == 2) SHA256_Transform(state, Scratch + Block);
    }

    /// <summary>SHA-256's initial state, from SHA256_Init (its h[8] comes first in the context).</summary>
    private static void InitState(byte* state)
    {
        var ctx = stackalloc byte[Ctx];
        SHA256_Init(ctx);
        Buffer.MemoryCopy(ctx, state, 32, 32);
    }

    /// <summary>True when libcrypto loads and this block handling gives .NET's own digests, across block boundaries.</summary>
    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var secret = MaskingSecret.FromText(ProbeSecret);
            var message = "pgclone native sha-256 probe: a message longer than one 64-byte block, to test the carry"u8;
            var digest = new byte[32];
            new NativeSha256(secret).Hmac([], message, digest);
            return digest.AsSpan().SequenceEqual(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ProbeSecret), message));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    private const string ProbeSecret = "pgclone native sha-256 probe";

    // The block function returns within a microsecond and never blocks or calls back: no GC transition needed.
    [LibraryImport(Library), SuppressGCTransition]
    private static partial int SHA256_Init(byte* ctx);

    [LibraryImport(Library), SuppressGCTransition]
    private static partial void SHA256_Transform(byte* ctx, byte* block);

    [LibraryImport(Library, EntryPoint = "SHA256_Transform")]
    private static partial void SHA256_TransformLong(byte* ctx, byte* block);
}
