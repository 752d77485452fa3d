using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Tests.Web.Connections;
using PgClone.Web.Data;

namespace PgClone.Tests.E2E;

/// <summary>
/// The Connections page in Chromium, as an Admin and then an Operator: add by pasting a URI, test (pass and fail
/// in one line), browse a schema's tables, grant to the Operator, who then sees only that connection.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConnectionsBrowserTests(PgServersFixture fx)
{
    [Fact]
    public async Task Admin_adds_tests_browses_and_grants_a_connection_and_the_operator_sees_only_it()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_conn_e2e");
        await PgServers.ExecAsync(dbs.Target, """
            CREATE SCHEMA sales; CREATE TABLE sales.orders (id int, total numeric); INSERT INTO sales.orders SELECT g, g FROM generate_series(1, 250) g; ANALYZE sales.orders;
            CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE total > 100;
            CREATE FUNCTION sales.order_total(order_id int) RETURNS numeric LANGUAGE sql STABLE AS 'SELECT total FROM sales.orders WHERE id = order_id';
            CREATE TYPE sales.status AS ENUM ('new', 'paid');
            """);
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var baseUrl = console.StartKestrel();
        await ConsoleUsers.AddAsync(console, "admin@example.com", AppRoles.Admin);
        await ConsoleUsers.AddAsync(console, "op@example.com", AppRoles.Operator);
        var target = new NpgsqlConnectionStringBuilder(dbs.Target);
        var secret = target.Password!;

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var errors = Chromium.CollectErrors(page);

        await LogInAsync(page, baseUrl, "admin@example.com");
        await page.GotoAsync(baseUrl + "/connections");
        await Assertions.Expect(page.Locator("#connections-empty")).ToContainTextAsync("No connections yet");

        // Add by pasting a URI: the fields fill from it; the dialog closes and the grid shows the connection.
        await AddAsync(page, "#add-first-connection", "warehouse",
            $"postgresql://{target.Username}:{Uri.EscapeDataString(secret)}@{target.Host}:{target.Port}/{target.Database}?sslmode=disable");
        var warehouse = page.Locator("#connections-grid tbody tr.mud-table-row", new() { HasText = "warehouse" });
        await Assertions.Expect(warehouse).ToContainTextAsync($"{target.Host}:{target.Port}/{target.Database}");
        await AddAsync(page, "#add-connection", "wrong-password",
            $"postgresql://{target.Username}:Not-the-password-1@{target.Host}:{target.Port}/{target.Database}?sslmode=disable");

        // Test: a pass names the version and powers, a failure is one line.
        await page.ClickAsync(".connection-actions[data-connection='warehouse'] .action-test");
        await Assertions.Expect(page.Locator("#test-result")).ToContainTextAsync(new Regex(@"warehouse: PostgreSQL 15\.\d+.* · superuser · may create databases · may create roles"));
        await page.ClickAsync(".connection-actions[data-connection='wrong-password'] .action-test");
        await Assertions.Expect(page.Locator("#test-result")).ToHaveTextAsync(
            $"wrong-password: connection 'wrong-password' ({target.Host}:{target.Port}): wrong password for user '{target.Username}'");

        // Browse: schemas with counts; expanding one loads its tables with row estimates.
        await page.ClickAsync(".connection-actions[data-connection='warehouse'] .action-browse");
        await page.WaitForURLAsync(new Regex(@"/connections/\d+/browse$"));
        var sales = page.Locator(".schema-tree-node[data-node='sales']");
        await Assertions.Expect(sales.Locator(".schema-tree-detail")).ToContainTextAsync("1 table · 1 view · 0 materialized views · 0 sequences · 1 function · 1 type");
        await Assertions.Expect(page.Locator(".schema-tree-node[data-node='sales.orders']")).ToHaveCountAsync(0);
        await sales.ClickAsync();
        await Assertions.Expect(page.Locator(".schema-tree-node[data-node='sales.orders'] .schema-tree-detail")).ToContainTextAsync("~250 rows · ");
        // Then the schema's other objects, each with what it is.
        await Assertions.Expect(page.Locator(".schema-tree-node[data-node='sales.order_total(order_id integer)'] .schema-tree-detail")).ToHaveTextAsync("function · returns numeric");
        await Assertions.Expect(page.Locator(".schema-tree-node[data-node='sales.status'] .schema-tree-detail")).ToHaveTextAsync("type · enum");
        await Assertions.Expect(page.Locator(".schema-tree-node[data-node='sales.status']")).ToBeInViewportAsync();
        await page.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/connection-browse-1280.png", FullPage = true });
        // Browsing a connection that cannot log in says what its Test says. The link is clicked once the reloaded
        // list's circuit is interactive: a click while blazor.web.js is still starting the circuit is dropped (in a CI
        // run the page stayed on the list for 20 s), and the browse page's own circuit then tries the connection.
        await page.GotoAsync(baseUrl + "/connections");
        await Chromium.WaitForInteractiveAsync(page);
        await page.ClickAsync(".connection-actions[data-connection='wrong-password'] .action-browse");
        await page.WaitForURLAsync(new Regex(@"/connections/\d+/browse$"));
        await Assertions.Expect(page.Locator("#schema-tree-error")).ToHaveTextAsync(
            $"connection 'wrong-password' ({target.Host}:{target.Port}): wrong password for user '{target.Username}'", new() { Timeout = 20_000 });
        await page.ScreenshotAsync(new() { Path = $"{Chromium.Shots}/connection-browse-error-1280.png", FullPage = true });

        // Grant warehouse to the Operator as a source.
        await page.GotoAsync(baseUrl + "/connections");
        await Chromium.ClickUntilVisibleAsync(page, ".connection-actions[data-connection='warehouse'] .action-more button", ".mud-popover-open .action-rights");
        await page.ClickAsync(".mud-popover-open .action-rights");
        await page.Locator("tr[data-grantee='op@example.com'] td.grant-source input").CheckAsync();
        await page.ClickAsync("#rights-save");
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Rights of 'warehouse' saved.");
        Assert.DoesNotContain(secret, await page.ContentAsync());

        // The Operator sees only the granted connection, and no management actions.
        await page.ClickAsync("#user-menu");
        await page.ClickAsync("#logout");
        await page.WaitForURLAsync(baseUrl + "/Account/Login");
        await LogInAsync(page, baseUrl, "op@example.com");
        await page.GotoAsync(baseUrl + "/connections");
        var rows = page.Locator("#connections-grid tbody tr.mud-table-row");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("warehouse");
        await Assertions.Expect(page.Locator("#add-connection")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".action-more")).ToHaveCountAsync(0);
        await Chromium.ClickUntilVisibleAsync(page, ".connection-actions[data-connection='warehouse'] .action-test", "#test-result"); // a fresh page: the circuit may still connect
        await Assertions.Expect(page.Locator("#test-result")).ToContainTextAsync("warehouse: PostgreSQL 15");
        Assert.DoesNotContain(secret, await page.ContentAsync());

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static async Task LogInAsync(IPage page, string baseUrl, string email)
    {
        await page.GotoAsync(baseUrl + "/Account/Login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", ConsoleUsers.Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync(baseUrl + "/");
    }

    private static async Task AddAsync(IPage page, string addButton, string name, string uri)
    {
        await Chromium.ClickUntilVisibleAsync(page, addButton, "#connection-form");
        await page.FillAsync("#conn-paste", uri);
        await page.ClickAsync("#conn-paste-fill");
        await Assertions.Expect(page.Locator("#conn-database")).Not.ToHaveValueAsync("");
        await page.FillAsync("#conn-name", name);
        await page.ClickAsync("#conn-save");
        await Assertions.Expect(page.Locator("#connection-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#connections-grid")).ToContainTextAsync(name);
    }
}
