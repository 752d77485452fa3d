using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace PgClone.Core.Masking;

/// <summary>
/// The in-process twin of <see cref="MaskExpressions"/>: the same strategies computed in C# on values streamed
/// from the source, giving exactly what the SQL expressions give (tests compare both on a real server). Text
/// functions count code points, as PostgreSQL counts characters; keyed strategies use the same HMAC-SHA256 over
/// the same UTF-8 messages. Strategies not listed by <see cref="Supports"/> stay SQL expressions.
/// </summary>
/// <remarks>One instance per thread: it reuses its hash objects and memoizes keep_format's per-prefix digests.</remarks>
public sealed class MaskValues(MaskingSecret? secret)
{
    /// <summary>
    /// Slots of the keep_format memo (256 kB), small enough for the CPU's second-level cache: beside two busy servers
    /// a 2 MB memo missed the cache on most probes and cost more than the hashes it saved (masked benchmark).
    /// </summary>
    private const int MemoSlots = 1 << 14;

    /// <summary>Strategies this class computes on text (NULL stays NULL for all of them).</summary>
    public static bool Supports(MaskStrategy strategy) => strategy is MaskStrategy.Email or MaskStrategy.Name or MaskStrategy.Phone
        or MaskStrategy.Partial or MaskStrategy.KeyedHash or MaskStrategy.FakeName or MaskStrategy.FakeEmail or MaskStrategy.KeepFormat
        or MaskStrategy.KeyedEmail;

    private Sha256Kernel Kernel => _kernel ??= Sha256Kernel.Create(secret ?? throw new InvalidOperationException("a keyed mask strategy needs the masking secret"));
    private Sha256Kernel? _kernel;
    private readonly byte[] _digest = new byte[32];
    private byte[] _utf8 = new byte[256];
    private readonly PrefixMemo _memo = new(MemoSlots);
    // The state of a value given in parts: phone's digits, partial's characters and the bytes it keeps.
    private int _digits;
    private readonly byte[] _lastDigits = new byte[4];
    private long _characters;
    private int _tailCharacters, _headRun, _tailRun;
    private readonly ArrayBufferWriter<byte> _head = new();
    private readonly List<byte> _tail = [];

    /// <summary>The masked text of a text value (the SQL's <c>c::text</c>), or null for NULL: <see cref="Utf8"/> on its UTF-8.</summary>
    public string? Text(MaskRule rule, string? value)
    {
        if (value is null) return null;
        var utf8 = Utf8Of(value);
        var output = new byte[MaxUtf8Length(rule, utf8)];
        return Encoding.UTF8.GetString(output, 0, Utf8(rule, utf8, output));
    }

    /// <summary>The UTF-8 of <paramref name="value"/>, in a buffer reused by the next call.</summary>
    private ReadOnlySpan<byte> Utf8Of(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (_utf8.Length < length) _utf8 = new byte[Math.Max(length, 2 * _utf8.Length)];
        Encoding.UTF8.GetBytes(value, _utf8);
        return _utf8.AsSpan(0, length);
    }

    /// <summary>
    /// Bytes <see cref="Utf8"/> may write for <paramref name="value"/>: only keep_format and an email's domain grow
    /// with the value; the others take a few bytes whatever its length (a 150 MB document masked needs 64 at most).
    /// </summary>
    public static int MaxUtf8Length(MaskRule rule, ReadOnlySpan<byte> value) => rule.Strategy switch
    {
        MaskStrategy.KeepFormat => value.Length,
        MaskStrategy.Email => EmailUtf8(value, []),
        MaskStrategy.KeyedEmail => KeyedEmailLength(value),
        MaskStrategy.Partial => Math.Min(value.Length + 3, MaxPartsLength(rule)),
        _ => MaxPartsLength(rule),
    };

    /// <summary>Bytes <see cref="EndParts"/> may write.</summary>
    public static int MaxPartsLength(MaskRule rule) => rule.Strategy switch
    {
        MaskStrategy.KeyedHash => 64,
        MaskStrategy.Name => 4,
        MaskStrategy.Phone => 8,
        // A kept prefix and suffix of at most 4 bytes a character, "***" between them; or "***" alone.
        MaskStrategy.Partial => (int)Math.Min(int.MaxValue - 3, 4L * (rule.Prefix + rule.Suffix)) + 3,
        MaskStrategy.FakeName => FakeNames.LongestName,
        MaskStrategy.FakeEmail => FakeNames.LongestEmail,
        _ => throw NotPartwise(rule),
    };

    /// <summary>
    /// The masked UTF-8 of a UTF-8 value, computed on its bytes without decoding it (a huge value costs its bytes, not
    /// a string and an array of its characters beside them); returns the length written. Characters are code points,
    /// as PostgreSQL counts them; in UTF-8 a byte below 0x80 ('@', a digit) is always a whole character.
    /// <paramref name="destination"/> holds at least <see cref="MaxUtf8Length"/> bytes.
    /// </summary>
    public int Utf8(MaskRule rule, ReadOnlySpan<byte> value, Span<byte> destination)
    {
        switch (rule.Strategy)
        {
            case MaskStrategy.KeepFormat:
                KeepFormatUtf8(value, destination);
                return value.Length;
            case MaskStrategy.Email:
                return EmailUtf8(value, destination);
            case MaskStrategy.KeyedEmail:
                return KeyedEmailUtf8(value, destination);
            default:
                BeginParts(rule);
                AppendPart(rule, value);
                return EndParts(rule, destination);
        }
    }

    /// <summary>
    /// Strategies that take a value in parts (<see cref="BeginParts"/>, <see cref="AppendPart"/>, <see cref="EndParts"/>):
    /// their state is a running hash or a few characters whatever the value's length, so a huge value is never held.
    /// </summary>
    public static bool TakesParts(MaskStrategy strategy) => strategy is MaskStrategy.KeyedHash or MaskStrategy.Name or MaskStrategy.Phone
        or MaskStrategy.Partial or MaskStrategy.FakeName or MaskStrategy.FakeEmail;

    /// <summary>Starts a value given in parts; one value at a time.</summary>
    public void BeginParts(MaskRule rule)
    {
        switch (rule.Strategy)
        {
            case MaskStrategy.KeyedHash: Kernel.BeginHmac([]); break;
            case MaskStrategy.FakeName: Kernel.BeginHmac("n:"u8); break;
            case MaskStrategy.FakeEmail: Kernel.BeginHmac("e:"u8); break;
            case MaskStrategy.Name: break;
            case MaskStrategy.Phone: _digits = 0; break;
            case MaskStrategy.Partial:
                _characters = 0;
                _head.Clear();
                _tail.Clear();
                _tailCharacters = _headRun = _tailRun = 0;
                break;
            default: throw NotPartwise(rule);
        }
    }

    public void AppendPart(MaskRule rule, ReadOnlySpan<byte> part)
    {
        switch (rule.Strategy)
        {
            case MaskStrategy.KeyedHash or MaskStrategy.FakeName or MaskStrategy.FakeEmail:
                Kernel.AppendHmac(part);
                break;
            case MaskStrategy.Phone:
                // The digits count and the last four are all phone keeps.
                foreach (var b in part)
                    if (b is >= (byte)'0' and <= (byte)'9') _lastDigits[_digits++ % 4] = b;
                break;
            case MaskStrategy.Partial:
                AppendPartial(part, rule.Prefix, rule.Suffix);
                break;
        }
    }

    /// <summary>Writes the masked value of the parts given since <see cref="BeginParts"/>; returns the length written (at most <see cref="MaxPartsLength"/>).</summary>
    public int EndParts(MaskRule rule, Span<byte> destination)
    {
        switch (rule.Strategy)
        {
            case MaskStrategy.KeyedHash:
                Kernel.EndHmac(_digest);
                return HexLower(_digest, destination);
            case MaskStrategy.FakeName:
                Kernel.EndHmac(_digest);
                return FakeNameUtf8(_digest, destination);
            case MaskStrategy.FakeEmail:
                Kernel.EndHmac(_digest);
                return FakeEmailUtf8(_digest, destination);
            case MaskStrategy.Name:
                "XXXX"u8.CopyTo(destination);
                return "XXXX"u8.Length;
            case MaskStrategy.Phone:
                if (_digits < 4) return Stars(destination);
                "***-"u8.CopyTo(destination);
                for (var i = 0; i < 4; i++) destination[4 + i] = _lastDigits[(_digits + i) % 4];
                return 8;
            case MaskStrategy.Partial:
                if (_characters <= rule.Prefix + rule.Suffix) return Stars(destination);
                _head.WrittenSpan.CopyTo(destination);
                "***"u8.CopyTo(destination[_head.WrittenCount..]);
                var tail = CollectionsMarshal.AsSpan(_tail);
                tail.CopyTo(destination[(_head.WrittenCount + 3)..]);
                return _head.WrittenCount + 3 + tail.Length;
            default:
                throw NotPartwise(rule);
        }
    }

    private static ArgumentOutOfRangeException NotPartwise(MaskRule rule) => new(nameof(rule), rule.StrategyName, "not computed in parts");

    /// <summary>
    /// partial keeps the bytes of the first <paramref name="prefix"/> characters, counts them all, and keeps the bytes
    /// of the last <paramref name="suffix"/> seen so far (a character's bytes may come in two parts).
    /// </summary>
    private void AppendPartial(ReadOnlySpan<byte> part, int prefix, int suffix)
    {
        foreach (var b in part)
        {
            var starts = !IsContinuation(b);
            if (starts) _characters++;
            if (_characters == 0 || _characters > prefix || !Kept(starts, ref _headRun)) continue;
            _head.GetSpan(1)[0] = b;
            _head.Advance(1);
        }
        if (suffix == 0) return;
        // The part's last `suffix` characters replace those kept, when it holds that many.
        var start = part.Length;
        var found = 0;
        while (start > 0 && found < suffix)
            if (!IsContinuation(part[--start])) found++;
        if (found == suffix)
        {
            _tail.Clear();
            _tailCharacters = 0;
        }
        else start = 0;
        foreach (var b in part[start..]) KeepInTail(b, suffix);
    }

    private void KeepInTail(byte b, int suffix)
    {
        var starts = !IsContinuation(b);
        // Bytes before any character's first (not UTF-8) belong to no kept character.
        if (!starts && _tail.Count == 0 || !Kept(starts, ref _tailRun)) return;
        if (starts && _tailCharacters++ == suffix)
        {
            // The oldest kept character goes: its first byte and the continuation bytes after it.
            var drop = 1;
            while (drop < _tail.Count && IsContinuation(_tail[drop])) drop++;
            _tail.RemoveRange(0, drop);
            _tailCharacters--;
        }
        _tail.Add(b);
    }

    /// <summary>
    /// Whether a byte of a kept character is kept: UTF-8 has at most 3 continuation bytes after a character's first, and
    /// more (a value that is not UTF-8, from a SQL_ASCII database) are left out, so the mask stays within its room.
    /// </summary>
    private static bool Kept(bool starts, ref int run)
    {
        if (starts)
        {
            run = 0;
            return true;
        }
        return ++run <= 3;
    }

    /// <summary>The byte length of the first <paramref name="characters"/> characters of UTF-8 <paramref name="value"/> (all of it when shorter).</summary>
    public static int Utf8Prefix(ReadOnlySpan<byte> value, int characters)
    {
        var at = 0;
        for (var seen = 0; at < value.Length; at++)
        {
            if (IsContinuation(value[at])) continue;
            if (seen++ == characters) return at;
        }
        return at;
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;

    /// <summary>keyed_hash's digest of a value's UTF-8 (its first 16 bytes are the uuid a uuid column gets).</summary>
    public ReadOnlySpan<byte> KeyedHashUtf8(ReadOnlySpan<byte> value)
    {
        Kernel.Hmac([], value, _digest);
        return _digest;
    }

    /// <summary>
    /// date_shift's offset in days for a value whose <c>EXTRACT(EPOCH FROM v)::text</c> is <paramref name="epochText"/>:
    /// from the first two bytes of HMAC("d:" || epoch), in [-days, -1] or [1, days], never 0.
    /// </summary>
    public int ShiftDays(MaskRule rule, string epochText)
    {
        var h = Hmac("d:"u8, epochText);
        var s = (h[0] * 256 + h[1]) % (2 * rule.Days);
        return s < rule.Days ? s - rule.Days : s - rule.Days + 1;
    }

    /// <summary>HMAC-SHA256 of the UTF-8 of purpose || value, in a buffer reused by the next call.</summary>
    private byte[] Hmac(ReadOnlySpan<byte> purpose, string value) => Hmac(purpose, Utf8Of(value));

    private byte[] Hmac(ReadOnlySpan<byte> purpose, ReadOnlySpan<byte> value)
    {
        Kernel.Hmac(purpose, value, _digest);
        return _digest;
    }

    /// <summary>The masked email written to <paramref name="destination"/>, or, when it is empty, only its length.</summary>
    private static int EmailUtf8(ReadOnlySpan<byte> v, Span<byte> destination)
    {
        var at = v.IndexOf((byte)'@');
        if (at < 0) return destination.IsEmpty ? 3 : Stars(destination);
        var first = at > 0 ? Math.Max(1, Utf8Prefix(v, 1)) : 0;
        var domain = v[(v.LastIndexOf((byte)'@') + 1)..];
        if (destination.IsEmpty) return first + 4 + domain.Length;
        v[..first].CopyTo(destination);
        "***@"u8.CopyTo(destination[first..]);
        domain.CopyTo(destination[(first + 4)..]);
        return first + 4 + domain.Length;
    }

    /// <summary>
    /// The first <see cref="MaskExpressions.KeyedEmailLocal"/> hex digits of HMAC("m:" || value), then '@' and the
    /// domain (what follows the last '@') when the value has one.
    /// </summary>
    private int KeyedEmailUtf8(ReadOnlySpan<byte> v, Span<byte> destination)
    {
        Kernel.BeginHmac("m:"u8);
        Kernel.AppendHmac(v);
        Kernel.EndHmac(_digest);
        var written = HexLower(_digest.AsSpan(0, MaskExpressions.KeyedEmailLocal / 2), destination);
        if (v.IndexOf((byte)'@') < 0) return written;
        destination[written++] = (byte)'@';
        var domain = v[(v.LastIndexOf((byte)'@') + 1)..];
        domain.CopyTo(destination[written..]);
        return written + domain.Length;
    }

    private static int KeyedEmailLength(ReadOnlySpan<byte> v) =>
        MaskExpressions.KeyedEmailLocal + (v.IndexOf((byte)'@') < 0 ? 0 : 1 + v.Length - v.LastIndexOf((byte)'@') - 1);

    private static int Stars(Span<byte> destination)
    {
        "***"u8.CopyTo(destination);
        return 3;
    }

    private static int FakeNameUtf8(ReadOnlySpan<byte> h, Span<byte> destination) =>
        Encoding.ASCII.GetBytes(FakeNames.First[h[0] % FakeNames.First.Length] + " " + FakeNames.Last[h[1] % FakeNames.Last.Length], destination);

    private static int FakeEmailUtf8(ReadOnlySpan<byte> h, Span<byte> destination) =>
        Encoding.ASCII.GetBytes((FakeNames.First[h[0] % FakeNames.First.Length] + "." + FakeNames.Last[h[1] % FakeNames.Last.Length]).ToLowerInvariant()
            + ((h[2] * 256 + h[3]) % 1000).ToString(CultureInfo.InvariantCulture) + "@" + FakeNames.Domains[h[4] % FakeNames.Domains.Length], destination);

    /// <summary>
    /// Each ASCII digit shifted by byte 0 of sha256(ipad || "f:" || the bytes before it), as the SQL does (in UTF-8 a
    /// digit byte is always a whole character, and the other bytes stay). Values share prefixes (area codes, ranges),
    /// so the shifts of short prefixes are memoized (<see cref="PrefixMemo"/>); a prefix it does not hold is read from
    /// one running hash of the value.
    /// </summary>
    private void KeepFormatUtf8(ReadOnlySpan<byte> v, Span<byte> destination)
    {
        v.CopyTo(destination);
        ulong low = 0, high = 0;
        var hashed = -1;
        // A value's prefixes are looked up until the first one the memo lacks, which is added: a longer prefix is only
        // there when a value shared this one (probes of a unique value's long prefixes missed the cache for nothing).
        var probing = true;
        // Past the last digit no shift is needed.
        var last = v.LastIndexOfAnyInRange((byte)'0', (byte)'9');
        for (var i = 0; i <= last; i++)
        {
            var c = v[i];
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                var memoized = probing && i <= PrefixMemo.MaxPrefix;
                var key = PrefixMemo.High(high, i);
                var shift = memoized ? _memo.Find(low, key) : -1;
                if (shift < 0)
                {
                    if (hashed < 0)
                    {
                        Kernel.BeginInner("f:"u8);
                        hashed = 0;
                    }
                    Kernel.AppendInner(v[hashed..i]);
                    hashed = i;
                    shift = Kernel.InnerFirstByte();
                    if (memoized) _memo.Set(low, key, (byte)shift);
                    probing = false;
                }
                destination[i] = (byte)('0' + (c - '0' + shift) % 10);
            }
            PrefixMemo.Pack(ref low, ref high, i, c);
        }
    }

    /// <summary>
    /// Lower-case hex of <paramref name="bytes"/>; returns the length written. A table per byte: the natively compiled
    /// CLI's Convert.ToHexStringLower called a non-inlined vector shuffle for each value (5 % of a masked run's CPU).
    /// </summary>
    private static int HexLower(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        var pairs = HexPairs;
        for (var i = 0; i < bytes.Length; i++)
        {
            var pair = pairs[bytes[i]];
            destination[2 * i] = (byte)pair;
            destination[2 * i + 1] = (byte)(pair >> 8);
        }
        return 2 * bytes.Length;
    }

    /// <summary>Each byte's two hex digits, the first in the low byte.</summary>
    private static readonly ushort[] HexPairs = [.. Enumerable.Range(0, 256).Select(b => (ushort)("0123456789abcdef"[b >> 4] | "0123456789abcdef"[b & 15] << 8))];
}
