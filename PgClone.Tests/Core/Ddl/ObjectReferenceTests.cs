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
    /// <summary>
    /// An index calling an extension's SQL function whose body names the extension's type unqualified (earthdistance's
    /// ll_to_earth, with the extensions in a schema off the target's search path: "type earth does not exist", which
    /// pg_dump's restore skips the index for) is built, and the table analyzed, with the extensions' schemas on the search
    /// path.
    /// </summary>
    [Fact]
    public async Task An_index_on_an_extension_function_naming_its_types_unqualified_is_built_with_the_extension_schemas_on_the_path()
    {
        var db = await fx.Servers.CreateDatabasesAsync("earthidx");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA geo;
            CREATE EXTENSION cube SCHEMA geo;
            CREATE EXTENSION earthdistance SCHEMA geo;
            SET search_path = geo, public;
            CREATE TABLE public.place (id int PRIMARY KEY, coordinates point);
            INSERT INTO public.place VALUES (1, point(51.5, -0.17)), (2, point(48.85, 2.35));
            CREATE INDEX place_geo ON public.place USING gist (geo.ll_to_earth(coordinates[0], coordinates[1]));
            CREATE TABLE public.other (id int PRIMARY KEY);
            """);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        Assert.Contains("index \"place_geo\" on \"public\".\"place\": run with the extensions' schemas (geo) on the search path, as a function it calls names their objects unqualified", result.Notes);
    }

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

    /// <summary>
    /// A view and a function that need each other (a SQL-standard body reading the view, or a result type that is the
    /// view's row): the cycle is broken at the view, as pg_dump does, not at the function, which cannot be made first.
    /// </summary>
    [Fact]
    public async Task A_view_and_a_function_that_need_each_other_are_made_through_the_views_placeholder()
    {
        var db = await fx.Servers.CreateDatabasesAsync("viewfunccycle");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE t (id int PRIMARY KEY);
            INSERT INTO t VALUES (1), (2);
            CREATE VIEW "Self Ref" AS SELECT 1 AS x;
            CREATE FUNCTION "read self"() RETURNS int LANGUAGE sql STABLE RETURN (SELECT max(x) FROM "Self Ref");
            CREATE OR REPLACE VIEW "Self Ref" AS SELECT "read self"() + count(*)::int AS x FROM t;
            CREATE VIEW rows_of AS SELECT 1 AS a, 'x'::text AS b;
            CREATE FUNCTION rows_fn() RETURNS SETOF rows_of LANGUAGE plpgsql AS $$BEGIN RETURN QUERY SELECT 1, 'y'::text; END$$;
            CREATE OR REPLACE VIEW rows_of WITH (security_barrier) AS SELECT 1 AS a, 'x'::text AS b WHERE NOT EXISTS (SELECT FROM rows_fn() WHERE false);
            CREATE VIEW va AS SELECT 1 AS n;
            CREATE VIEW vb AS SELECT n FROM va;
            CREATE FUNCTION fb() RETURNS bigint LANGUAGE sql STABLE RETURN (SELECT count(*) FROM vb);
            CREATE OR REPLACE VIEW va AS SELECT 1 AS n WHERE fb() >= 0;
            CREATE VIEW downstream AS SELECT * FROM va, rows_of, "Self Ref";
            """);

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        // The others recurse for good when read (as on the source); this one's function returns rows of its own.
        Assert.Equal("{\"(1,x)\"}", await PgServers.ScalarAsync<string>(db.Target, "SELECT array_agg(r)::text FROM rows_of r"));
    }

    /// <summary>
    /// A column default, or a domain's check and default, calling a function whose SQL body reads the table (or a
    /// table of the domain): the table or domain is made bare, then the function, then the default or check, as pg_dump does.
    /// </summary>
    [Fact]
    public async Task A_default_or_a_domain_check_calling_a_function_that_reads_them_back_is_added_after_the_function()
    {
        var db = await fx.Servers.CreateDatabasesAsync("defaultcycle");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE "Tickets" (id int PRIMARY KEY, n int);
            CREATE FUNCTION next_n() RETURNS int LANGUAGE sql VOLATILE RETURN (SELECT coalesce(max(n), 0) + 1 FROM "Tickets");
            ALTER TABLE "Tickets" ALTER n SET DEFAULT next_n();
            INSERT INTO "Tickets"(id) VALUES (1), (2);
            CREATE DOMAIN "Small" AS int;
            CREATE TABLE limits (v "Small");
            CREATE FUNCTION limit_of() RETURNS int LANGUAGE sql STABLE RETURN (SELECT max(v) FROM limits);
            ALTER DOMAIN "Small" ADD CONSTRAINT under_limit CHECK (VALUE <= coalesce(limit_of(), 1000));
            ALTER DOMAIN "Small" SET DEFAULT 7;
            INSERT INTO limits VALUES (100);
            CREATE TABLE with_default (id int, v "Small");
            """);

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        await PgServers.ExecAsync(db.Target, "INSERT INTO \"Tickets\"(id) VALUES (3)");
        Assert.Equal("1:1,2:2,3:3", await PgServers.ScalarAsync<string>(db.Target, "SELECT string_agg(id || ':' || n, ',' ORDER BY id) FROM \"Tickets\""));
        var e = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => PgServers.ExecAsync(db.Target, "INSERT INTO limits VALUES (101)"));
        Assert.Equal("value for domain \"Small\" violates check constraint \"under_limit\"", e.MessageText);
        await PgServers.ExecAsync(db.Target, "INSERT INTO with_default(id) VALUES (1)");
        Assert.Equal(7, await PgServers.ScalarAsync<int>(db.Target, "SELECT v FROM with_default"));
    }

    [Fact]
    public async Task Views_whose_recursive_queries_mark_cycles_with_typed_values_are_made_again_though_the_server_prints_them_unreadably()
    {
        var db = await fx.Servers.CreateDatabasesAsync("cyclemark");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE edges (f int, t int);
            INSERT INTO edges VALUES (1, 2), (2, 3), (3, 1);
            CREATE VIEW "text marks" AS WITH RECURSIVE s(f, t) AS (SELECT f, t FROM edges UNION ALL SELECT e.f, e.t FROM edges e JOIN s ON e.f = s.t)
                CYCLE f, t SET is_cycle TO 'Y' DEFAULT 'N' USING path SELECT f, t, is_cycle FROM s;
            CREATE MATERIALIZED VIEW date_marks AS WITH RECURSIVE s(f, t) AS (SELECT f, t FROM edges UNION ALL SELECT e.f, e.t FROM edges e JOIN s ON e.f = s.t)
                CYCLE f SET seen TO date '2020-01-01' DEFAULT date '1970-01-01' USING p SELECT f, t, seen FROM s;
            CREATE VIEW int_marks AS WITH RECURSIVE s(f, t) AS (SELECT f, t FROM edges UNION ALL SELECT e.f, e.t FROM edges e JOIN s ON e.f = s.t)
                CYCLE f SET c TO 1 DEFAULT 0 USING p SELECT f, c FROM s;
            """);
        Assert.Contains("CYCLE f, t SET is_cycle TO 'Y'::text DEFAULT 'N'::text USING path", await PgServers.ScalarAsync<string>(db.Source, "SELECT pg_get_viewdef('\"text marks\"')"));

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        const string rows = """
            SELECT string_agg(r, E'\n' ORDER BY r) FROM (
                SELECT 'text ' || v::text AS r FROM "text marks" v UNION ALL SELECT 'date ' || v::text FROM date_marks v UNION ALL SELECT 'int ' || v::text FROM int_marks v) x
            """;
        var source = await PgServers.ScalarAsync<string>(db.Source, rows);
        // Three walks of four steps, the last one back where it started, in each view.
        Assert.Equal(36, source.Split('\n').Length);
        Assert.Contains("date (3,1,2020-01-01)", source);
        Assert.Contains("text (3,1,Y)", source);
        Assert.Equal(source, await PgServers.ScalarAsync<string>(db.Target, rows));
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

    [Fact]
    public async Task Regclass_values_naming_indexes_load_after_those_indexes_are_built_even_their_own_tables()
    {
        var db = await fx.Servers.CreateDatabasesAsync("regindexes");
        await PgServers.ExecAsync(db.Source, """"
            CREATE TABLE items (id int PRIMARY KEY, name text);
            CREATE INDEX items_name ON items (name);
            INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g;
            CREATE SCHEMA "Other Schema";
            CREATE TABLE "Other Schema".t (id int CONSTRAINT "T key" PRIMARY KEY, seen regclass, many regclass[]);
            CREATE INDEX "Odd ""idx""" ON "Other Schema".t (seen);
            INSERT INTO "Other Schema".t VALUES (1, '"Other Schema"."Odd ""idx"""', ARRAY['"Other Schema"."T key"'::regclass, 'items_name', 'items']);
            CREATE TABLE parted (k int, v int) PARTITION BY RANGE (k);
            CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
            CREATE INDEX parted_v ON parted (v);
            INSERT INTO parted VALUES (1, 1);
            CREATE TYPE holder AS (r regclass, n int);
            CREATE DOMAIN rel AS regclass;
            CREATE TABLE named (id int, what rel, h holder);
            INSERT INTO named VALUES (1, 'items_pkey', NULL), (2, 'parted_v', ROW('parted_1_v_idx', 1)), (3, 'items', ROW('items', 2)), (4, NULL, NULL);
            """");

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        const string rows = """"
            SELECT string_agg(r, E'\n' ORDER BY r) FROM (
                SELECT 'named ' || t::text AS r FROM named t UNION ALL SELECT 'items ' || count(*) FROM items
                UNION ALL SELECT 'kinds ' || string_agg(n.id || c.relkind::text, ',' ORDER BY n.id) FROM named n JOIN pg_class c ON c.oid = n.what
                UNION ALL SELECT 'other ' || id || ' ' || (seen = '"Other Schema"."Odd ""idx"""'::regclass)
                                 || ' ' || (many = ARRAY['"Other Schema"."T key"'::regclass, 'items_name', 'items']) FROM "Other Schema".t) x
            """";
        var source = await PgServers.ScalarAsync<string>(db.Source, rows);
        Assert.Equal("""
            items 500
            kinds 1i,2I,3r
            named (1,items_pkey,)
            named (2,parted_v,"(parted_1_v_idx,1)")
            named (3,items,"(items,2)")
            named (4,,)
            other 1 true true
            """, source);
        Assert.Equal(source, await PgServers.ScalarAsync<string>(db.Target, rows));
    }
}
