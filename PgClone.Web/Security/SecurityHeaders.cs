using System.Security.Cryptography;

namespace PgClone.Web.Security;

/// <summary>
/// Response headers that keep the console's pages from being framed, sniffed or made to run injected script.
/// Blazor Server needs its own scripts and a WebSocket to this host; MudBlazor sets style attributes (hence
/// 'unsafe-inline' for styles only). The import map Blazor writes inline carries a per-request nonce.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "pgclone.csp-nonce";

    /// <summary>This request's script nonce (App.razor puts it on the inline import map).</summary>
    public static string Nonce(HttpContext context) =>
        context.Items[NonceKey] as string ?? throw new InvalidOperationException("the security headers middleware did not run");

    public static string ContentSecurityPolicy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; " +
        "form-action 'self'; frame-ancestors 'none'";

    public static void UseSecurityHeaders(this WebApplication app) => app.Use(async (context, next) =>
    {
        // Hex: a nonce is written into an HTML attribute too, where Razor would encode base64's '+' and '='.
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy(nonce);
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        await next(context);
    });
}
