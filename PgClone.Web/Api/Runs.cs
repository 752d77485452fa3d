using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PgClone.Core;
using PgClone.Web.Runs;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>/api/v1/runs: start, list, read, cancel, resume and clear runs, all through <see cref="RunsService"/>.</summary>
public static class RunsApi
{
    public sealed record Started(long Id);
    public sealed record Cleared(int Deleted);

    public static RouteGroupBuilder MapRuns(this RouteGroupBuilder v1)
    {
        var runs = v1.MapGroup("/runs").WithTags("Runs");
        runs.MapPost("/", async Task<IResult> (RunRequest request, HttpContext context, RunsService service, CancellationToken ct) =>
            await Problems.Guard(async () => Created(await service.SubmitAsync(request, RunActor.ForRequest(context), ct))))
            .RequireAuthorization(Policies.Run);
        runs.MapGet("/", async Task<IResult> (RunsService service, string? status, string? user, int? connection, DateTimeOffset? from, DateTimeOffset? to,
                int? skip, int? take, CancellationToken ct) =>
        {
            RunStatus? wanted = null;
            if (status is { Length: > 0 })
                if (Enum.TryParse<RunStatus>(status, ignoreCase: true, out var parsed)) wanted = parsed;
                else return Problems.BadRequest($"unknown status '{status}': expected one of {string.Join(", ", Enum.GetValues<RunStatus>().Select(s => s.Name()))}");
            return TypedResults.Ok(await service.ListAsync(new RunFilter(wanted, user, connection, from, to), new Paging(skip ?? 0, take ?? 50), ct));
        })
            .RequireAuthorization(Policies.ReadHistory);
        runs.MapGet("/{id:long}", async Task<Results<Ok<RunDetail>, ProblemHttpResult>> (long id, RunsService service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is { } run ? TypedResults.Ok(run) : Problems.NotFound($"run #{id} does not exist"))
            .RequireAuthorization(Policies.ReadHistory);
        runs.MapPost("/{id:long}/cancel", async Task<IResult> (long id, ClaimsPrincipal user, RunsService service, CancellationToken ct) =>
            await Problems.Guard(async () => TypedResults.Ok(await service.CancelAsync(id, user, ct))))
            .RequireAuthorization(Policies.Cancel);
        runs.MapPost("/{id:long}/resume", async Task<IResult> (long id, HttpContext context, RunsService service, CancellationToken ct) =>
            await Problems.Guard(async () => Created(await service.ResumeAsync(id, RunActor.ForRequest(context), ct))))
            .RequireAuthorization(Policies.Run);
        // DELETE /runs?finished: the only bulk delete there is; the flag says so explicitly.
        runs.MapDelete("/", async Task<IResult> (bool? finished, RunsService service, CancellationToken ct) =>
            finished == true
                ? TypedResults.Ok(new Cleared(await service.ClearFinishedAsync(ct)))
                : Problems.BadRequest("only finished runs can be cleared: DELETE /api/v1/runs?finished=true"))
            .RequireAuthorization(Policies.Delete);
        return v1;
    }

    private static IResult Created(long id) => TypedResults.Created($"/api/v1/runs/{id}", new Started(id));
}

/// <summary>Service refusals and engine errors as problem+json, one line each.</summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound(string message) => TypedResults.Problem(title: message, statusCode: StatusCodes.Status404NotFound);
    public static ProblemHttpResult BadRequest(string message) => TypedResults.Problem(title: message, statusCode: StatusCodes.Status400BadRequest);

    public static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try { return await action(); }
        catch (RunRejectedException e)
        {
            return TypedResults.Problem(title: e.Message, statusCode: e.Kind switch
            {
                RunRejection.Forbidden => StatusCodes.Status403Forbidden,
                RunRejection.NotFound => StatusCodes.Status404NotFound,
                RunRejection.Conflict => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status400BadRequest,
            });
        }
        catch (PgCloneException e) { return BadRequest(e.Message); }
    }
}
