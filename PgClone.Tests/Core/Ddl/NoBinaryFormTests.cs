using PgClone.Core;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>
/// Tables binary COPY cannot read or plan (nobinary.sql): columns of types without a binary form (isn, seg,
/// query_int, aclitem; through a domain, an array, a composite and a range too) travel in text format, and a table
/// indexed on earthdistance's ll_to_earth, whose queries cannot be planned under search_path = pg_catalog, is read
/// with COPY of the table itself, as pg_dump reads it. The clone dumps identically and holds the same rows.
/// </summary>
public sealed class NoBinaryFormTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Database_clone_copies_columns_without_a_binary_form_and_tables_whose_queries_cannot_be_planned()
    {
        var db = await fx.Servers.CreateDatabasesAsync("nobinary");
        await CloneKit.LoadAsync(db.Source, "nobinary.sql");

        var result = await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Empty(result.Skipped);
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        var sums = await CloneKit.ChecksumsAsync(db.Source, "No Binary");
        Assert.Equal(sums, await CloneKit.ChecksumsAsync(db.Target, "No Binary"));
        Assert.Equal("3:", sums["\"No Binary\".items"][..2]);
        Assert.Equal("5:", sums["\"No Binary\".plain"][..2]);
        const string note = "SELECT note FROM \"No Binary\".items WHERE id = 1";
        Assert.Equal("tab\there, newline\nhere, back\\slash, ü", await PgServers.ScalarAsync<string>(db.Target, note));
    }
}
