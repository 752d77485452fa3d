using PgClone.Core.Connections;
using PgClone.Core.Roles;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Roles;

public sealed class RolePrivilegeTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Objects = """
        CREATE SCHEMA "App Schema";
        CREATE TABLE "App Schema".orders(id int, "Total" numeric, note text);
        CREATE VIEW "App Schema".v AS SELECT id FROM "App Schema".orders;
        CREATE SEQUENCE "App Schema".seq;
        CREATE FUNCTION "App Schema".f(x integer, y text) RETURNS int LANGUAGE sql AS 'SELECT x';
        CREATE PROCEDURE "App Schema".p(msg text) LANGUAGE sql AS 'SELECT 1';
        CREATE TYPE "App Schema".mood AS ENUM ('sad', 'happy');
        CREATE DOMAIN "App Schema".pos AS int CHECK (VALUE > 0);
        """;

    /// <summary>Every privilege held by roles starting with the prefix, as (object, grantee, privilege, grantable) rows.</summary>
    private static Task<List<object?[]>> AclsAsync(string cs, string prefix) => PgServers.RowsAsync(cs, $"""
        WITH acl AS (
            SELECT 'database' AS obj, a.* FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = current_database()
            UNION ALL SELECT 'schema ' || n.nspname, a.* FROM pg_namespace n, aclexplode(n.nspacl) a
            UNION ALL SELECT c.relkind::text || ' ' || c.relname, a.* FROM pg_class c, aclexplode(c.relacl) a
            UNION ALL SELECT 'column ' || c.relname || '.' || att.attname, a.*
                FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid, aclexplode(att.attacl) a
            UNION ALL SELECT 'routine ' || p.oid::regprocedure::text, a.* FROM pg_proc p, aclexplode(p.proacl) a
            UNION ALL SELECT 'type ' || t.oid::regtype::text, a.* FROM pg_type t, aclexplode(t.typacl) a
            UNION ALL SELECT 'default ' || d.defaclrole::regrole::text || ' ' || coalesce(nullif(d.defaclnamespace, 0)::regnamespace::text, '*') || ' ' || d.defaclobjtype::text, a.*
                FROM pg_default_acl d, aclexplode(d.defaclacl) a)
        SELECT * FROM (SELECT obj, grantee::regrole::text AS who, privilege_type, is_grantable FROM acl) x
        WHERE starts_with(who, {Sql.Literal(prefix)})
        ORDER BY obj COLLATE "C", who COLLATE "C", privilege_type COLLATE "C"
        """);

    [Fact]
    public async Task Privileges_of_every_kind_memberships_and_default_privileges_are_granted_on_the_target()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_priv");
        var p = $"rp_{Guid.NewGuid():N}"[..11] + "_";
        await PgServers.ExecAsync(db.Target, Objects);
        await PgServers.ExecAsync(db.Source, Objects + $"""
            CREATE TABLE "App Schema".source_only(id int);
            CREATE ROLE {p}app; CREATE ROLE {p}grp; CREATE ROLE {p}own; CREATE ROLE x{p}outsider;
            GRANT {p}grp TO {p}app WITH ADMIN OPTION;
            GRANT {p}grp TO x{p}outsider;
            GRANT CONNECT, TEMPORARY ON DATABASE "{db.Name}" TO {p}app;
            GRANT USAGE ON SCHEMA "App Schema" TO {p}app WITH GRANT OPTION;
            GRANT SELECT, INSERT ON "App Schema".orders TO {p}app;
            GRANT DELETE ON "App Schema".orders TO {p}app WITH GRANT OPTION;
            GRANT UPDATE ("Total"), SELECT (note) ON "App Schema".orders TO {p}grp;
            GRANT SELECT ON "App Schema".v TO {p}grp;
            GRANT USAGE, SELECT ON SEQUENCE "App Schema".seq TO {p}app;
            REVOKE EXECUTE ON FUNCTION "App Schema".f(int, text) FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION "App Schema".f(int, text) TO {p}app;
            GRANT EXECUTE ON PROCEDURE "App Schema".p(text) TO {p}grp WITH GRANT OPTION;
            GRANT SELECT ON "App Schema".source_only TO {p}app;
            REVOKE USAGE ON TYPE "App Schema".mood FROM PUBLIC;
            GRANT USAGE ON TYPE "App Schema".mood TO {p}app;
            GRANT USAGE ON DOMAIN "App Schema".pos TO {p}grp WITH GRANT OPTION;
            ALTER DEFAULT PRIVILEGES FOR ROLE {p}own GRANT USAGE ON TYPES TO {p}app;
            ALTER DEFAULT PRIVILEGES FOR ROLE {p}own IN SCHEMA "App Schema" GRANT SELECT, UPDATE ON TABLES TO {p}app;
            ALTER DEFAULT PRIVILEGES FOR ROLE {p}own GRANT USAGE ON SEQUENCES TO {p}grp WITH GRANT OPTION;
            """);

        var result = await new RoleCloner().CloneAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source),
            ServerEndpoint.Parse(ServerRole.Target, db.Target), new RoleCloneOptions { NamePrefix = p });

        Assert.Equal("3 roles created, 0 updated, 17 grants applied, 2 skipped", result.Summary);
        Assert.Equal([
            $"GRANT \"{p}grp\" TO \"{p}app\" WITH ADMIN OPTION",
            $"GRANT CONNECT, TEMPORARY ON DATABASE \"{db.Name}\" TO \"{p}app\"",
            $"GRANT USAGE ON SCHEMA \"App Schema\" TO \"{p}app\" WITH GRANT OPTION",
            $"GRANT INSERT, SELECT ON TABLE \"App Schema\".\"orders\" TO \"{p}app\"",
            $"GRANT DELETE ON TABLE \"App Schema\".\"orders\" TO \"{p}app\" WITH GRANT OPTION",
            $"GRANT SELECT, USAGE ON SEQUENCE \"App Schema\".\"seq\" TO \"{p}app\"",
            $"GRANT SELECT ON TABLE \"App Schema\".\"v\" TO \"{p}grp\"",
            $"GRANT UPDATE (\"Total\") ON TABLE \"App Schema\".\"orders\" TO \"{p}grp\"",
            $"GRANT SELECT (\"note\") ON TABLE \"App Schema\".\"orders\" TO \"{p}grp\"",
            $"GRANT EXECUTE ON ROUTINE \"App Schema\".\"f\"(x integer, y text) TO \"{p}app\"",
            $"GRANT EXECUTE ON ROUTINE \"App Schema\".\"p\"(IN msg text) TO \"{p}grp\" WITH GRANT OPTION",
            $"GRANT USAGE ON TYPE \"App Schema\".\"mood\" TO \"{p}app\"",
            $"GRANT USAGE ON TYPE \"App Schema\".\"pos\" TO \"{p}grp\" WITH GRANT OPTION",
            $"ALTER DEFAULT PRIVILEGES FOR ROLE \"{p}own\" GRANT USAGE ON SEQUENCES TO \"{p}grp\" WITH GRANT OPTION",
            $"ALTER DEFAULT PRIVILEGES FOR ROLE \"{p}own\" GRANT USAGE ON TYPES TO PUBLIC",
            $"ALTER DEFAULT PRIVILEGES FOR ROLE \"{p}own\" GRANT USAGE ON TYPES TO \"{p}app\"",
            $"ALTER DEFAULT PRIVILEGES FOR ROLE \"{p}own\" IN SCHEMA \"App Schema\" GRANT SELECT, UPDATE ON TABLES TO \"{p}app\"",
        ], result.Grants.Select(g => g.Statement));
        Assert.Equal([
            new SkippedGrant($"GRANT \"{p}grp\" TO \"x{p}outsider\"", $"role \"x{p}outsider\" does not exist on the target"),
            new SkippedGrant($"GRANT SELECT ON TABLE \"App Schema\".\"source_only\" TO \"{p}app\"", "table \"App Schema\".\"source_only\" does not exist on the target"),
        ], result.Skipped);

        var expected = (await AclsAsync(db.Source, p)).Where(r => !((string)r[0]!).EndsWith("source_only")).ToList();
        Assert.Equal(expected, await AclsAsync(db.Target, p));
        Assert.Equal(23, expected.Count); // a type grant also covers its array type
        Assert.Equal([[$"{p}grp", $"{p}app", true]], await PgServers.RowsAsync(db.Target, $"""
            SELECT roleid::regrole::text, member::regrole::text, admin_option FROM pg_auth_members WHERE starts_with(member::regrole::text, '{p}')
            """));
    }
    /// <summary>
    /// Roles cloned first, as a database clone needs its owners: their default privileges on the target reach the
    /// objects the database clone then creates, which must still end with the source's privileges exactly; a grant a
    /// holder of the grant option passed on keeps that grantor, so cloning the roles again adds nothing; a membership
    /// keeps its grantor.
    /// </summary>
    [Fact]
    public async Task Roles_then_database_give_the_sources_exact_acls_with_their_grantors_and_a_second_roles_run_adds_nothing()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_then_db");
        var p = $"rg_{Guid.NewGuid():N}"[..11] + "_";
        await PgServers.ExecAsync(db.Source, $"""
            CREATE ROLE {p}own; CREATE ROLE {p}lead; CREATE ROLE {p}reader; CREATE ROLE {p}all; CREATE ROLE {p}boss;
            GRANT {p}lead TO {p}reader GRANTED BY {p}boss;
            ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO {p}all;
            ALTER DEFAULT PRIVILEGES GRANT ALL ON FUNCTIONS TO {p}all;
            CREATE TABLE public.narrowed (a int);
            REVOKE ALL ON public.narrowed FROM {p}all;
            GRANT SELECT ON public.narrowed TO {p}all;
            CREATE FUNCTION public.locked() RETURNS int LANGUAGE sql AS 'SELECT 1';
            REVOKE ALL ON FUNCTION public.locked() FROM {p}all, PUBLIC;
            CREATE SCHEMA "Team Space" AUTHORIZATION {p}own;
            CREATE TABLE "Team Space".items (id int, name text);
            ALTER TABLE "Team Space".items OWNER TO {p}own;
            SET ROLE {p}own;
            GRANT USAGE ON SCHEMA "Team Space" TO {p}lead WITH GRANT OPTION;
            GRANT SELECT ON "Team Space".items TO {p}lead WITH GRANT OPTION;
            GRANT UPDATE (name) ON "Team Space".items TO {p}lead WITH GRANT OPTION;
            SET ROLE {p}lead;
            GRANT USAGE ON SCHEMA "Team Space" TO {p}reader;
            GRANT SELECT ON "Team Space".items TO {p}reader;
            GRANT UPDATE (name) ON "Team Space".items TO {p}reader;
            RESET ROLE;
            """);
        var (source, target) = (ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target));
        var options = new RoleCloneOptions { NamePrefix = p };

        await new RoleCloner().CloneAsync(source, target, options);
        await CloneKit.CloneAsync(db, PgClone.Core.CloneOperation.Database);

        const string acls = """
            SELECT 'schema ' || nspname, nspacl::text FROM pg_namespace WHERE nspname IN ('public', 'Team Space')
            UNION ALL SELECT 'table ' || oid::regclass::text, relacl::text FROM pg_class WHERE oid IN ('public.narrowed'::regclass, '"Team Space".items'::regclass)
            UNION ALL SELECT 'column name', attacl::text FROM pg_attribute WHERE attrelid = '"Team Space".items'::regclass AND attname = 'name'
            UNION ALL SELECT 'function', proacl::text FROM pg_proc WHERE oid = 'public.locked()'::regprocedure
            ORDER BY 1
            """;
        var expected = await PgServers.RowsAsync(db.Source, acls);
        Assert.Equal(expected, await PgServers.RowsAsync(db.Target, acls));
        Assert.Contains($"{p}reader=r/{p}lead", (string)expected.Single(r => (string)r[0]! == "table \"Team Space\".items")[1]!);

        var again = await new RoleCloner().CloneAsync(source, target, options);
        Assert.Contains(again.Grants, g => g.Statement == $"SET ROLE \"{p}lead\"; GRANT SELECT ON TABLE \"Team Space\".\"items\" TO \"{p}reader\"; RESET ROLE");
        Assert.Equal(expected, await PgServers.RowsAsync(db.Target, acls));
        var membership = $"SELECT roleid::regrole::text || ' ' || grantor::regrole::text FROM pg_auth_members WHERE member = '{p}reader'::regrole";
        Assert.Equal($"{p}lead {p}boss", await PgServers.ScalarAsync<string>(db.Target, membership));

        // A table clone into the database keeps what its default privileges give a new table, as a restore does.
        await CloneKit.CloneAsync(db, PgClone.Core.CloneOperation.Table, "public", "narrowed", PgClone.Core.CloneOptions.Parse("""{"target_name": "narrowed_copy"}"""));
        Assert.Contains($"{p}all=arwdDxt/", await PgServers.ScalarAsync<string>(db.Target, "SELECT relacl::text FROM pg_class WHERE oid = 'public.narrowed_copy'::regclass"));
    }
}
