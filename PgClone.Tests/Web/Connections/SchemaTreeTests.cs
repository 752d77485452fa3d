using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
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
public sealed class SchemaTreeTests : MudComponentTests
{
    private readonly PgServersFixture _fx;

    public SchemaTreeTests(PgServersFixture fx)
    {
        _fx = fx;
    }

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

        tree.WaitForAssertion(() => Assert.Equal(["public", "sales"], tree.FindAll(".schema-tree-node").Select(n => n.GetAttribute("data-node"))), TimeSpan.FromSeconds(30));
        Assert.Equal(2, tree.FindAll("input[type=checkbox]").Count);
        Assert.Matches(@"^2 tables · 0 views · 0 materialized views · 0 sequences · 0 functions · 0 types · \d+ (bytes|kB)$",
            tree.Find(".schema-tree-node[data-node='sales'] .schema-tree-detail").TextContent);

        // Selectable: a click on the name does not select, the arrow expands.
        await ActAsync(tree, () => Item(tree, "sales").QuerySelector(".mud-treeview-item-arrow button")!.Click());
        tree.WaitForAssertion(() => Assert.Equal(["public", "sales", "sales.Line Items", "sales.orders"],
            tree.FindAll(".schema-tree-node").Select(n => n.GetAttribute("data-node"))), TimeSpan.FromSeconds(30));
        Assert.Equal(4, tree.FindAll("input[type=checkbox]").Count);
        Assert.StartsWith("~40 rows · ", tree.Find(".schema-tree-node[data-node='sales.orders'] .schema-tree-detail").TextContent);
        Assert.StartsWith("not analyzed · ", tree.Find(".schema-tree-node[data-node='sales.Line Items'] .schema-tree-detail").TextContent);
    }

    [Fact]
    public async Task Ticking_items_reports_the_selected_schemas_and_tables()
    {
        var dbs = await _fx.Servers.CreateDatabasesAsync("console_tree_select");
        await PgServers.ExecAsync(dbs.Target, "CREATE SCHEMA sales; CREATE TABLE sales.orders (id int); CREATE TABLE sales.\"Line Items\" (id int)");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var connections = console.Services.GetRequiredService<ConnectionService>();
        var target = new NpgsqlConnectionStringBuilder(dbs.Target);
        var c = await connections.AddAsync(new NewConnection("tgt", target.Host!, target.Port, target.Database!, target.Username!, target.Password, SslMode.Disable), "test");
        Services.AddSingleton(connections);
        var reported = new List<IReadOnlyCollection<SchemaTreeNode>?>();

        Render<MudPopoverProvider>();
        var tree = Render<SchemaTree>(p => p.Add(t => t.ConnectionId, c.Id).Add(t => t.Selectable, true)
            .Add(t => t.SelectedValuesChanged, (IReadOnlyCollection<SchemaTreeNode>? v) => reported.Add(v)));
        tree.WaitForAssertion(() => Assert.Equal(2, tree.FindAll(".schema-tree-node").Count), TimeSpan.FromSeconds(30));
        await ActAsync(tree, () => Item(tree, "sales").QuerySelector(".mud-treeview-item-arrow button")!.Click());
        tree.WaitForAssertion(() => Assert.Equal(4, tree.FindAll(".schema-tree-node").Count), TimeSpan.FromSeconds(30));

        foreach (var (key, count) in new[] { ("sales.Line Items", 1), ("sales.orders", 2), ("public", 3) })
        {
            await ActAsync(tree, () => Item(tree, key).QuerySelector("input[type=checkbox]")!.Change(true));
            tree.WaitForAssertion(() => Assert.Equal(count, reported.Count), TimeSpan.FromSeconds(30));
        }

        Assert.Equal([new SchemaTreeNode("sales", "Line Items")], reported[0]!);
        Assert.Equal([new SchemaTreeNode("sales", "Line Items"), new SchemaTreeNode("sales", "orders")], reported[1]!.OrderBy(n => n.Key, StringComparer.Ordinal));
        Assert.Equal([new SchemaTreeNode("public", null), new SchemaTreeNode("sales", "Line Items"), new SchemaTreeNode("sales", "orders")], reported[^1]!.OrderBy(n => n.Key, StringComparer.Ordinal));

        // Without check boxes: a click on a name reports that schema or table (a schema also expands).
        var clicked = new List<SchemaTreeNode>();
        var picker = Render<SchemaTree>(p => p.Add(t => t.ConnectionId, c.Id).Add(t => t.NodeClicked, (SchemaTreeNode v) => clicked.Add(v)));
        picker.WaitForAssertion(() => Assert.Equal(2, picker.FindAll(".schema-tree-node").Count), TimeSpan.FromSeconds(30));
        Assert.Empty(picker.FindAll("input[type=checkbox]"));
        await ActAsync(picker, () => Item(picker, "sales").Click());
        picker.WaitForAssertion(() => Assert.Equal(4, picker.FindAll(".schema-tree-node").Count), TimeSpan.FromSeconds(30));
        await ActAsync(picker, () => picker.Find(".schema-tree-node[data-node='sales.orders']").Click());
        await ActAsync(picker, () => picker.Find(".schema-tree-node[data-node='sales.Line Items']").Click());
        await ActAsync(picker, () => picker.Find(".schema-tree-node[data-node='sales']").Click());
        Assert.Equal([new SchemaTreeNode("sales", "orders"), new SchemaTreeNode("sales", "Line Items"), new SchemaTreeNode("sales", null)], clicked);
    }

    [Fact]
    public async Task Browsing_lists_every_kind_of_object_after_the_tables_and_a_schema_of_views_only_expands()
    {
        var dbs = await _fx.Servers.CreateDatabasesAsync("console_tree_all");
        await PgServers.ExecAsync(dbs.Target, """
            CREATE SCHEMA sales; CREATE TABLE sales.orders (id int);
            CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE id > 10;
            CREATE FUNCTION sales.total(customer bigint) RETURNS numeric LANGUAGE sql AS 'SELECT 0';
            CREATE SCHEMA reports; CREATE VIEW reports."Daily Sales" AS SELECT 1 AS n;
            """);
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var connections = console.Services.GetRequiredService<ConnectionService>();
        var target = new NpgsqlConnectionStringBuilder(dbs.Target);
        var c = await connections.AddAsync(new NewConnection("tgt", target.Host!, target.Port, target.Database!, target.Username!, target.Password, SslMode.Disable), "test");
        Services.AddSingleton(connections);
        var clicked = new List<SchemaTreeNode>();

        Render<MudPopoverProvider>();
        var tree = Render<SchemaTree>(p => p.Add(t => t.ConnectionId, c.Id).Add(t => t.AllObjects, true).Add(t => t.NodeClicked, (SchemaTreeNode v) => clicked.Add(v)));
        tree.WaitForAssertion(() => Assert.Equal(3, tree.FindAll(".schema-tree-node").Count), TimeSpan.FromSeconds(30));
        await ActAsync(tree, () => Item(tree, "sales").Click());
        await ActAsync(tree, () => Item(tree, "reports").Click());
        tree.WaitForAssertion(() => Assert.Equal(["public", "reports", "reports.Daily Sales", "sales", "sales.orders", "sales.big_orders", "sales.total(customer bigint)"],
            tree.FindAll(".schema-tree-node").Select(n => n.GetAttribute("data-node"))), TimeSpan.FromSeconds(30));
        Assert.Equal("view", tree.Find(".schema-tree-node[data-node='sales.big_orders'] .schema-tree-detail").TextContent);
        Assert.Equal("function · returns numeric", tree.Find(".schema-tree-node[data-node='sales.total(customer bigint)'] .schema-tree-detail").TextContent);

        // Only schemas and tables are picked.
        await ActAsync(tree, () => tree.Find(".schema-tree-node[data-node='sales.big_orders']").Click());
        await ActAsync(tree, () => tree.Find(".schema-tree-node[data-node='sales.orders']").Click());
        Assert.Equal([new SchemaTreeNode("sales", "orders")], clicked);
    }

    /// <summary>Finds and fires on the renderer's thread, so a re-render cannot retire the handler in between.</summary>
    private static Task ActAsync(IRenderedComponent<SchemaTree> tree, Action act) => tree.InvokeAsync(act);

    private static AngleSharp.Dom.IElement Item(IRenderedComponent<SchemaTree> tree, string key) =>
        tree.Find($".schema-tree-node[data-node='{key}']").Closest(".mud-treeview-item-content")!;
}
