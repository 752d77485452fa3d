using PgClone.Core;
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
