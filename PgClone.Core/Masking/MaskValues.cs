using System.Globalization;
using System.Text;

namespace PgClone.Core.Masking;

/// <summary>
/// The in-process twin of <see cref="MaskExpressions"/>: the same strategies computed in C# on values streamed
/// from the source, giving exactly what the SQL expressions give (tests compare both on a real server). Text
/// functions count code points, as PostgreSQL counts characters; keyed strategies use the same HMAC-SHA256 over
/// the same UTF-8 messages. Strategies not listed by <see cref="Supports"/> stay SQL expressions.
/// </summary>
public sealed class MaskValues(MaskingSecret? secret)
{
    /// <summary>Strategies this class computes on text (NULL stays NULL for all of them).</summary>
    public static bool Supports(MaskStrategy strategy) => strategy is MaskStrategy.Email or MaskStrategy.Name or MaskStrategy.Phone
        or MaskStrategy.Partial or MaskStrategy.KeyedHash or MaskStrategy.FakeName or MaskStrategy.FakeEmail or MaskStrategy.KeepFormat;

    private MaskingSecret Secret => secret ?? throw new InvalidOperationException("a keyed mask strategy needs the masking secret");
    private byte[]? _innerPad;

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
            MaskStrategy.KeyedHash => Convert.ToHexStringLower(Secret.Hmac(value)),
            MaskStrategy.FakeName => FakeName(Secret.Hmac("n:" + value)),
            MaskStrategy.FakeEmail => FakeEmail(Secret.Hmac("e:" + value)),
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
        var h = Secret.Hmac("d:" + epochText);
        var s = (h[0] * 256 + h[1]) % (2 * rule.Days);
        return s < rule.Days ? s - rule.Days : s - rule.Days + 1;
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

    private static string FakeName(byte[] h) => FakeNames.First[h[0] % FakeNames.First.Length] + " " + FakeNames.Last[h[1] % FakeNames.Last.Length];

    private static string FakeEmail(byte[] h) =>
        (FakeNames.First[h[0] % FakeNames.First.Length] + "." + FakeNames.Last[h[1] % FakeNames.Last.Length]).ToLowerInvariant()
        + ((h[2] * 256 + h[3]) % 1000).ToString(CultureInfo.InvariantCulture) + "@" + FakeNames.Domains[h[4] % FakeNames.Domains.Length];

    /// <summary>Each ASCII digit shifted by byte 0 of sha256(ipad || "f:" || the characters before it), as the SQL does.</summary>
    private string KeepFormat(string v)
    {
        var inner = _innerPad ??= Secret.Pads().Inner;
        var source = Encoding.UTF8.GetBytes(v);
        // Message = ipad || "f:" || UTF-8 prefix; the prefix grows by one character per step.
        var message = new byte[inner.Length + 2 + source.Length];
        inner.CopyTo(message, 0);
        message[inner.Length] = (byte)'f';
        message[inner.Length + 1] = (byte)':';
        source.CopyTo(message, inner.Length + 2);
        var result = (byte[])source.Clone();
        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < source.Length; i++)
        {
            var b = source[i];
            if (b is < (byte)'0' or > (byte)'9') continue;
            System.Security.Cryptography.SHA256.HashData(message.AsSpan(0, inner.Length + 2 + i), digest);
            result[i] = (byte)('0' + (b - '0' + digest[0]) % 10);
        }
        return Encoding.UTF8.GetString(result);
    }

    private static string FirstCodePoint(string v) => char.IsSurrogatePair(v, 0) ? v[..2] : v[..1];

    private static string Concat(ReadOnlySpan<Rune> runes)
    {
        var sb = new StringBuilder(runes.Length);
        foreach (var r in runes) sb.Append(r.ToString());
        return sb.ToString();
    }
}
