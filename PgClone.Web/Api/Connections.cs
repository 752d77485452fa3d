using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Web.Connections;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>
/// /api/v1/connections: the same service as the Connections page. Passwords go in (create, update) but never come
/// out: a connection answers with <c>hasPassword</c>. Failures are problem+json whose title is the one-line reason.
/// </summary>
public static class ConnectionsApi
{
    /// <summary>A connection test's outcome; <see cref="Summary"/> is the line the console shows.</summary>
    public sealed record TestOutcome(bool Ok, string? ServerVersion, double LatencyMs, bool IsSuperuser, bool CanCreateDatabases, bool CanCreateRoles, string? Error, string Summary);

    public static RouteGroupBuilder MapConnections(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/connections").WithTags("Connections").AddEndpointFilter(ProblemsFilter);

        g.MapGet("/", async (ClaimsPrincipal user, ConnectionService s, CancellationToken ct) =>
            TypedResults.Ok(await s.ListVisibleAsync(user, ct))).RequireAuthorization(Policies.View);

        g.MapGet("/{id:int}", async Task<Results<Ok<ConnectionSummary>, ProblemHttpResult>> (int id, ClaimsPrincipal user, ConnectionService s, CancellationToken ct) =>
            (await s.ListVisibleAsync(user, ct)).SingleOrDefault(c => c.Id == id) is { } c ? TypedResults.Ok(c) : NotFound(id))
            .RequireAuthorization(Policies.View);

        g.MapPost("/", async (NewConnection body, ClaimsPrincipal user, ConnectionService s, CancellationToken ct) =>
        {
            var created = await s.AddAsync(body, user.Identity!.Name!, ct);
            return TypedResults.Created($"/api/v1/connections/{created.Id}", created);
        }).RequireAuthorization(Policies.ManageConnections);

        g.MapPut("/{id:int}", async (int id, NewConnection body, ClaimsPrincipal user, ConnectionService s, CancellationToken ct) =>
            TypedResults.Ok(await s.UpdateAsync(id, body, user.Identity!.Name!, ct))).RequireAuthorization(Policies.ManageConnections);

        g.MapDelete("/{id:int}", async Task<Results<NoContent, ProblemHttpResult>> (int id, bool? force, ConnectionService s, CancellationToken ct) =>
        {
            var name = (await s.GetAsync(id, ct)).Name;
            var usages = await s.FindUsagesAsync(id, ct);
            if (usages.Count > 0 && force != true)
                return TypedResults.Problem(title: $"connection '{name}' is used by {string.Join(", ", usages)}: delete with ?force=true to delete it anyway",
                    statusCode: StatusCodes.Status409Conflict);
            await s.DeleteAsync(id, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.ManageConnections);

        g.MapPost("/{id:int}/test", async (int id, ClaimsPrincipal user, ConnectionService s, CancellationToken ct) =>
        {
            await s.EnsureCanReachAsync(user, id, ct);
            var r = await s.TestAsync(id, ct);
            return TypedResults.Ok(new TestOutcome(r.Ok, r.ServerVersion, Math.Round(r.Latency.TotalMilliseconds, 2), r.IsSuperuser, r.CanCreateDatabases, r.CanCreateRoles, r.Error, r.Summary));
        }).RequireAuthorization(Policies.View);

        g.MapGet("/{id:int}/schemas", async (int id, ClaimsPrincipal user, ConnectionService s, CancellationToken ct) =>
        {
            await s.EnsureCanReachAsync(user, id, ct);
            return TypedResults.Ok(await s.BrowseSchemasAsync(id, ct));
        }).RequireAuthorization(Policies.View);

        g.MapGet("/{id:int}/schemas/{schema}/tables", async (int id, string schema, ClaimsPrincipal user, ConnectionService s, CancellationToken ct) =>
        {
            await s.EnsureCanReachAsync(user, id, ct);
            return TypedResults.Ok(await s.BrowseTablesAsync(id, schema, ct));
        }).RequireAuthorization(Policies.View);

        g.MapGet("/{id:int}/rights", async (int id, ConnectionService s, CancellationToken ct) =>
            TypedResults.Ok(await s.GetRightsAsync(id, ct))).RequireAuthorization(Policies.ManageConnections);

        g.MapPut("/{id:int}/rights", async (int id, ConnectionRights body, ConnectionService s, CancellationToken ct) =>
        {
            await s.SetRightsAsync(id, body, ct);
            return TypedResults.Ok(await s.GetRightsAsync(id, ct));
        }).RequireAuthorization(Policies.ManageConnections);

        return v1;
    }

    private static ProblemHttpResult NotFound(int id) => TypedResults.Problem(title: $"connection #{id} does not exist", statusCode: StatusCodes.Status404NotFound);

    /// <summary>The service's one-line errors as problem+json: 404 missing, 403 not granted, 400 anything else the user can fix.</summary>
    private static async ValueTask<object?> ProblemsFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (PgCloneException e)
        {
            var status = e switch
            {
                ConnectionNotFoundException => StatusCodes.Status404NotFound,
                ConnectionAccessDeniedException => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status400BadRequest,
            };
            return TypedResults.Problem(title: e.Message, statusCode: status);
        }
    }
}
