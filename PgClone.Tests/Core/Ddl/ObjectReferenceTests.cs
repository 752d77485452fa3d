using PgClone.Core;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>
/// Definitions and values that refer to other objects: views in a cycle (or reading themselves), which pg_dump
/// creates as placeholders and replaces later; and reg* values (oids that name objects), which travel by name.
/// </summary>
public sealed class ObjectReferenceTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Views_in_a_cycle_and_a_view_reading_itself_are_created_as_placeholders_then_replaced()
    {
        var db = await fx.Servers.CreateDatabasesAsync("viewcycle");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE t (id int PRIMARY KEY, name text);
            INSERT INTO t VALUES (1, 'a');
            CREATE VIEW "Self" AS TABLE t;
            CREATE OR REPLACE VIEW "Self" AS TABLE "Self";
            CREATE VIEW a AS SELECT 1 AS x, 'one'::text AS label;
            CREATE VIEW b AS SELECT x, label FROM a;
            CREATE OR REPLACE VIEW a AS SELECT x, label FROM b;
            CREATE VIEW after_b AS SELECT x FROM b WHERE label <> 'none';
            CREATE VIEW plain AS SELECT id FROM t;
            """);

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        const string definitions = "SELECT string_agg(c.relname || ': ' || pg_get_viewdef(c.oid), E'\\n' ORDER BY c.relname) FROM pg_class c WHERE c.relkind = 'v' AND c.relnamespace = 'public'::regnamespace";
        Assert.Contains("a:  SELECT b.x,\n    b.label\n   FROM b;", await PgServers.ScalarAsync<string>(db.Target, definitions));
        Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, definitions), await PgServers.ScalarAsync<string>(db.Target, definitions));
    }

    [Fact]
    public async Task Reg_values_name_the_same_objects_on_the_target_under_views_checks_partitions_composites_and_zero()
    {
        var db = await fx.Servers.CreateDatabasesAsync("regnames");
        // Oids on the target run apart from the source's.
        await PgServers.ExecAsync(db.Target, "CREATE TABLE burn (a int, b text, c int[]); DROP TABLE burn; CREATE TABLE burn2 (a int); DROP TABLE burn2;");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE items (id int PRIMARY KEY);
            CREATE TABLE "Odd Name" (id int);
            CREATE TABLE refs (id int PRIMARY KEY, rc regclass DEFAULT 'items'::regclass, rt regtype[],
                               rn regnamespace CHECK (rn <> 'pg_toast'::regnamespace));
            INSERT INTO refs VALUES (1, 0, '{int4,text}', 'public'), (2, 'items', NULL, 'pg_catalog'),
                                    (3, '"Odd Name"', '{refs}', 'public'), (4, NULL, '{}', NULL);
            CREATE VIEW ref_names AS SELECT id, rc, rt FROM refs WHERE rc <> 'pg_class'::regclass;
            CREATE TABLE parted_refs (k int, rc regclass) PARTITION BY LIST (k);
            CREATE TABLE parted_refs_1 PARTITION OF parted_refs FOR VALUES IN (1);
            INSERT INTO parted_refs VALUES (1, 'items'), (1, 'refs');
            CREATE TYPE pair AS (a regclass, b int);
            CREATE TABLE pairs (p pair, ps pair[]);
            INSERT INTO pairs VALUES (ROW('items', 1), ARRAY[ROW('refs', 2)::pair]);
            """);

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        const string rows = """
            SELECT string_agg(r, E'\n' ORDER BY r) FROM (
                SELECT 'refs ' || t::text AS r FROM refs t UNION ALL SELECT 'view ' || t::text FROM ref_names t
                UNION ALL SELECT 'parted ' || t::text FROM parted_refs t UNION ALL SELECT 'pairs ' || t::text FROM pairs t) x
            """;
        var source = await PgServers.ScalarAsync<string>(db.Source, rows);
        Assert.Equal(""""
            pairs ("(items,1)","{""(refs,2)""}")
            parted (1,items)
            parted (1,refs)
            refs (1,-,"{integer,text}",public)
            refs (2,items,,pg_catalog)
            refs (3,"""Odd Name""",{refs},public)
            refs (4,,{},)
            view (1,-,"{integer,text}")
            view (2,items,)
            view (3,"""Odd Name""",{refs})
            """", source);
        Assert.Equal(source, await PgServers.ScalarAsync<string>(db.Target, rows));
    }
}
