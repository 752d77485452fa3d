using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Core.Catalog;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Connections;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Data;
using PgClone.Web.Masking;

namespace PgClone.Tests.Web.Masking;

/// <summary>What the masking pages change on a target — masked views and mask-in-place — is in the audit trail, by whom and on what.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class MaskingWorkbenchAuditTests(PgServersFixture fx)
{
    [Fact]
    public async Task Masked_views_created_and_dropped_and_mask_in_place_are_audited_with_the_columns_and_rows()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("maskaudit_console");
        var data = await fx.Servers.CreateDatabasesAsync("maskaudit");
        await PgServers.ExecAsync(data.Target, """
            CREATE SCHEMA crm;
            CREATE TABLE crm.people (id int PRIMARY KEY, email text, note text);
            INSERT INTO crm.people SELECT g, 'person' || g || '@example.com', 'n' || g FROM generate_series(1, 40) g;
            """);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var admin = await ConsoleUsers.AddAsync(console.Factory, "masker@example.com", AppRoles.Admin);
        var table = new QualifiedName("crm", "people");
        var rules = JsonNode.Parse("""{"email": "email"}""")!.AsObject();

        await using (var scope = console.Factory.Services.CreateAsyncScope())
        {
            var workbench = scope.ServiceProvider.GetRequiredService<MaskingWorkbench>();
            await workbench.CreateViewAsync(admin, console.TargetId, table, rules, "postgres", CancellationToken.None);
            await workbench.DropViewAsync(admin, console.TargetId, table, CancellationToken.None);
            var masked = await workbench.MaskInPlaceAsync(admin, console.TargetId, table, rules, CancellationToken.None);
            Assert.Equal(40L, masked.Rows);
        }

        await using var db = await console.Factory.Services.GetRequiredService<IDbContextFactory<PgCloneDbContext>>().CreateDbContextAsync();
        var entries = await db.AuditEntries.Where(e => e.Action.StartsWith("masked-view.") || e.Action == "mask-in-place").OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([
                ("masked-view.created", "view \"crm\".\"people_masked\"", "masker@example.com", (int?)console.TargetId),
                ("masked-view.dropped", "view \"crm\".\"people_masked\"", "masker@example.com", console.TargetId),
                ("mask-in-place", "table \"crm\".\"people\"", "masker@example.com", console.TargetId),
            ],
            entries.Select(e => (e.Action, e.Subject, e.Actor, e.ConnectionId)));
        var inPlace = JsonDocument.Parse(entries[2].Details).RootElement;
        Assert.Equal((40L, "email"), (inPlace.GetProperty("rows").GetInt64(), inPlace.GetProperty("columns")[0].GetString()));
    }
}
