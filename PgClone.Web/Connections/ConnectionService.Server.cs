using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Web.Connections;

/// <summary>The actions that reach the registered server itself; both go through the engine (PgClone.Core).</summary>
public sealed partial class ConnectionService
{
    /// <summary>Connects with a short timeout: version, latency and the user's powers, or the failure in one line.</summary>
    public async Task<ProbeResult> TestAsync(int id, CancellationToken ct = default) =>
        await ServerProbe.ProbeAsync(await GetEndpointAsync(id, ServerRole.Server, ct), ct);

    public async Task<List<SchemaOverview>> BrowseSchemasAsync(int id, CancellationToken ct = default) =>
        await CatalogBrowser.SchemasAsync(await GetEndpointAsync(id, ServerRole.Server, ct), ct);

    public async Task<List<TableOverview>> BrowseTablesAsync(int id, string schema, CancellationToken ct = default) =>
        await CatalogBrowser.TablesAsync(await GetEndpointAsync(id, ServerRole.Server, ct), schema, ct);

    public async Task<List<ObjectOverview>> BrowseObjectsAsync(int id, string schema, CancellationToken ct = default) =>
        await CatalogBrowser.ObjectsAsync(await GetEndpointAsync(id, ServerRole.Server, ct), schema, ct);
}
