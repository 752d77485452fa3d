using System.Security.Claims;
using System.Text;
using PgClone.Core.Verification;
using PgClone.Web.Audit;
using PgClone.Web.Diff;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>
/// /api/v1/diff and /api/v1/verify: schema drift (the engine's diff JSON, as <c>pgclone diff --json</c> prints it)
/// and per-table verification between two connections the caller may reach; verify of a run excludes its masked columns.
/// </summary>
public static class DiffApi
{
    public static RouteGroupBuilder MapDiff(this RouteGroupBuilder v1)
    {
        v1.MapGet("/diff", async Task<IResult> (int? source, int? target, string? schema, string? targetSchema, long? run, bool? privileges, bool? databaseWide, bool? download,
                HttpContext context, DiffService diff, AuditLog audit, CancellationToken ct) =>
                await Problems.Guard(async () =>
                {
                    if (run is null && (source is null || target is null || schema is null))
                        return Problems.BadRequest("give source, target and schema, or a run");
                    var result = await diff.DiffAsync(new CompareRequest(source ?? 0, target ?? 0, schema ?? "", RunId: run, Privileges: privileges ?? true,
                        DatabaseWide: databaseWide, TargetSchema: targetSchema), context.User, ct);
                    var json = Encoding.UTF8.GetBytes(result.ToJsonText());
                    if (download != true) return Results.Bytes(json, "application/json");
                    await audit.RecordAsync(AuditActions.DiffExported, $"diff of schema {PgClone.Core.Connections.Sql.Ident(result.Schema)}",
                        new { source, target, schema = result.Schema, targetSchema, run }, source, ct: ct);
                    return Results.File(json, "application/json", $"pgclone-diff-{result.Schema}.json");
                }))
            .RequireAuthorization(Policies.View).WithTags("Diff and verify").WithSummary("Schema drift between two connections, by category, or of a run's clone " +
                "(run=N: its connections, schema and names on the target; schema picks one of a database run's); privileges=false leaves owners and grants out; " +
                "databaseWide=false the database's own objects (by default left out after a run's schema or table clone, which does not bring them)");
        v1.MapGet("/verify", async Task<IResult> (int? source, int? target, string? schema, string? mode, long? run, ClaimsPrincipal user, DiffService diff, CancellationToken ct) =>
                await Problems.Guard(async () =>
                {
                    if (!Enum.TryParse<VerifyMode>(mode ?? "exact", ignoreCase: true, out var m))
                        return Problems.BadRequest($"unknown mode '{mode}': expected fast, exact or checksum");
                    if (run is null && (source is null || target is null || schema is null))
                        return Problems.BadRequest("give source, target and schema, or a run");
                    return TypedResults.Ok(await diff.VerifyAsync(new CompareRequest(source ?? 0, target ?? 0, schema ?? "", m, run), user, ct));
                }))
            .RequireAuthorization(Policies.View).WithTags("Diff and verify").WithSummary("Per-table verification (fast, exact or checksum); a run's masked columns are excluded");
        return v1;
    }
}
