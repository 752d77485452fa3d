using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Npgsql;
using PgClone.Tests.Fixtures;
using PgClone.Web.Components.Shared;
using PgClone.Web.Connections;

namespace PgClone.Tests.Web.Connections;

/// <summary>
/// The reusable schema tree against a real server: schemas first with their counts, tables only once a schema is
/// expanded; with Selectable, a check box per item and expansion by the arrow only.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SchemaTreeTests : BunitContext, IAsyncLifetime
{
    private readonly PgServersFixture _fx;

    public SchemaTreeTests(PgServersFixture fx)
    {
        _fx = fx;
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    [Fact]
    public async Task Loads_schemas_then_tables_on_expand_with_check_boxes_when_selectable()
    {
        var dbs = await _fx.Servers.CreateDatabasesAsync("console_tree");
        await PgServers.ExecAsync(dbs.Target, """
            CREATE SCHEMA sales; CREATE TABLE sales.orders (id int); CREATE TABLE sales."Line Items" (id int);
            INSERT INTO sales.orders SELECT generate_series(1, 40); ANALYZE sales.orders;
            """);
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var connections = console.Services.GetRequiredService<ConnectionService>();
        var target = new NpgsqlConnectionStringBuilder(dbs.Target);
        var c = await connections.AddAsync(new NewConnection("tgt", target.Host!, target.Port, target.Database!, target.Username!, target.Password, SslMode.Disable), "test");
        Services.AddSingleton(connections);

        Render<MudPopoverProvider>();
        var tree = Render<SchemaTree>(p => p.Add(t => t.ConnectionId, c.Id).Add(t => t.Selectable, true));

        tree.WaitForAssertion(() => Assert.Equal(["public", "sales"], tree.FindAll(".schema-tree-node").Select(n => n.GetAttribute("data-node"))), TimeSpan.FromSeconds(10));
        Assert.Equal(2, tree.FindAll("input[type=checkbox]").Count);
        Assert.Matches(@"^2 tables · 0 views · 0 materialized views · 0 sequences · 0 functions · 0 types · \d+ (bytes|kB)$",
            tree.Find(".schema-tree-node[data-node='sales'] .schema-tree-detail").TextContent);

        // Selectable: a click on the name does not select, the arrow expands.
        tree.Find(".schema-tree-node[data-node='sales']").Closest(".mud-treeview-item-content")!.QuerySelector(".mud-treeview-item-arrow button")!.Click();
        tree.WaitForAssertion(() => Assert.Equal(["public", "sales", "sales.Line Items", "sales.orders"],
            tree.FindAll(".schema-tree-node").Select(n => n.GetAttribute("data-node"))), TimeSpan.FromSeconds(10));
        Assert.Equal(4, tree.FindAll("input[type=checkbox]").Count);
        Assert.StartsWith("~40 rows · ", tree.Find(".schema-tree-node[data-node='sales.orders'] .schema-tree-detail").TextContent);
        Assert.StartsWith("not analyzed · ", tree.Find(".schema-tree-node[data-node='sales.Line Items'] .schema-tree-detail").TextContent);
    }
}
