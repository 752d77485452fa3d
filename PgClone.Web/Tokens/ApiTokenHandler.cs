using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PgClone.Web.Data;

namespace PgClone.Web.Tokens;

/// <summary>
/// <c>Authorization: Bearer pgc_...</c>: the request acts as the token's owner, with the owner's current roles.
/// An expired or revoked token, or one whose owner is disabled or locked out, fails.
/// </summary>
public sealed class ApiTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiTokenService tokens, UserManager<ApplicationUser> users, IUserClaimsPrincipalFactory<ApplicationUser> principals, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var secret = header["Bearer ".Length..].Trim();
        var token = await tokens.FindAsync(secret, Context.RequestAborted);
        if (token?.User is not { } owner) return AuthenticateResult.Fail("unknown API token");
        if (token.RevokedAt is not null) return AuthenticateResult.Fail("the API token was revoked");
        if (token.ExpiresAt <= time.GetUtcNow()) return AuthenticateResult.Fail("the API token expired");
        if (owner.IsDisabled) return AuthenticateResult.Fail("the API token's owner is disabled");
        if (await users.IsLockedOutAsync(owner)) return AuthenticateResult.Fail("the API token's owner is locked out");
        await tokens.TouchAsync(token.Id, Context.RequestAborted);
        var principal = await principals.CreateAsync(owner);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    // Pages challenge through the login cookie (a redirect); only the API answers 401/403 with a Bearer hint.
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (!Request.Path.StartsWithSegments("/api")) return Task.CompletedTask;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (Request.Path.StartsWithSegments("/api")) Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
