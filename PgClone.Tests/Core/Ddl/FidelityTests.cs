using PgClone.Core;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>
/// The acceptance bar: a clone of a schema holding every kind of object (rich.sql) dumps exactly like its
/// source with pg_dump, and every table, materialized view and sequence holds the same content.
/// </summary>
public sealed class FidelityTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Schema_clone_dumps_identically_and_holds_the_same_rows()
    {
        var db = await fx.Servers.CreateDatabasesAsync("rich");
        await CloneKit.LoadAsync(db.Source, "rich.sql");

        await CloneKit.CloneAsync(db, CloneOperation.Schema, "rich");

        var source = await CloneKit.DumpAsync(db.Source, "--schema=rich");
        Assert.Contains("CREATE MATERIALIZED VIEW rich.mv_orders", source);
        CloneKit.SameDump(source, await CloneKit.DumpAsync(db.Target, "--schema=rich"));
        var sums = await CloneKit.ChecksumsAsync(db.Source, "rich");
        Assert.Equal(sums, await CloneKit.ChecksumsAsync(db.Target, "rich"));
        Assert.Equal("3:", sums["rich.people"][..2]);
        Assert.Equal("150:true", sums["rich.ticket_seq"]);
        Assert.Equal("1:", sums["rich.dog"][..2]);
        Assert.Equal("1:", sums["rich.animal"][..2]);
        Assert.Equal("2:", sums["rich.mv_orders"][..2]);
        Assert.Equal("not populated", sums["rich.mv_empty"]);
        Assert.Equal("1:", sums["rich.events_2024_low"][..2]);
        Assert.Equal("1:", sums["rich.events_default"][..2]);
    }

    [Fact]
    public async Task Database_clone_dumps_identically_across_all_schemas()
    {
        var db = await fx.Servers.CreateDatabasesAsync("richdb");
        await CloneKit.LoadAsync(db.Source, "rich.sql");
        await CloneKit.LoadAsync(db.Source, "odd.sql");

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        var sums = await CloneKit.ChecksumsAsync(db.Source);
        Assert.Equal(sums, await CloneKit.ChecksumsAsync(db.Target));
        Assert.Equal("2:", sums["\"Weird Schema; \"\"x\"\" ü\".\"Table\""][..2]);
        Assert.Equal("1:", sums["public.plain"][..2]);
    }
}
