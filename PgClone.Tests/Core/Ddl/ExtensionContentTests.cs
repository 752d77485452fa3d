using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Verification;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>Servers with an extension that makes a schema and marks configuration tables and a sequence (pg_extension_config_dump).</summary>
public sealed class ContentExtensionServers() : ExtensionServers(new Dictionary<string, string>
{
    ["pgclone_config_test.control"] = "comment = 'configuration tables and a sequence'\ndefault_version = '1.0'\nrelocatable = false\n",
    ["pgclone_config_test--1.0.sql"] = """
        CREATE TABLE "Conf Items" (id integer PRIMARY KEY, name text NOT NULL, standard boolean NOT NULL DEFAULT false, target regclass);
        INSERT INTO "Conf Items" VALUES (1, 'built in', true, NULL);
        SELECT pg_catalog.pg_extension_config_dump('"Conf Items"', 'WHERE NOT standard');
        CREATE TABLE conf_all (k text PRIMARY KEY, v text);
        SELECT pg_catalog.pg_extension_config_dump('conf_all', '');
        CREATE TABLE conf_uses (id integer PRIMARY KEY, item integer NOT NULL REFERENCES "Conf Items" (id));
        SELECT pg_catalog.pg_extension_config_dump('conf_uses', '');
        CREATE SEQUENCE conf_seq;
        SELECT pg_catalog.pg_extension_config_dump('conf_seq', '');
        CREATE SEQUENCE member_seq;
        CREATE SCHEMA "Ext Schema";
        CREATE TABLE "Ext Schema".ext_own (id integer);
        CREATE SEQUENCE granted_seq;
        GRANT ALL ON SEQUENCE granted_seq TO pg_signal_backend WITH GRANT OPTION;
        CREATE FUNCTION known_item(integer) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT EXISTS (SELECT FROM @extschema@."Conf Items" WHERE id = $1)';
        CREATE DOMAIN item_ref AS integer CHECK (known_item(VALUE));
        """,
    // A prerequisite whose name sorts after the extension that requires it, both relocatable.
    ["pgclone_zbase.control"] = "default_version = '1.0'\nrelocatable = true\n",
    ["pgclone_zbase--1.0.sql"] = "CREATE TYPE zmood AS ENUM ('calm', 'busy');",
    ["pgclone_adep.control"] = "default_version = '1.0'\nrelocatable = true\nrequires = 'pgclone_zbase'\n",
    ["pgclone_adep--1.0.sql"] = "CREATE FUNCTION adep_one() RETURNS integer LANGUAGE sql AS 'SELECT 1';",
    // An event trigger that refuses what the user did while it was off (periods' health checks refuse grants so).
    ["pgclone_guard.control"] = "default_version = '1.0'\nrelocatable = true\n",
    ["pgclone_guard--1.0.sql"] = """
        CREATE FUNCTION no_comments() RETURNS event_trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'comments are frozen';
        END $$;
        CREATE EVENT TRIGGER "Frozen Comments" ON ddl_command_end WHEN TAG IN ('COMMENT') EXECUTE FUNCTION no_comments();
        """,
});

/// <summary>
/// What the user put into an extension's objects: CREATE EXTENSION makes the extension's own, the clone the rest.
/// Configuration tables and sequences hold the user's data beside the script's (the clone carries the rows each
/// table's filter selects and each sequence's value); a schema the extension made may hold the user's tables.
/// </summary>
public sealed class ExtensionContentTests(ContentExtensionServers servers) : IClassFixture<ContentExtensionServers>
{
    [Fact]
    public async Task The_rows_a_configuration_tables_filter_selects_and_a_configuration_sequences_value_are_carried()
    {
        var db = await servers.CreateDatabasesAsync("extconfig");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE users (id integer PRIMARY KEY);
            CREATE EXTENSION pgclone_config_test;
            INSERT INTO "Conf Items" VALUES (2, 'mine', false, 'public.users'), (3, 'odd; '' name', false, NULL);
            INSERT INTO conf_all VALUES ('a', 'x'), ('b', NULL);
            INSERT INTO conf_uses SELECT g, 1 + g % 3 FROM generate_series(1, 3000) g;
            SELECT nextval('conf_seq'), nextval('conf_seq'), nextval('conf_seq');
            SELECT nextval('member_seq'), nextval('member_seq');
            """);

        // One worker, the largest table first: conf_uses, whose foreign key (made by CREATE EXTENSION, before the
        // load) needs the rows of "Conf Items" in first, as pg_dump orders them.
        var result = await CloneKit.CloneAsync(db, CloneOperation.Database, options: new CloneOptions { Parallel = 1 });

        // The script's own row is made by CREATE EXTENSION, not copied again; the regclass travels by name.
        Assert.Equal([[1, "built in", true, null], [2, "mine", false, "users"], [3, "odd; ' name", false, null]],
            await PgServers.RowsAsync(db.Target, "SELECT id, name, standard, target::text FROM \"Conf Items\" ORDER BY id"));
        Assert.Equal([["a", "x"], ["b", null]], await PgServers.RowsAsync(db.Target, "SELECT k, v FROM conf_all ORDER BY k"));
        Assert.Equal([[3L, true]], await PgServers.RowsAsync(db.Target, "SELECT last_value, is_called FROM conf_seq"));
        // An extension's other sequence too (pg_dump leaves it at its start, so the next value repeated a copied one).
        Assert.Equal([[2L, true]], await PgServers.RowsAsync(db.Target, "SELECT last_value, is_called FROM member_seq"));
        Assert.Equal((2L, 2L, 3000L), (result.Tables.Single(t => t.Table.Name == "Conf Items").Rows, result.Tables.Single(t => t.Table.Name == "conf_all").Rows,
            result.Tables.Single(t => t.Table.Name == "conf_uses").Rows));
        Assert.Equal([[1L, 1000L], [2L, 1000L], [3L, 1000L]], await PgServers.RowsAsync(db.Target, "SELECT item::bigint, count(*) FROM conf_uses GROUP BY item ORDER BY item"));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
    }

    [Fact]
    public async Task Tables_and_functions_of_the_users_in_a_schema_an_extension_made_are_cloned()
    {
        var db = await servers.CreateDatabasesAsync("extschema");
        await PgServers.ExecAsync(db.Source, """
            CREATE EXTENSION pgclone_config_test;
            CREATE TABLE "Ext Schema"."User Table" (id integer PRIMARY KEY, v text);
            INSERT INTO "Ext Schema"."User Table" VALUES (1, 'one'), (2, 'two');
            CREATE INDEX user_v ON "Ext Schema"."User Table" (v);
            CREATE FUNCTION "Ext Schema".user_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM "Ext Schema"."User Table"';
            """);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal(2L, result.Tables.Single(t => t.Table.Name == "User Table").Rows);
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT \"Ext Schema\".user_count()"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM \"Ext Schema\".ext_own"));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
    }

    [Fact]
    public async Task A_users_table_whose_domain_reads_a_configuration_table_loads_after_the_users_rows_of_it()
    {
        var db = await servers.CreateDatabasesAsync("extconfigread");
        await PgServers.ExecAsync(db.Source, """
            CREATE EXTENSION pgclone_config_test;
            INSERT INTO "Conf Items" VALUES (2, 'mine', false, NULL);
            CREATE TABLE picks (id integer PRIMARY KEY, item item_ref NOT NULL);
            INSERT INTO picks SELECT g, 1 + g % 2 FROM generate_series(1, 3000) g;
            """);

        // One worker, the largest table first: picks, whose rows' domain check finds item 2 only once the user's row
        // of "Conf Items" is in (before, the copy failed: value for domain item_ref violates check constraint).
        var result = await CloneKit.CloneAsync(db, CloneOperation.Database, options: new CloneOptions { Parallel = 1 });

        Assert.Equal(3000L, result.Tables.Single(t => t.Table.Name == "picks").Rows);
        Assert.Equal([[1, 1500L], [2, 1500L]], await PgServers.RowsAsync(db.Target, "SELECT item::integer, count(*) FROM picks GROUP BY 1 ORDER BY 1"));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
    }

    [Fact]
    public async Task A_users_table_inheriting_from_an_extensions_table_is_created_as_its_child()
    {
        var db = await servers.CreateDatabasesAsync("extparent");
        await PgServers.ExecAsync(db.Source, """
            CREATE EXTENSION pgclone_config_test;
            CREATE TABLE "My Own" (note text NOT NULL) INHERITS ("Ext Schema".ext_own);
            INSERT INTO "My Own" VALUES (1, 'a'), (2, 'b');
            """);

        // Before: "parent table (oid N) is outside the cloned schemas", nothing cloned (pgq's queue tables inherit its template).
        var result = await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal(2L, result.Tables.Single(t => t.Table.Name == "My Own").Rows);
        Assert.Equal([["\"Ext Schema\".ext_own"]], await PgServers.RowsAsync(db.Target, "SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = '\"My Own\"'::regclass"));
        Assert.Equal([[1, "a"], [2, "b"]], await PgServers.RowsAsync(db.Target, "SELECT id, note FROM \"My Own\" ORDER BY id"));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
    }

    [Fact]
    public async Task An_extension_is_created_after_the_one_it_requires_each_in_its_own_schema()
    {
        var db = await servers.CreateDatabasesAsync("extrequires");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA base;
            CREATE EXTENSION pgclone_zbase SCHEMA base;
            CREATE EXTENSION pgclone_adep;
            CREATE TABLE moods (id integer PRIMARY KEY, mood base.zmood);
            INSERT INTO moods VALUES (1, 'calm'), (2, 'busy');
            COMMENT ON TYPE base.zmood IS 'the user''s comment on a member';
            """);

        // Before, by name: pgclone_adep with CASCADE made pgclone_zbase in public, then "type base.zmood does not exist".
        await CloneKit.CloneAsync(db, CloneOperation.Database);

        const string schemas = "SELECT extname::text, extnamespace::regnamespace::text FROM pg_extension WHERE extname LIKE 'pgclone%' ORDER BY 1";
        Assert.Equal([["pgclone_adep", "public"], ["pgclone_zbase", "base"]], await PgServers.RowsAsync(db.Target, schemas));
        Assert.Equal([[1, "calm"], [2, "busy"]], await PgServers.RowsAsync(db.Target, "SELECT id, mood::text FROM moods ORDER BY id"));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
        // A comment on an extension's member is not carried (pg_dump neither), nor compared: diff leaves members out.
        var diff = await new SchemaDiffer().DiffAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target), "base");
        Assert.True(diff.InSync, diff.ToJsonText());
    }

    [Fact]
    public async Task An_extensions_event_trigger_is_off_while_the_clone_runs_and_in_its_sources_state_after()
    {
        var db = await servers.CreateDatabasesAsync("extevent");
        await PgServers.ExecAsync(db.Source, """
            CREATE EXTENSION pgclone_guard;
            ALTER EVENT TRIGGER "Frozen Comments" DISABLE;
            CREATE TABLE notes (id integer PRIMARY KEY);
            COMMENT ON TABLE notes IS 'made while the guard was off';
            ALTER EVENT TRIGGER "Frozen Comments" ENABLE ALWAYS;
            """);

        // Before: the clone's COMMENT ON TABLE failed with "comments are frozen".
        await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal("made while the guard was off", await PgServers.ScalarAsync<string>(db.Target, "SELECT obj_description('notes'::regclass, 'pg_class')"));
        Assert.Equal("A", await PgServers.ScalarAsync<string>(db.Target, "SELECT evtenabled::text FROM pg_event_trigger WHERE evtname = 'Frozen Comments'"));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
    }

    [Fact]
    public async Task A_grant_option_revoked_from_a_privilege_the_extension_granted_is_revoked_on_the_target()
    {
        var db = await servers.CreateDatabasesAsync("extgrantopt");
        await PgServers.ExecAsync(db.Source, """
            CREATE EXTENSION pgclone_config_test;
            REVOKE GRANT OPTION FOR UPDATE ON SEQUENCE granted_seq FROM pg_signal_backend;
            """);

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        const string acl = "SELECT relacl::text FROM pg_class WHERE relname = 'granted_seq'";
        Assert.Contains("pg_signal_backend=r*wU*/", await PgServers.ScalarAsync<string>(db.Source, acl));
        Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, acl), await PgServers.ScalarAsync<string>(db.Target, acl));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
    }
}
