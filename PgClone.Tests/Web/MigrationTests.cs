using Microsoft.EntityFrameworkCore;
using PgClone.Tests.Fixtures;
using PgClone.Web.Data;

namespace PgClone.Tests.Web;

public sealed class MigrationTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_match_the_model()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("migrate");
        await using var db = new PgCloneDbContext(new DbContextOptionsBuilder<PgCloneDbContext>().UseNpgsql(dbs.Source).Options);

        await db.Database.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges());
        Assert.Equal(["Admin", "Auditor", "Operator"], await db.Roles.OrderBy(r => r.Name).Select(r => r.Name!).ToListAsync());
        var tables = await PgServers.RowsAsync(dbs.Source,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('connections', 'data_protection_keys', 'AspNetUsers') ORDER BY 1");
        Assert.Equal(["AspNetUsers", "connections", "data_protection_keys"], tables.Select(r => (string)r[0]!));
    }
}
