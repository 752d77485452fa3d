using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;
using PgClone.Web.Audit;
using PgClone.Web.Connections;
using PgClone.Web.Data;
using PgClone.Web.Runs;

namespace PgClone.Web.Masking;

/// <summary>Whether a column of a target is covered: masked (by a masked view or by the clone that wrote it), unmasked although sensitive, or clean.</summary>
public enum ComplianceStatus { Masked, UnmaskedSensitive, Clean }

/// <summary>One column of the compliance report.</summary>
public sealed record ComplianceEntry(string Schema, string Table, string Column, string DataType, string Category, ComplianceStatus Status, string Detail);

/// <summary>
/// The masking pages' engine work, each on a connection the user may use on that side: discovery on a source,
/// the masked preview (computed on the source), the compliance report of a target, masked views and
/// mask-in-place on a target. The engine does the work (PgClone.Core.Masking); this decides who may and composes
/// the answers with what the console knows (which runs masked what).
/// </summary>
public sealed class MaskingWorkbench(ConnectionService connections, ConsoleMaskingSecret secret, IDbContextFactory<PgCloneDbContext> factory, AuditLog audit)
{
    public async Task<IReadOnlyList<SensitiveColumn>> DiscoverAsync(ClaimsPrincipal user, int sourceId, string schema, CancellationToken ct)
    {
        var source = await EndpointAsync(user, sourceId, ConnectionUse.Source, ct);
        return await SensitiveDataScanner.ScanAsync(source, schema, ct);
    }

    public async Task<MaskPreviewResult> PreviewAsync(ClaimsPrincipal user, int sourceId, QualifiedName table, JsonObject columnRules, CancellationToken ct)
    {
        var source = await EndpointAsync(user, sourceId, ConnectionUse.Source, ct);
        return await MaskPreview.SampleAsync(source, table, columnRules, secret.Get, MaskPreview.DefaultRows, ct);
    }

    /// <summary>
    /// Every column of the target schema's tables: masked by a masked view (the engine's report) or by the newest
    /// successful masked run that wrote the schema into this connection (its rules as applied), unmasked although
    /// discovery flags it, or clean.
    /// </summary>
    public async Task<IReadOnlyList<ComplianceEntry>> ComplianceAsync(ClaimsPrincipal user, int targetId, string schema, CancellationToken ct)
    {
        await connections.EnsureCanReachAsync(user, targetId, ct);
        var target = await connections.GetEndpointAsync(targetId, ServerRole.Target, ct);
        var report = await MaskingReport.BuildAsync(target, schema, ct);
        IReadOnlyList<MaskCatalogColumn> columns;
        await using (var conn = await target.OpenAsync(ct))
            columns = await MaskCatalog.ColumnsAsync(conn, target, schema, null, ct);
        var (run, rules) = await LastMaskedRunAsync(targetId, schema, ct);
        var byColumn = report.ToDictionary(r => (r.Table, r.Column));
        var entries = new List<ComplianceEntry>();
        foreach (var c in columns.Where(c => c.PartitionRoot is null))
        {
            var found = byColumn.GetValueOrDefault((c.Table.Name, c.Column));
            var clone = rules?.Covers(c.Table, c.Column, c.InheritedFrom) == true;
            var (status, detail) = found?.Status == MaskingReport.Masked ? (ComplianceStatus.Masked, found.Recommendation)
                : clone ? (ComplianceStatus.Masked, $"masked by run #{run} (rules as applied)")
                : found is not null ? (ComplianceStatus.UnmaskedSensitive, found.Recommendation)
                : (ComplianceStatus.Clean, "");
            entries.Add(new ComplianceEntry(schema, c.Table.Name, c.Column, c.DataType, found?.Category ?? "", status, detail));
        }
        return entries;
    }

    public static string ToCsv(IEnumerable<ComplianceEntry> entries) => MaskingReport.ToCsv(entries.Select(e =>
        new ComplianceRow(e.Schema, e.Table, e.Column, e.Category, StatusName(e.Status), e.Detail)));

    public static string StatusName(ComplianceStatus s) => s switch
    {
        ComplianceStatus.Masked => "masked",
        ComplianceStatus.UnmaskedSensitive => "unmasked sensitive",
        _ => "clean",
    };

    public async Task<IReadOnlyList<MaskingPolicyInfo>> ListViewsAsync(ClaimsPrincipal user, int targetId, string schema, CancellationToken ct)
    {
        var target = await EndpointAsync(user, targetId, ConnectionUse.Target, ct);
        await using var conn = await target.OpenAsync(ct);
        return await PgClone.Core.Masking.MaskingPolicy.ListAsync(conn, target, schema, ct);
    }

    public async Task<MaskingPolicyInfo> CreateViewAsync(ClaimsPrincipal user, int targetId, QualifiedName table, JsonObject columnRules, string privilegedRole, CancellationToken ct)
    {
        var target = await EndpointAsync(user, targetId, ConnectionUse.Target, ct);
        var view = await PgClone.Core.Masking.MaskingPolicy.CreateAsync(target, table, columnRules, privilegedRole, secret.Get, ct);
        await audit.RecordAsync(AuditActions.MaskedViewCreated, $"view {view.View}",
            new { connection = target.Name, table = table.ToString(), columns = columnRules.Select(c => c.Key).ToList(), role = privilegedRole }, targetId, audit.ActorFor(user), ct);
        return view;
    }

    public async Task<MaskingPolicyInfo> DropViewAsync(ClaimsPrincipal user, int targetId, QualifiedName table, CancellationToken ct)
    {
        var target = await EndpointAsync(user, targetId, ConnectionUse.Target, ct);
        var view = await PgClone.Core.Masking.MaskingPolicy.DropAsync(target, table, ct);
        await audit.RecordAsync(AuditActions.MaskedViewDropped, $"view {view.View}", new { connection = target.Name, table = table.ToString() }, targetId, audit.ActorFor(user), ct);
        return view;
    }

    public async Task<MaskInPlaceResult> MaskInPlaceAsync(ClaimsPrincipal user, int targetId, QualifiedName table, JsonObject columnRules, CancellationToken ct)
    {
        var target = await EndpointAsync(user, targetId, ConnectionUse.Target, ct);
        var result = await MaskInPlace.RunAsync(target, table, columnRules, secret.Get, ct);
        await audit.RecordAsync(AuditActions.MaskInPlace, $"table {table}", new { connection = target.Name, columns = result.Columns, rows = result.Rows }, targetId, audit.ActorFor(user), ct);
        return result;
    }

    private async Task<ServerEndpoint> EndpointAsync(ClaimsPrincipal user, int id, ConnectionUse use, CancellationToken ct)
    {
        await connections.EnsureCanUseAsync(user, id, use, ct);
        return await connections.GetEndpointAsync(id, use == ConnectionUse.Source ? ServerRole.Source : ServerRole.Target, ct);
    }

    /// <summary>The newest successful masked run into this connection that covered the schema, with its rules as applied.</summary>
    private async Task<(long? Run, MaskRuleSet? Rules)> LastMaskedRunAsync(int targetId, string schema, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await db.Runs.AsNoTracking()
            .Where(r => r.TargetConnectionId == targetId && r.Masked && r.Status == RunStatus.Succeeded.Name()
                && (r.Schema == schema || r.Operation == "database" || r.Operation == "database-create"))
            .OrderByDescending(r => r.FinishedAt).FirstOrDefaultAsync(ct);
        if (run?.OptionsJson is null || RunOperations.ToClone(run.Operation) is not { } op) return (null, null);
        var options = CloneOptions.Parse(run.OptionsJson);
        // A table clone's rules are by column and cover only its table, under the name it was written to.
        return op == CloneOperation.Table
            ? (run.Id, MaskRuleSet.Parse(new JsonObject { [$"{run.Schema}.{options.TargetName ?? run.Table}"] = options.Mask?.DeepClone() }, CloneOperation.Database, null))
            : (run.Id, MaskRuleSet.Parse(options.Mask, op, run.Schema));
    }
}
