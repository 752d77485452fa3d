using System.Security.Claims;
using System.Text.Json;
using PgClone.Web.Masking;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>
/// /api/v1/masking-policies: list, read with versions, create (also the import of a <c>pgclone discover</c> mask
/// JSON), add a version, export a version as the engine's mask JSON.
/// </summary>
public static class MaskingPoliciesApi
{
    public static RouteGroupBuilder MapMaskingPolicies(this RouteGroupBuilder v1)
    {
        var policies = v1.MapGroup("/masking-policies").WithTags("Masking policies");
        policies.MapGet("/", async (MaskPoliciesService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .RequireAuthorization(Policies.View);
        policies.MapGet("/{id:int}", async Task<IResult> (int id, MaskPoliciesService service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is { } p ? TypedResults.Ok(p) : Problems.NotFound($"masking policy #{id} does not exist"))
            .RequireAuthorization(Policies.View);
        policies.MapPost("/", async Task<IResult> (MaskPolicyDraft draft, ClaimsPrincipal user, MaskPoliciesService service, CancellationToken ct) =>
            await Problems.Guard(async () =>
            {
                var p = await service.CreateAsync(draft, user, ct);
                return TypedResults.Created($"/api/v1/masking-policies/{p.Policy.Id}", p);
            }))
            .RequireAuthorization(Policies.Create);
        policies.MapPost("/{id:int}/versions", async Task<IResult> (int id, MaskPolicyVersionDraft draft, ClaimsPrincipal user, MaskPoliciesService service, CancellationToken ct) =>
            await Problems.Guard(async () =>
            {
                var v = await service.AddVersionAsync(id, draft, user, ct);
                return TypedResults.Created($"/api/v1/masking-policies/{id}/export?version={v.Version}", v);
            }))
            .RequireAuthorization(Policies.Edit);
        policies.MapGet("/{id:int}/export", async Task<IResult> (int id, int? version, MaskPoliciesService service, CancellationToken ct) =>
            {
                var p = await service.GetAsync(id, ct);
                var v = p?.Versions.FirstOrDefault(x => version is null || x.Version == version);
                if (p is null || v is null) return Problems.NotFound($"masking policy #{id}{(version is null ? "" : $" version {version}")} does not exist");
                var json = v.Rules.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
                return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(json), "application/json", $"{FileName(p.Policy.Name)}-v{v.Version}.json");
            })
            .RequireAuthorization(Policies.View);
        return v1;
    }

    private static string FileName(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-'));
}
