using System.Text.RegularExpressions;

namespace PgClone.Core.Masking;

/// <summary>
/// Recognises credentials by their content: password hashes in the formats libraries write (bcrypt, argon2, scrypt,
/// crypt(3) SHA/MD5, PostgreSQL's SCRAM and md5, Django's pbkdf2), API keys with a vendor prefix, JSON Web Tokens,
/// bare hex digests and random-looking tokens. Works on a value cut to the sampled length, so long formats are
/// recognised by their prefix. UUIDs, slugs, camelCase identifiers and codes in capitals are not tokens.
/// </summary>
public static partial class CredentialShapes
{
    /// <summary>A bare md5/sha digest: a password hash, or a file checksum or commit id (the scanner tells by the column's name).</summary>
    public const string HexDigest = "hex digest";

    /// <summary>What kind of credential a value looks like ("bcrypt hash", "API key", ...), or null.</summary>
    public static string? KindOf(string value)
    {
        var v = value.Trim();
        if (v.Length < 16 || v.Contains(' ')) return null;
        if (v.StartsWith("$2a$", StringComparison.Ordinal) || v.StartsWith("$2b$", StringComparison.Ordinal) || v.StartsWith("$2y$", StringComparison.Ordinal))
            return BcryptPattern().IsMatch(v) ? "bcrypt hash" : null;
        if (v.StartsWith("$argon2", StringComparison.Ordinal)) return "argon2 hash";
        if (v.StartsWith("SCRAM-SHA-256$", StringComparison.Ordinal)) return "SCRAM-SHA-256 verifier";
        if (CryptPattern().IsMatch(v)) return "crypt(3) hash";
        if (PbkdfPattern().IsMatch(v)) return "PBKDF2/scrypt hash";
        if (PgMd5Pattern().IsMatch(v)) return "PostgreSQL md5 hash";
        if (PrefixedKeyPattern().IsMatch(v)) return "API key";
        if (JwtPattern().IsMatch(v)) return "JSON Web Token";
        // Longer random text is a blob (an image, a file), not a key; a UUID is an identifier.
        if (v.Length > 100 || UuidPattern().IsMatch(v)) return null;
        if (HexPattern().IsMatch(v) && v.Any(char.IsAsciiLetter))
            return v.Length is 32 or 40 or 56 or 64 or 96 or 128 ? HexDigest : v.Length >= 32 && Mixed(v, hex: true) ? "hex token" : null;
        return v.Length >= 20 && TokenCharsPattern().IsMatch(v) && Mixed(v, hex: false) ? "random token" : null;
    }

    /// <summary>
    /// Random text switches between character classes often (random base64 does on about 60% of its characters,
    /// words and camelCase names rarely) and repeats few characters. Upper, lower and digits for base64; letters and
    /// digits for hex.
    /// </summary>
    private static bool Mixed(string v, bool hex)
    {
        var core = v.TrimEnd('=');
        bool upper = false, lower = false, digit = false;
        var switches = 0;
        for (var i = 0; i < core.Length; i++)
        {
            var c = core[i];
            upper |= char.IsAsciiLetterUpper(c);
            lower |= char.IsAsciiLetterLower(c);
            digit |= char.IsAsciiDigit(c);
            if (i > 0 && Class(c) != Class(core[i - 1])) switches++;
        }
        var distinct = core.Distinct().Count();
        var enough = hex ? (upper || lower) && digit : upper && lower && digit;
        return enough && switches >= core.Length * (hex ? 0.25 : 0.35) && distinct >= Math.Min(core.Length, hex ? 16 : 32) * 0.6;
    }

    private static int Class(char c) => char.IsAsciiDigit(c) ? 0 : char.IsAsciiLetterUpper(c) ? 1 : char.IsAsciiLetterLower(c) ? 2 : 3;

    [GeneratedRegex(@"^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{22,53}$")] private static partial Regex BcryptPattern();
    [GeneratedRegex(@"^\$(1|5|6|md5|sha1|y|7|gy)\$[./A-Za-z0-9$=,]{8,}$")] private static partial Regex CryptPattern();
    [GeneratedRegex(@"^(pbkdf2_sha(1|256|512)|scrypt|sha1|bcrypt_sha256|argon2)\$")] private static partial Regex PbkdfPattern();
    [GeneratedRegex(@"^md5[0-9a-f]{32}$")] private static partial Regex PgMd5Pattern();
    [GeneratedRegex(@"^(sk_live_|sk_test_|pk_live_|rk_live_|whsec_|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|xox[abposr]-|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30}|sk-[A-Za-z0-9_-]{20}|SG\.[A-Za-z0-9_-]{16}|npm_[A-Za-z0-9]{30}|shpat_|key-[0-9a-f]{32})")]
    private static partial Regex PrefixedKeyPattern();
    [GeneratedRegex(@"^eyJ[A-Za-z0-9_-]{10,}\.(eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?)?$")] private static partial Regex JwtPattern();
    [GeneratedRegex(@"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")] private static partial Regex UuidPattern();
    [GeneratedRegex(@"^([0-9a-f]+|[0-9A-F]+)$")] private static partial Regex HexPattern();
    [GeneratedRegex(@"^[A-Za-z0-9+/_-]+={0,2}$")] private static partial Regex TokenCharsPattern();
}
