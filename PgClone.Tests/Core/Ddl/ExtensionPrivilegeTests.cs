using PgClone.Core;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>
/// What was changed on an extension after CREATE EXTENSION (its members' privileges, its comment, its dictionaries'
/// options) is carried.
/// </summary>
public sealed class ExtensionPrivilegeTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Privileges_changed_on_extension_members_and_an_extension_comment_are_carried()
    {
        var db = await fx.Servers.CreateDatabasesAsync("extacl");
        const string role = "DO $$ BEGIN CREATE ROLE \"Ext User\"; EXCEPTION WHEN duplicate_object THEN NULL; END $$";
        await Task.WhenAll(PgServers.ExecAsync(fx.Servers.SourceAdmin, role), PgServers.ExecAsync(fx.Servers.TargetAdmin, role));
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA "Crypto S";
            CREATE EXTENSION pgcrypto SCHEMA "Crypto S";
            CREATE EXTENSION hstore;
            REVOKE EXECUTE ON FUNCTION "Crypto S".gen_random_uuid() FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION "Crypto S".gen_random_uuid() TO "Ext User";
            GRANT EXECUTE ON FUNCTION "Crypto S".digest(text, text) TO "Ext User" WITH GRANT OPTION;
            REVOKE USAGE ON TYPE public.hstore FROM PUBLIC;
            REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC;
            COMMENT ON EXTENSION pgcrypto IS 'our crypto';
            CREATE TABLE "Crypto S".t (id uuid DEFAULT "Crypto S".gen_random_uuid(), h public.hstore);
            """);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Empty(result.Skipped);
        var source = await CloneKit.DumpAsync(db.Source);
        foreach (var expected in new[]
        {
            "REVOKE ALL ON FUNCTION \"Crypto S\".gen_random_uuid() FROM PUBLIC;", "GRANT ALL ON FUNCTION \"Crypto S\".gen_random_uuid() TO \"Ext User\";",
            "GRANT ALL ON FUNCTION \"Crypto S\".digest(text, text) TO \"Ext User\" WITH GRANT OPTION;", "REVOKE ALL ON TYPE public.hstore FROM PUBLIC;",
            "REVOKE ALL ON LANGUAGE plpgsql FROM PUBLIC;", "COMMENT ON EXTENSION pgcrypto IS 'our crypto';",
        })
            Assert.Contains(expected, source);
        CloneKit.SameDump(source, await CloneKit.DumpAsync(db.Target));
        Assert.Equal(["our crypto"], (await PgServers.RowsAsync(db.Target, "SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = 'pgcrypto'")).Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task Options_changed_on_an_extension_dictionary_are_carried()
    {
        var db = await fx.Servers.CreateDatabasesAsync("extdict");
        // dict_int's script makes intdict with maxlen = 6; a longer number is then cut, unless rejectlong says to drop it.
        await PgServers.ExecAsync(db.Source, """
            CREATE EXTENSION dict_int;
            ALTER TEXT SEARCH DICTIONARY intdict (MAXLEN = 3, REJECTLONG = true);
            """);
        const string options = "SELECT dictinitoption FROM pg_ts_dict WHERE dictname = 'intdict'";
        Assert.Equal("maxlen = 3, rejectlong = 'true'", await PgServers.ScalarAsync<string>(db.Source, options));

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Equal("maxlen = 3, rejectlong = 'true'", await PgServers.ScalarAsync<string>(db.Target, options));
        foreach (var cs in new[] { db.Source, db.Target })
            Assert.Equal("{}", await PgServers.ScalarAsync<string>(cs, "SELECT ts_lexize('intdict', '12345')::text"));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
    }

    [Fact]
    public async Task A_schema_clone_carries_the_changed_privileges_of_the_extensions_it_uses()
    {
        var db = await fx.Servers.CreateDatabasesAsync("extaclschema");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE EXTENSION pgcrypto SCHEMA s;
            REVOKE EXECUTE ON FUNCTION s.gen_random_bytes(integer) FROM PUBLIC;
            CREATE TABLE s.t (id uuid DEFAULT s.gen_random_uuid());
            """);

        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s");

        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source, "-n", "s"), await CloneKit.DumpAsync(db.Target, "-n", "s"));
        Assert.Equal([false], (await PgServers.RowsAsync(db.Target, "SELECT has_function_privilege('public', 's.gen_random_bytes(integer)', 'EXECUTE')")).Select(r => (bool)r[0]!));
    }
}
