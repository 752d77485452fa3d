using System.Security.Claims;
using PgClone.Web.Runs;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>/api/v1/profiles: saved clones (CRUD) and running one.</summary>
public static class ProfilesApi
{
    public sealed record RunProfile(bool ConfirmProductionWithoutMasking = false);

    public static RouteGroupBuilder MapProfiles(this RouteGroupBuilder v1)
    {
        var profiles = v1.MapGroup("/profiles").WithTags("Profiles");
        profiles.MapGet("/", async (ProfilesService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .RequireAuthorization(Policies.View);
        profiles.MapGet("/{id:int}", async Task<IResult> (int id, ProfilesService service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is { } p ? TypedResults.Ok(p) : Problems.NotFound($"profile #{id} does not exist"))
            .RequireAuthorization(Policies.View);
        profiles.MapPost("/", async Task<IResult> (ProfileDraft draft, ClaimsPrincipal user, ProfilesService service, CancellationToken ct) =>
            await Problems.Guard(async () =>
            {
                var p = await service.CreateAsync(draft, user, ct);
                return TypedResults.Created($"/api/v1/profiles/{p.Id}", p);
            }))
            .RequireAuthorization(Policies.Create);
        profiles.MapPut("/{id:int}", async Task<IResult> (int id, ProfileDraft draft, ClaimsPrincipal user, ProfilesService service, CancellationToken ct) =>
            await Problems.Guard(async () => TypedResults.Ok(await service.UpdateAsync(id, draft, user, ct))))
            .RequireAuthorization(Policies.Edit);
        profiles.MapDelete("/{id:int}", async Task<IResult> (int id, ProfilesService service, CancellationToken ct) =>
            await service.DeleteAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"profile #{id} does not exist"))
            .RequireAuthorization(Policies.Delete);
        profiles.MapPost("/{id:int}/run", async Task<IResult> (int id, RunProfile? body, HttpContext context, RunsService runs, CancellationToken ct) =>
            await Problems.Guard(async () =>
            {
                var runId = await runs.StartProfileAsync(id, RunActor.ForRequest(context), body?.ConfirmProductionWithoutMasking ?? false, ct);
                return TypedResults.Created($"/api/v1/runs/{runId}", new RunsApi.Started(runId));
            }))
            .RequireAuthorization(Policies.Run);
        return v1;
    }
}
