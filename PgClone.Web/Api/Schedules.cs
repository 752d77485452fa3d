using System.Security.Claims;
using PgClone.Web.Runs;
using PgClone.Web.Schedules;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>/api/v1/schedules: schedules (CRUD), pause, resume, run now, their runs, and a cron preview.</summary>
public static class SchedulesApi
{
    public static RouteGroupBuilder MapSchedules(this RouteGroupBuilder v1)
    {
        var schedules = v1.MapGroup("/schedules").WithTags("Schedules");
        schedules.MapGet("/", async (SchedulesService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .RequireAuthorization(Policies.View);
        schedules.MapGet("/{id:int}", async Task<IResult> (int id, SchedulesService service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is { } s ? TypedResults.Ok(s) : Problems.NotFound($"schedule #{id} does not exist"))
            .RequireAuthorization(Policies.View);
        schedules.MapGet("/preview", (string cron, string? timeZone, SchedulesService service) =>
            Problems.Guard(() => Task.FromResult<IResult>(TypedResults.Ok(service.Preview(cron, timeZone ?? "UTC")))))
            .RequireAuthorization(Policies.View).WithSummary("A cron expression in words and its next five firings in the time zone");
        schedules.MapPost("/", async Task<IResult> (ScheduleDraft draft, ClaimsPrincipal user, SchedulesService service, CancellationToken ct) =>
            await Problems.Guard(async () =>
            {
                var s = await service.CreateAsync(draft, user, ct);
                return TypedResults.Created($"/api/v1/schedules/{s.Id}", s);
            }))
            .RequireAuthorization(Policies.Create);
        schedules.MapPut("/{id:int}", async Task<IResult> (int id, ScheduleDraft draft, ClaimsPrincipal user, SchedulesService service, CancellationToken ct) =>
            await Problems.Guard(async () => TypedResults.Ok(await service.UpdateAsync(id, draft, user, ct))))
            .RequireAuthorization(Policies.Edit);
        schedules.MapDelete("/{id:int}", async Task<IResult> (int id, SchedulesService service, CancellationToken ct) =>
            await service.DeleteAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"schedule #{id} does not exist"))
            .RequireAuthorization(Policies.Delete);
        schedules.MapPost("/{id:int}/pause", async Task<IResult> (int id, ClaimsPrincipal user, SchedulesService service, CancellationToken ct) =>
            await Problems.Guard(async () => TypedResults.Ok(await service.PauseAsync(id, user, ct))))
            .RequireAuthorization(Policies.Edit);
        schedules.MapPost("/{id:int}/resume", async Task<IResult> (int id, ClaimsPrincipal user, SchedulesService service, CancellationToken ct) =>
            await Problems.Guard(async () => TypedResults.Ok(await service.ResumeAsync(id, user, ct))))
            .RequireAuthorization(Policies.Edit);
        schedules.MapPost("/{id:int}/run", async Task<IResult> (int id, SchedulesService service, CancellationToken ct) =>
            await Problems.Guard(async () =>
            {
                await service.RunNowAsync(id, ct);
                return TypedResults.Accepted($"/api/v1/schedules/{id}/history");
            }))
            .RequireAuthorization(Policies.Run).WithSummary("Fires the schedule once now; its run appears in the history");
        schedules.MapGet("/{id:int}/history", async Task<IResult> (int id, int? skip, int? take, SchedulesService service, CancellationToken ct) =>
            await Problems.Guard(async () => TypedResults.Ok(await service.HistoryAsync(id, new Paging(skip ?? 0, take ?? 50), ct))))
            .RequireAuthorization(Policies.ReadHistory);
        return v1;
    }
}
