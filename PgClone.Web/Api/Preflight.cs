using PgClone.Web.Preflight;
using PgClone.Web.Runs;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>
/// /api/v1/preflight: the checks a run would make before it starts, for the body that starts an ad-hoc run
/// (<c>POST /api/v1/runs</c>), answered in the JSON of <c>pgclone preflight --json</c> (<see cref="Core.Preflight.PreflightReport.ToJson"/>).
/// </summary>
public static class PreflightApi
{
    public static RouteGroupBuilder MapPreflight(this RouteGroupBuilder v1)
    {
        v1.MapPost("/preflight", async Task<IResult> (RunRequest request, HttpContext context, PreflightService service, CancellationToken ct) =>
            await Problems.Guard(async () => TypedResults.Text((await service.RunAsync(request, RunActor.ForRequest(context), ct)).ToJson(), "application/json")))
            .RequireAuthorization(Policies.Run)
            .WithTags("Runs")
            .WithSummary("Check a run before starting it (the checks of pgclone preflight --json); changes nothing")
            .Produces<Core.Preflight.PreflightReport>();
        return v1;
    }
}
