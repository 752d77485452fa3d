using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;
using PgClone.Web.Connections;
using PgClone.Web.Runs;

namespace PgClone.Web.Clones;

/// <summary>A schema of the source with its tables (largest first).</summary>
public sealed record SourceSchema(string Name, IReadOnlyList<SourceTable> Tables)
{
    public long Bytes => Tables.Sum(t => t.Bytes);
}

/// <summary>
/// What the new-clone wizard asks of the engine before anything runs, each through PgClone.Core on the user's
/// chosen connections: the source's schemas and tables (catalog), discovery of sensitive columns and a masked
/// sample computed on the source (the summary's checks are the preflight's, PgClone.Web/Preflight). Nothing here writes.
/// </summary>
public sealed class CloneWizardService(ConnectionService connections, ConsoleMaskingSecret secret)
{
    /// <summary>Every user schema of the source with its tables, their sizes and columns, read in one read-only transaction.</summary>
    public async Task<IReadOnlyList<SourceSchema>> BrowseAsync(int sourceId, CancellationToken ct)
    {
        var source = await connections.GetEndpointAsync(sourceId, ServerRole.Source, ct);
        await using var conn = await source.OpenAsync(ct);
        try
        {
            await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await using (var setup = new Npgsql.NpgsqlCommand($"SET TRANSACTION READ ONLY; {CatalogReader.ReadSettings}", conn, tx))
                await setup.ExecuteNonQueryAsync(ct);
            var schemas = await CatalogReader.UserSchemasAsync(conn, ct);
            var tables = (await CatalogBrowser.TablesWithColumnsAsync(conn, schemas, ct)).ToLookup(t => t.Name.Schema);
            return schemas.Select(s => new SourceSchema(s, tables[s]
                    .OrderByDescending(t => t.Bytes).ThenBy(t => t.Name.Name, StringComparer.Ordinal).ToList()))
                .ToList();
        }
        catch (Npgsql.NpgsqlException e) { throw PgCloneException.FromDriver(source, null, e); }
    }

    /// <summary>
    /// Discovery over what the clone covers (by column name and by a bounded sample of values): the one table, the
    /// schema, or every schema of the source's catalog. In a whole-schema scan partitions stand for their root.
    /// </summary>
    public Task<IReadOnlyList<SensitiveColumn>> DiscoverAsync(CloneDraft draft, IReadOnlyList<SourceSchema>? catalog, CancellationToken ct)
    {
        IReadOnlyList<string> schemas = draft.IsWholeDatabase ? [.. (catalog ?? []).Select(s => s.Name)] : [draft.Schema!];
        var table = draft.CloneOperation == CloneOperation.Table ? draft.Table : null;
        return DiscoverAsync(draft.SourceId!.Value, schemas, table, ct);
    }

    private async Task<IReadOnlyList<SensitiveColumn>> DiscoverAsync(int sourceId, IReadOnlyList<string> schemas, string? table, CancellationToken ct)
    {
        var source = await connections.GetEndpointAsync(sourceId, ServerRole.Source, ct);
        await using var conn = await source.OpenAsync(ct);
        await PlannerWarmup.BeginReadsAsync(conn, source, ct);
        var found = new List<SensitiveColumn>();
        foreach (var schema in schemas)
            found.AddRange(await SensitiveDataScanner.ScanAsync(conn, source, schema, table is null ? null : [table], ct));
        return found;
    }

    /// <summary>Five rows of the table as the clone would write them, masked on the source.</summary>
    public async Task<MaskPreviewResult> PreviewMaskAsync(int sourceId, QualifiedName table, JsonObject rules, CancellationToken ct)
    {
        var source = await connections.GetEndpointAsync(sourceId, ServerRole.Source, ct);
        return await MaskPreview.SampleAsync(source, table, rules, secret.Get, MaskPreview.DefaultRows, ct);
    }
}
