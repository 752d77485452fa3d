using System.Security.Claims;
using PgClone.Web.Roles;
using PgClone.Web.Runs;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>/api/v1/role-templates: saved role clones (CRUD) and running one through the runs path.</summary>
public static class RoleTemplatesApi
{
    public static RouteGroupBuilder MapRoleTemplates(this RouteGroupBuilder v1)
    {
        var templates = v1.MapGroup("/role-templates").WithTags("Role templates");
        templates.MapGet("/", async (RoleTemplatesService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .RequireAuthorization(Policies.View);
        templates.MapGet("/{id:int}", async Task<IResult> (int id, RoleTemplatesService service, CancellationToken ct) =>
                await service.GetAsync(id, ct) is { } t ? TypedResults.Ok(t) : Problems.NotFound($"role template #{id} does not exist"))
            .RequireAuthorization(Policies.View);
        templates.MapPost("/", async Task<IResult> (RoleTemplateDraft draft, ClaimsPrincipal user, RoleTemplatesService service, CancellationToken ct) =>
                await Problems.Guard(async () =>
                {
                    var t = await service.CreateAsync(draft, user, ct);
                    return TypedResults.Created($"/api/v1/role-templates/{t.Id}", t);
                }))
            .RequireAuthorization(Policies.Create);
        templates.MapPut("/{id:int}", async Task<IResult> (int id, RoleTemplateDraft draft, ClaimsPrincipal user, RoleTemplatesService service, CancellationToken ct) =>
                await Problems.Guard(async () => TypedResults.Ok(await service.UpdateAsync(id, draft, user, ct))))
            .RequireAuthorization(Policies.Edit);
        templates.MapDelete("/{id:int}", async Task<IResult> (int id, RoleTemplatesService service, CancellationToken ct) =>
                await service.DeleteAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"role template #{id} does not exist"))
            .RequireAuthorization(Policies.Delete);
        templates.MapPost("/{id:int}/run", async Task<IResult> (int id, HttpContext context, RoleTemplatesService service, CancellationToken ct) =>
                await Problems.Guard(async () =>
                {
                    var runId = await service.RunAsync(id, RunActor.ForRequest(context), ct);
                    return TypedResults.Created($"/api/v1/runs/{runId}", new RunsApi.Started(runId));
                }))
            .RequireAuthorization(Policies.Run);
        return v1;
    }
}
