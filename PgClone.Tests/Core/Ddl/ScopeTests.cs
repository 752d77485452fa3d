using PgClone.Core;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>What each operation brings: structure only, functions only, one table with what it needs.</summary>
public sealed class ScopeTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Structure_only_creates_every_object_without_rows_and_keeps_sequence_values()
    {
        var db = await fx.Servers.CreateDatabasesAsync("structure");
        await CloneKit.LoadAsync(db.Source, "rich.sql");

        await CloneKit.CloneAsync(db, CloneOperation.Schema, "rich", options: new CloneOptions { IncludeData = false });

        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source, "--schema=rich"), await CloneKit.DumpAsync(db.Target, "--schema=rich"));
        var source = await CloneKit.ChecksumsAsync(db.Source, "rich");
        var target = await CloneKit.ChecksumsAsync(db.Target, "rich");
        Assert.Equal(source.Keys, target.Keys);
        foreach (var (name, sum) in target)
        {
            if (name.EndsWith("_seq")) Assert.Equal(source[name], sum);
            else if (!name.Contains("mv_")) Assert.StartsWith("0:", sum);
        }
        Assert.Equal("150:true", target["rich.ticket_seq"]);
        Assert.Equal("14:true", target["rich.people_id_seq"]);
        Assert.Equal("not populated", target["rich.mv_empty"]);
        Assert.StartsWith("0:", target["rich.mv_orders"]);
    }

    [Fact]
    public async Task Functions_clone_brings_only_the_functions_and_procedures_of_the_schema()
    {
        var db = await fx.Servers.CreateDatabasesAsync("functions");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA f;
            CREATE TABLE f.t (id int);
            CREATE VIEW f.v AS SELECT 1 AS one;
            CREATE FUNCTION f.count_t() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM f.t';
            CREATE FUNCTION f.plus(a int, b int DEFAULT 1) RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN a + b; END$$;
            CREATE PROCEDURE f."Bump It"(INOUT x int) LANGUAGE sql AS $$ SELECT x + 1 $$;
            COMMENT ON FUNCTION f.plus(int, int) IS 'adds';
            """);

        await CloneKit.CloneAsync(db, CloneOperation.Functions, "f");

        const string functions = "SELECT p.proname || '|' || pg_get_functiondef(p.oid) || '|' || coalesce(obj_description(p.oid, 'pg_proc'), '') FROM pg_proc p WHERE p.pronamespace = 'f'::regnamespace ORDER BY 1";
        var expected = await PgServers.RowsAsync(db.Source, functions);
        Assert.Equal(3, expected.Count);
        Assert.Equal(expected, await PgServers.RowsAsync(db.Target, functions));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'f'::regnamespace"));
        Assert.Equal(3, await PgServers.ScalarAsync<int>(db.Target, "SELECT f.plus(2)"));
    }

    [Fact]
    public async Task Table_clone_brings_the_types_functions_sequences_and_extension_the_table_needs()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tableneeds");
        await CloneKit.LoadAsync(db.Source, "rich.sql");

        var result = await CloneKit.CloneAsync(db, CloneOperation.Table, "rich", "people");

        Assert.Empty(result.Skipped);
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source, "--table=rich.people"), await CloneKit.DumpAsync(db.Target, "--table=rich.people"));
        var source = await CloneKit.ChecksumsAsync(db.Source, "rich");
        var target = await CloneKit.ChecksumsAsync(db.Target, "rich");
        Assert.Equal(["rich.people", "rich.people_id_seq", "rich.ticket_seq"], target.Keys);
        foreach (var (name, sum) in target) Assert.Equal(source[name], sum);
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'"));
    }
}
