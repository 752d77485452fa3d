using System.Security.Cryptography;
using System.Text;

namespace PgClone.Web.Schedules;

/// <summary>Webhook secrets: their Data Protection purpose, and the signature a receiver checks.</summary>
public static class WebhookSecrets
{
    public const string Purpose = "PgClone.Schedules.WebhookSecret.v1";
    public const string SignatureHeader = "X-PgClone-Signature";

    /// <summary><c>sha256=&lt;lower-case hex HMAC-SHA256 of the body under the secret&gt;</c>.</summary>
    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
