using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PgClone.Core;
using PgClone.Web.Security;
using PgClone.Web.Users;
using Scalar.AspNetCore;

namespace PgClone.Web.Api;

/// <summary>
/// The JSON API. <c>/api/v1</c> is the versioned REST API: each feature maps its endpoints on that group from its
/// own file (Api/&lt;Feature&gt;.cs), each with its policy. Anonymous callers get 401, never a redirect; errors are
/// problem+json. The OpenAPI document is at /openapi/v1.json and browsable at /api/docs.
/// </summary>
public static class ApiEndpoints
{
    public sealed record Me(string Name, IReadOnlyList<string> Roles);

    public static void MapPgCloneApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        var v1 = api.MapGroup("/v1").AddEndpointFilter(ProblemsFromExceptions);
        v1.MapMe();
        v1.MapUsers();
        v1.MapTokens();
        v1.MapConnections();
        v1.MapRuns();
        v1.MapProfiles();
        v1.MapMaskingPolicies();
        v1.MapRunSummaries();
        v1.MapAudit();
        v1.MapRoleTemplates();
        v1.MapDiff();
        v1.MapSchedules();
        v1.MapPreflight();
        // The first, unversioned endpoint; kept for existing scripts.
        api.MapGet("/me", GetMe).RequireAuthorization(Policies.OwnAccount).ExcludeFromDescription();

        app.MapOpenApi().RequireAuthorization(Policies.View);
        app.MapScalarApiReference("/api/docs", (o, context) => o
                .WithTitle("PgClone console API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .WithNonce(SecurityHeaders.Nonce(context))
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent())
            .RequireAuthorization(Policies.View);
        app.MapPgCloneMetrics();
    }

    private static RouteGroupBuilder MapMe(this RouteGroupBuilder v1)
    {
        v1.MapGet("/me", GetMe).RequireAuthorization(Policies.OwnAccount).WithSummary("The caller's name and roles");
        return v1;
    }

    private static Ok<Me> GetMe(ClaimsPrincipal user) => TypedResults.Ok(new Me(
        user.Identity?.Name ?? "",
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).Order().ToList()));

    /// <summary>A service's one-line refusal becomes problem+json: 404 for a missing object, else 400.</summary>
    private static async ValueTask<object?> ProblemsFromExceptions(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try { return await next(context); }
        catch (UserNotFoundException e) { return TypedResults.Problem(title: e.Message, statusCode: StatusCodes.Status404NotFound); }
        catch (PgCloneException e) { return TypedResults.Problem(title: e.Message, statusCode: StatusCodes.Status400BadRequest); }
    }
}
