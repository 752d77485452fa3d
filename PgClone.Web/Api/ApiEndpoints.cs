using System.Security.Claims;

namespace PgClone.Web.Api;

/// <summary>The JSON API under /api; every route needs a login (anonymous callers get 401, not a redirect).</summary>
public static class ApiEndpoints
{
    public sealed record Me(string Name, IReadOnlyList<string> Roles);

    public static void MapPgCloneApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        // The versioned REST API: each feature maps its endpoints on this group from its own file (Api/<Feature>.cs).
        var v1 = api.MapGroup("/v1");
        v1.MapConnections();
        v1.MapRuns();
        v1.MapProfiles();
        v1.MapRunSummaries();
        api.MapGet("/health", () => TypedResults.Ok(new { status = "ok" }));
        api.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new Me(
            user.Identity?.Name ?? "",
            user.FindAll(ClaimTypes.Role).Select(c => c.Value).Order().ToList())));
    }
}
