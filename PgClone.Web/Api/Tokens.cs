using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using PgClone.Web.Data;
using PgClone.Web.Security;
using PgClone.Web.Tokens;

namespace PgClone.Web.Api;

/// <summary>The caller's own personal API tokens.</summary>
public static class TokensApi
{
    public sealed record NewToken(string Name, int LifetimeDays = 90);

    public static RouteGroupBuilder MapTokens(this RouteGroupBuilder v1)
    {
        var tokens = v1.MapGroup("/tokens").RequireAuthorization(Policies.ManageTokens).WithTags("Tokens");
        tokens.MapGet("/", (ClaimsPrincipal user, UserManager<ApplicationUser> users, ApiTokenService s, CancellationToken ct) =>
            s.ListAsync(users.GetUserId(user)!, ct)).WithSummary("Your tokens (never their secrets)");
        tokens.MapPost("/", async Task<Created<NewApiToken>> (NewToken body, ClaimsPrincipal user, UserManager<ApplicationUser> users, ApiTokenService s, CancellationToken ct) =>
        {
            var created = await s.CreateAsync(users.GetUserId(user)!, body.Name, body.LifetimeDays, ct);
            return TypedResults.Created($"/api/v1/tokens/{created.Token.Id}", created);
        }).WithSummary("Create a token; the secret is in this response only");
        tokens.MapDelete("/{id:int}", async Task<Results<NoContent, ProblemHttpResult>> (int id, ClaimsPrincipal user, UserManager<ApplicationUser> users, ApiTokenService s, CancellationToken ct) =>
            await s.RevokeAsync(users.GetUserId(user)!, id, ct)
                ? TypedResults.NoContent()
                : TypedResults.Problem(title: $"you have no API token {id}", statusCode: StatusCodes.Status404NotFound))
            .WithSummary("Revoke one of your tokens");
        return v1;
    }
}
