using System.Globalization;
using System.Text;
using System.Text.Json;
using PgClone.Web.Api;

namespace PgClone.Web.Audit;

/// <summary>A download of the audit trail.</summary>
public sealed record AuditFile(byte[] Content, string ContentType, string FileName);

/// <summary>
/// Exports the entries a filter matches, oldest first, as CSV (one line per entry) or JSON (an array of
/// <see cref="AuditRow"/>); each export is itself audited, with its filter and the number of entries.
/// </summary>
public sealed class AuditExport(AuditLog log, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public const string CsvHeader = "id,at,actor_kind,actor,address,action,subject,connection_id,details,previous_hash,hash";

    public async Task<AuditFile> ExportAsync(AuditFilter filter, bool csv, CancellationToken ct = default)
    {
        var rows = new List<AuditRow>();
        await foreach (var row in log.ReadAllAsync(filter, ct)) rows.Add(row);
        var stamp = clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var file = csv
            ? new AuditFile(Encoding.UTF8.GetBytes(Csv(rows)), "text/csv; charset=utf-8", $"pgclone-audit-{stamp}.csv")
            : new AuditFile(JsonSerializer.SerializeToUtf8Bytes(rows, Json), "application/json", $"pgclone-audit-{stamp}.json");
        await log.RecordAsync(AuditActions.AuditExported, $"audit export {file.FileName}",
            new { format = csv ? "csv" : "json", entries = rows.Count, filter }, filter.ConnectionId, ct: ct);
        return file;
    }

    public static string Csv(IEnumerable<AuditRow> rows)
    {
        var text = new StringBuilder(CsvHeader).Append("\r\n");
        foreach (var r in rows)
            text.AppendJoin(',', r.Id.ToString(CultureInfo.InvariantCulture), r.At.ToString("O", CultureInfo.InvariantCulture),
                    RunSummaries.Field(r.ActorKind), RunSummaries.Field(r.Actor), RunSummaries.Field(r.Address), RunSummaries.Field(r.Action),
                    RunSummaries.Field(r.Subject), r.ConnectionId?.ToString(CultureInfo.InvariantCulture) ?? "", RunSummaries.Field(r.Details),
                    r.PreviousHash, r.Hash)
                .Append("\r\n");
        return text.ToString();
    }
}
