using System.Net;
using System.Numerics;
using System.Text.RegularExpressions;

namespace PgClone.Core.Masking;

/// <summary>
/// Recognises sensitive values by their shape, with checksums where the format has one (Luhn for card numbers,
/// mod-97 for IBANs) so that ordinary numbers and codes do not count. Runs in memory on sampled values, which
/// are never printed or stored.
/// </summary>
public static partial class ValueShapes
{
    /// <summary>The category a value looks like, or null.</summary>
    public static string? CategoryOf(string value)
    {
        var v = value.Trim();
        if (v.Length is < 5 or > 100) return null;
        if (EmailPattern().IsMatch(v)) return SensitiveCategory.Email;
        if (SsnPattern().IsMatch(v)) return SensitiveCategory.NationalId;
        if (IsCardNumber(v)) return SensitiveCategory.CreditCard;
        if (IsIban(v)) return SensitiveCategory.Iban;
        if (IsIpAddress(v)) return SensitiveCategory.IpAddress;
        if (IsPhone(v)) return SensitiveCategory.Phone;
        return null;
    }

    public static bool IsCardNumber(string v)
    {
        if (!CardPattern().IsMatch(v)) return false;
        var digits = v.Where(char.IsAsciiDigit).Select(d => d - '0').ToArray();
        if (digits.Length is < 13 or > 19 || digits[0] is < 2 or > 6) return false;
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i];
            if (i % 2 == 1) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return sum % 10 == 0;
    }

    public static bool IsIban(string v)
    {
        var compact = v.Replace(" ", "").ToUpperInvariant();
        if (!IbanPattern().IsMatch(compact)) return false;
        var rearranged = compact[4..] + compact[..4];
        var number = string.Concat(rearranged.Select(ch => char.IsAsciiDigit(ch) ? ch.ToString() : (ch - 'A' + 10).ToString()));
        return BigInteger.Parse(number) % 97 == 1;
    }

    public static bool IsIpAddress(string v) =>
        (Ipv4Pattern().IsMatch(v) || (v.Contains(':') && Ipv6Pattern().IsMatch(v))) && IPAddress.TryParse(v.Split('/')[0], out _);

    /// <summary>A phone number has 7 to 15 digits and is written like one: a leading + or separators between digit groups.</summary>
    public static bool IsPhone(string v)
    {
        if (!PhonePattern().IsMatch(v) || NotPhonePattern().IsMatch(v)) return false;
        var digits = v.Count(char.IsAsciiDigit);
        return digits is >= 7 and <= 15 && (v.StartsWith('+') || v.Any(ch => ch is ' ' or '-' or '.' or '(' or ')'));
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")] private static partial Regex EmailPattern();
    [GeneratedRegex(@"^(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$")] private static partial Regex SsnPattern();
    [GeneratedRegex(@"^\d[\d -]{11,21}\d$")] private static partial Regex CardPattern();
    [GeneratedRegex(@"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")] private static partial Regex IbanPattern();
    [GeneratedRegex(@"^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(/\d{1,2})?$")] private static partial Regex Ipv4Pattern();
    [GeneratedRegex(@"^[0-9A-Fa-f:.]{2,45}(/\d{1,3})?$")] private static partial Regex Ipv6Pattern();
    [GeneratedRegex(@"^\+?[\d ()./-]{7,24}$")] private static partial Regex PhonePattern();
    /// <summary>Dates, decimals and times have the right characters but are not phone numbers.</summary>
    [GeneratedRegex(@"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|-?\d+\.\d+)$")] private static partial Regex NotPhonePattern();
}
