using System.Globalization;
using System.Security.Cryptography;
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
    /// <summary>Bound of the keep_format memo (entries); it is emptied when full, so memory stays flat.</summary>
    private const int MemoLimit = 1 << 17;

    /// <summary>Strategies this class computes on text (NULL stays NULL for all of them).</summary>
    public static bool Supports(MaskStrategy strategy) => strategy is MaskStrategy.Email or MaskStrategy.Name or MaskStrategy.Phone
        or MaskStrategy.Partial or MaskStrategy.KeyedHash or MaskStrategy.FakeName or MaskStrategy.FakeEmail or MaskStrategy.KeepFormat;

    private MaskingSecret Secret => secret ?? throw new InvalidOperationException("a keyed mask strategy needs the masking secret");
    private byte[]? _innerPad;
    private IncrementalHash? _hmac, _sha;
    private readonly byte[] _digest = new byte[32];
    private byte[] _message = new byte[256];
    private readonly Dictionary<string, byte> _prefixMemo = new(StringComparer.Ordinal);

    /// <summary>The masked text of a text value (the SQL's <c>c::text</c>), or null for NULL.</summary>
    public string? Text(MaskRule rule, string? value)
    {
        if (value is null) return null;
        return rule.Strategy switch
        {
            MaskStrategy.Email => Email(value),
            MaskStrategy.Name => "XXXX",
            MaskStrategy.Phone => Phone(value),
            MaskStrategy.Partial => Partial(value, rule.Prefix, rule.Suffix),
            MaskStrategy.KeyedHash => Convert.ToHexStringLower(Hmac("", value)),
            MaskStrategy.FakeName => FakeName(Hmac("n:", value)),
            MaskStrategy.FakeEmail => FakeEmail(Hmac("e:", value)),
            MaskStrategy.KeepFormat => KeepFormat(value),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.StrategyName, "not computed in process"),
        };
    }

    /// <summary>
    /// date_shift's offset in days for a value whose <c>EXTRACT(EPOCH FROM v)::text</c> is <paramref name="epochText"/>:
    /// from the first two bytes of HMAC("d:" || epoch), in [-days, -1] or [1, days], never 0.
    /// </summary>
    public int ShiftDays(MaskRule rule, string epochText)
    {
        var h = Hmac("d:", epochText);
        var s = (h[0] * 256 + h[1]) % (2 * rule.Days);
        return s < rule.Days ? s - rule.Days : s - rule.Days + 1;
    }

    /// <summary>HMAC-SHA256 of the UTF-8 of purpose || value, in a buffer reused by the next call.</summary>
    private byte[] Hmac(string purpose, string value)
    {
        _hmac ??= Secret.NewHmac();
        var length = Encoding.UTF8.GetByteCount(value) + purpose.Length;
        if (_message.Length < length) _message = new byte[Math.Max(length, 2 * _message.Length)];
        for (var i = 0; i < purpose.Length; i++) _message[i] = (byte)purpose[i];
        Encoding.UTF8.GetBytes(value, _message.AsSpan(purpose.Length));
        _hmac.AppendData(_message, 0, length);
        _hmac.GetHashAndReset(_digest);
        return _digest;
    }

    private static string Email(string v)
    {
        var at = v.IndexOf('@');
        if (at < 0) return "***";
        var first = at > 0 ? FirstCodePoint(v) : "";
        return first + "***@" + v[(v.LastIndexOf('@') + 1)..];
    }

    private static string Phone(string v)
    {
        var digits = new StringBuilder(v.Length);
        foreach (var ch in v) if (char.IsAsciiDigit(ch)) digits.Append(ch);
        return digits.Length < 4 ? "***" : "***-" + digits.ToString(digits.Length - 4, 4);
    }

    private static string Partial(string v, int prefix, int suffix)
    {
        var runes = v.EnumerateRunes().ToArray();
        if (runes.Length <= prefix + suffix) return "***";
        return Concat(runes.AsSpan(0, prefix)) + "***" + Concat(runes.AsSpan(runes.Length - suffix));
    }

    private static string FakeName(ReadOnlySpan<byte> h) => FakeNames.First[h[0] % FakeNames.First.Length] + " " + FakeNames.Last[h[1] % FakeNames.Last.Length];

    private static string FakeEmail(ReadOnlySpan<byte> h) =>
        (FakeNames.First[h[0] % FakeNames.First.Length] + "." + FakeNames.Last[h[1] % FakeNames.Last.Length]).ToLowerInvariant()
        + ((h[2] * 256 + h[3]) % 1000).ToString(CultureInfo.InvariantCulture) + "@" + FakeNames.Domains[h[4] % FakeNames.Domains.Length];

    /// <summary>
    /// Each ASCII digit shifted by byte 0 of sha256(ipad || "f:" || the characters before it), as the SQL does. The
    /// digest depends only on the prefix, and values share prefixes (area codes, ranges), so it is memoized by prefix.
    /// </summary>
    private string KeepFormat(string v)
    {
        var inner = _innerPad ??= Secret.Pads().Inner;
        _sha ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var memo = _prefixMemo.GetAlternateLookup<ReadOnlySpan<char>>();
        var result = v.ToCharArray();
        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < v.Length; i++)
        {
            var c = v[i];
            if (!char.IsAsciiDigit(c)) continue;
            var prefix = v.AsSpan(0, i);
            if (!memo.TryGetValue(prefix, out var b))
            {
                // The UTF-16 prefix ends on a character boundary (a digit is never half a surrogate pair).
                var length = inner.Length + 2 + Encoding.UTF8.GetByteCount(prefix);
                if (_message.Length < length) _message = new byte[Math.Max(length, 2 * _message.Length)];
                inner.CopyTo(_message, 0);
                _message[inner.Length] = (byte)'f';
                _message[inner.Length + 1] = (byte)':';
                Encoding.UTF8.GetBytes(prefix, _message.AsSpan(inner.Length + 2));
                _sha.AppendData(_message, 0, length);
                _sha.GetHashAndReset(digest);
                b = digest[0];
                if (_prefixMemo.Count >= MemoLimit) _prefixMemo.Clear();
                memo[prefix] = b;
            }
            result[i] = (char)('0' + (c - '0' + b) % 10);
        }
        return new string(result);
    }

    private static string FirstCodePoint(string v) => char.IsSurrogatePair(v, 0) ? v[..2] : v[..1];

    private static string Concat(ReadOnlySpan<Rune> runes)
    {
        var sb = new StringBuilder(runes.Length);
        foreach (var r in runes) sb.Append(r.ToString());
        return sb.ToString();
    }
}
