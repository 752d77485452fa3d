using System.Globalization;
using System.Text;
using System.Text.Json;
using PgClone.Web.Audit;
using PgClone.Web.Runs;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>
/// A run's summary as a download: <c>GET /api/v1/runs/{id}/summary.json</c> (the run with its options, phases,
/// notes and per-table results) and <c>summary.csv</c> (one line per table). Read with the ReadHistory policy.
/// </summary>
public static class RunSummaries
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static RouteGroupBuilder MapRunSummaries(this RouteGroupBuilder v1)
    {
        v1.MapGet("/runs/{id:long}/summary.json", async (long id, RunsService runs, AuditLog audit, CancellationToken ct) =>
                await runs.GetAsync(id, ct) is { } run
                    ? await AuditedAsync(audit, run, "json", Results.File(JsonSerializer.SerializeToUtf8Bytes(run, Json), "application/json", $"pgclone-run-{id}.json"), ct)
                    : NotFound(id))
            .RequireAuthorization(Policies.ReadHistory);
        v1.MapGet("/runs/{id:long}/summary.csv", async (long id, RunsService runs, AuditLog audit, CancellationToken ct) =>
                await runs.GetAsync(id, ct) is { } run
                    ? await AuditedAsync(audit, run, "csv", Results.File(Encoding.UTF8.GetBytes(Csv(run)), "text/csv; charset=utf-8", $"pgclone-run-{id}.csv"), ct)
                    : NotFound(id))
            .RequireAuthorization(Policies.ReadHistory);
        return v1;
    }

    private static async Task<IResult> AuditedAsync(AuditLog audit, RunDetail run, string format, IResult file, CancellationToken ct)
    {
        await audit.RecordAsync(AuditActions.RunSummaryExported, $"run #{run.Run.Id}", new { format }, run.SourceConnectionId, ct: ct);
        return file;
    }

    private static IResult NotFound(long id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"run {id} does not exist");

    /// <summary>run,table,status,rows,bytes,seconds,copied_by_job,error — one line per table (RFC 4180 quoting).</summary>
    public static string Csv(RunDetail run)
    {
        var csv = new StringBuilder("run,table,status,rows,bytes,seconds,copied_by_job,error\r\n");
        foreach (var t in run.Tables)
            csv.AppendJoin(',', run.Run.Id.ToString(CultureInfo.InvariantCulture), Field(t.Table), Field(t.Status),
                    t.Rows.ToString(CultureInfo.InvariantCulture), t.Bytes.ToString(CultureInfo.InvariantCulture),
                    t.Seconds.ToString("0.###", CultureInfo.InvariantCulture), Field(t.CopiedByJob), Field(t.Error))
                .Append("\r\n");
        return csv.ToString();
    }

    /// <summary>One RFC 4180 field: quoted only when it holds a comma, a quote or a line break.</summary>
    internal static string Field(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\r', '\n']) < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
}
