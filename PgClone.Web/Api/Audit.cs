using PgClone.Web.Audit;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>/api/v1/audit: the audit trail (filtered, paged), its exports and the chain check; Auditor and Admin only.</summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder v1)
    {
        var audit = v1.MapGroup("/audit").WithTags("Audit").RequireAuthorization(Policies.ReadAudit);
        audit.MapGet("/", async (AuditLog log, string? user, string? action, int? connection, DateTimeOffset? from, DateTimeOffset? to,
                int? skip, int? take, CancellationToken ct) =>
            TypedResults.Ok(await log.ListAsync(new AuditFilter(user, action, connection, from, to), skip ?? 0, take ?? 50, ct)))
            .WithSummary("Audit entries, newest first, with the same filters as the Audit page");
        audit.MapGet("/verify", async Task<IResult> (AuditLog log, string? anchor, CancellationToken ct) =>
            {
                var recorded = ChainAnchor.Parse(anchor);
                if (anchor is not null && recorded is null)
                    return Problems.BadRequest($"anchor must be a head as a check reports it, \"id:hash\" with a 64-digit hex hash; got \"{anchor}\"");
                return TypedResults.Ok(await log.CheckChainAsync(recorded, ct));
            })
            .WithSummary("Verifies the hash chain and reports the first broken link; ?anchor=id:hash (a head recorded earlier) also detects deleted newest entries");
        foreach (var format in new[] { "csv", "json" })
            audit.MapGet($"/export.{format}", async (AuditExport export, string? user, string? action, int? connection,
                    DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
                {
                    var file = await export.ExportAsync(new AuditFilter(user, action, connection, from, to), format == "csv", ct);
                    return Results.File(file.Content, file.ContentType, file.FileName);
                })
                .WithSummary($"The entries the filters match, oldest first, as {format.ToUpperInvariant()} (the export is audited)");
        return v1;
    }
}
