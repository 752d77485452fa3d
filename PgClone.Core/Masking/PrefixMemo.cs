using System.Runtime.CompilerServices;

namespace PgClone.Core.Masking;

/// <summary>
/// keep_format's memo: the shift of a digit after a prefix of at most <see cref="MaxPrefix"/> bytes, in a
/// direct-mapped table keyed by the prefix itself (its bytes and length packed into two words, so a hit is exact):
/// one probe per digit, a newer prefix replacing an older one in its slot. Values share their short prefixes (area
/// codes, the first octets of addresses); their long ones are mostly unique and hashed anyway. The trie this
/// replaced probed once per byte and was emptied whenever those unique prefixes filled it (masked benchmark,
/// keep_format alone: its walk took as long as the hashes it saved).
/// </summary>
internal sealed class PrefixMemo
{
    /// <summary>Bytes 0-7 go in the low word, 8-13 in the high word's low 48 bits.</summary>
    public const int MaxPrefix = 14;
    private const int LengthShift = 48, ValueShift = 56;
    private const ulong KeyBits = (1UL << ValueShift) - 1;

    /// <summary>Two words per slot: the prefix's low word, then its high word with the length + 1 and the shift on top.</summary>
    private readonly ulong[] _slots;
    private readonly int _bits;

    /// <param name="slots">A power of two.</param>
    public PrefixMemo(int slots)
    {
        if (slots < 2 || (slots & (slots - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(slots), "a power of two");
        _slots = new ulong[2 * slots];
        _bits = System.Numerics.BitOperations.Log2((uint)slots);
    }

    /// <summary>
    /// The high word of a key: bytes 8-13 of the prefix with its length + 1 above them, so that an empty slot (all
    /// zero) matches no prefix, the empty one included.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong High(ulong bytes8To13, int length) => bytes8To13 | (ulong)(length + 1) << LengthShift;

    /// <summary>Adds byte <paramref name="position"/> of a value to its packed prefix (<paramref name="low"/>, <paramref name="high"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Pack(ref ulong low, ref ulong high, int position, byte b)
    {
        if (position < 8) low |= (ulong)b << (8 * position);
        else if (position < MaxPrefix) high |= (ulong)b << (8 * (position - 8));
    }

    /// <summary>The shift memoized for the prefix, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ulong low, ulong high)
    {
        var slot = Slot(low, high);
        return _slots[slot] == low && (_slots[slot + 1] & KeyBits) == high ? (int)(_slots[slot + 1] >> ValueShift) : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(ulong low, ulong high, byte shift)
    {
        var slot = Slot(low, high);
        _slots[slot] = low;
        _slots[slot + 1] = high | (ulong)shift << ValueShift;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(ulong low, ulong high) =>
        2 * (int)(((low ^ high * 0x9E3779B97F4A7C15) * 0xC2B2AE3D27D4EB4F) >> (64 - _bits));
}
