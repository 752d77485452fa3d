using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Roles;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Roles;

public sealed class RoleClonerTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>Roles are cluster-wide and tests run in parallel: every test names its roles with its own prefix.</summary>
    private static string Prefix() => $"rc_{Guid.NewGuid():N}"[..11] + "_";

    private static ServerEndpoint Source(string cs) => ServerEndpoint.Parse(ServerRole.Source, cs);
    private static ServerEndpoint Target(string cs) => ServerEndpoint.Parse(ServerRole.Target, cs);

    private static Task<RoleCloneResult> CloneAsync(TestDatabases db, RoleCloneOptions options) =>
        new RoleCloner().CloneAsync(Source(db.Source), Target(db.Target), options);

    private const string AuthidColumns =
        "rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil::text, rolpassword";

    private static Task<List<object?[]>> AuthidAsync(string cs, string prefix) =>
        PgServers.RowsAsync(cs, $"SELECT {AuthidColumns} FROM pg_authid WHERE starts_with(rolname, {Sql.Literal(prefix)}) ORDER BY rolname COLLATE \"C\"");

    private static async Task<string> LoginAsync(string targetCs, string user, string password)
    {
        var csb = new NpgsqlConnectionStringBuilder(targetCs) { Username = user, Password = password, Pooling = false };
        await using var conn = new NpgsqlConnection(csb.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT current_user::text", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_cloned_role_with_a_name_that_needs_quoting_logs_in_to_the_target_with_its_source_password()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_login");
        var role = Prefix() + "Mixed Case \"quoted\" 'x'";
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {Sql.Ident(role)} LOGIN PASSWORD 'S3cret pass''word'");

        var result = await CloneAsync(db, new RoleCloneOptions { Roles = [role] });

        Assert.Equal("1 roles created, 0 updated, 0 grants applied", result.Summary);
        Assert.Equal([role], result.Created.Select(a => a.Name));
        Assert.StartsWith($"CREATE ROLE {Sql.Ident(role)} WITH LOGIN NOSUPERUSER", result.Created[0].Statement);
        Assert.EndsWith(" PASSWORD '***'", result.Created[0].Statement);
        Assert.Equal(role, await LoginAsync(db.Target, role, "S3cret pass'word"));
        var hash = await PgServers.ScalarAsync<string>(db.Target, $"SELECT rolpassword FROM pg_authid WHERE rolname = {Sql.Literal(role)}");
        Assert.StartsWith("SCRAM-SHA-256$", hash);
        Assert.Equal(await AuthidAsync(db.Source, role), await AuthidAsync(db.Target, role));
    }

    [Fact]
    public async Task Every_attribute_and_an_md5_hash_are_cloned_exactly()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_attr");
        var p = Prefix();
        await PgServers.ExecAsync(db.Source, $"""
            CREATE ROLE {p}a NOLOGIN CREATEDB CREATEROLE REPLICATION BYPASSRLS NOINHERIT CONNECTION LIMIT 7 VALID UNTIL '2031-02-03 04:05:06+00';
            CREATE ROLE {p}b LOGIN SUPERUSER PASSWORD 'pw-b';
            SET password_encryption = 'md5';
            CREATE ROLE {p}c LOGIN PASSWORD 'pw-c';
            """);

        var result = await CloneAsync(db, new RoleCloneOptions { NamePrefix = p });

        Assert.Equal("3 roles created, 0 updated, 0 grants applied", result.Summary);
        var target = await AuthidAsync(db.Target, p);
        Assert.Equal(await AuthidAsync(db.Source, p), target);
        Assert.Equal([$"{p}a", false, false, true, true, false, true, true, 7, "2031-02-03 04:05:06+00", null], target[0]);
        Assert.Equal([$"{p}b", true, true, false, false, true, false, false, -1, null], target[1][..10]);
        Assert.StartsWith("md5", (string)target[2][10]!);
        Assert.Equal(35, ((string)target[2][10]!).Length);
    }

    [Fact]
    public async Task An_existing_role_is_updated_and_its_target_only_grants_are_kept()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_upd");
        var r = Prefix() + "u";
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {r} LOGIN CREATEDB CONNECTION LIMIT 5 PASSWORD 'new-pw'; CREATE TABLE t1(a int); GRANT SELECT ON t1 TO {r}");
        await PgServers.ExecAsync(db.Target, $"""
            CREATE ROLE {r} NOLOGIN CONNECTION LIMIT 3 VALID UNTIL '2020-01-01 00:00:00+00' PASSWORD 'old-pw';
            CREATE TABLE t1(a int); CREATE TABLE t2(a int); GRANT INSERT ON t2 TO {r}
            """);

        var result = await CloneAsync(db, new RoleCloneOptions { Roles = [r] });

        Assert.Equal("0 roles created, 1 updated, 1 grants applied", result.Summary);
        Assert.Equal(
            $"ALTER ROLE \"{r}\" WITH LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT 5 VALID UNTIL 'infinity' PASSWORD '***'",
            result.Updated.Single().Statement);
        Assert.Equal([[true, true, 5, "infinity"]],
            await PgServers.RowsAsync(db.Target, $"SELECT rolcanlogin, rolcreatedb, rolconnlimit, rolvaliduntil::text FROM pg_authid WHERE rolname = '{r}'"));
        Assert.Equal(r, await LoginAsync(db.Target, r, "new-pw"));
        Assert.Equal([["t1", "SELECT"], ["t2", "INSERT"]], await PgServers.RowsAsync(db.Target, $"""
            SELECT c.relname::text, a.privilege_type FROM pg_class c, aclexplode(c.relacl) a
            WHERE a.grantee = '{r}'::regrole ORDER BY 1
            """));
    }

    /// <summary>
    /// A target user with CREATEROLE but not superuser may not name SUPERUSER, REPLICATION or BYPASSRLS in ALTER ROLE
    /// in PostgreSQL 15, even as NO...: the update leaves those out and goes through (it failed "must be superuser to
    /// alter superuser roles" on a role that is none).
    /// </summary>
    [Fact]
    public async Task A_createrole_target_user_updates_an_existing_role_without_the_attributes_only_a_superuser_may_name()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_cr");
        var p = Prefix();
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {p}r LOGIN CREATEDB CONNECTION LIMIT 4");
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {p}r NOLOGIN; CREATE ROLE {p}cr LOGIN CREATEROLE PASSWORD 'cr-pw'; GRANT CREATE ON DATABASE \"{db.Name}\" TO {p}cr");
        var asCreaterole = new NpgsqlConnectionStringBuilder(db.Target) { Username = $"{p}cr", Password = "cr-pw" }.ConnectionString;

        var result = await new RoleCloner().CloneAsync(Source(db.Source), Target(asCreaterole), new RoleCloneOptions { Roles = [$"{p}r"], NoPasswords = true });

        Assert.Equal($"ALTER ROLE \"{p}r\" WITH LOGIN CREATEDB NOCREATEROLE INHERIT CONNECTION LIMIT 4", result.Updated.Single().Statement);
        Assert.Equal([[true, true, false, 4]], await PgServers.RowsAsync(db.Target, $"SELECT rolcanlogin, rolcreatedb, rolsuper, rolconnlimit FROM pg_authid WHERE rolname = '{p}r'"));
    }

    [Fact]
    public async Task Role_settings_for_all_databases_and_for_the_cloned_database_are_applied()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_set");
        var r = Prefix() + "s";
        await PgServers.ExecAsync(db.Source, $""""
            CREATE ROLE {r};
            ALTER ROLE {r} SET search_path = "$user", public, "My ""Schema""";
            ALTER ROLE {r} SET work_mem = '64MB';
            ALTER ROLE {r} IN DATABASE "{db.Name}" SET myapp.tenant = 'a''b';
            """");

        var result = await CloneAsync(db, new RoleCloneOptions { Roles = [r] });

        Assert.Equal("1 roles created, 0 updated, 0 grants applied, 3 settings applied", result.Summary);
        Assert.Equal($"ALTER ROLE \"{r}\" SET \"search_path\" TO '$user', 'public', 'My \"Schema\"'", result.Settings[0].Statement);
        const string settings = "SELECT setdatabase <> 0, setconfig FROM pg_db_role_setting WHERE setrole = '{0}'::regrole ORDER BY 1";
        var expected = await PgServers.RowsAsync(db.Source, string.Format(settings, r));
        Assert.Equal(expected, await PgServers.RowsAsync(db.Target, string.Format(settings, r)));
        Assert.Equal(new[] { "search_path=\"$user\", public, \"My \"\"Schema\"\"\"", "work_mem=64MB" }, (string[])expected[0][1]!);
        Assert.Equal(new[] { "myapp.tenant=a'b" }, (string[])expected[1][1]!);
    }

    [Fact]
    public async Task A_failure_on_the_target_names_the_role_and_leaves_the_target_unchanged()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_atomic");
        var p = Prefix();
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {p}a; CREATE ROLE {p}b SUPERUSER");
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {p}admin LOGIN CREATEROLE PASSWORD 'admin-pw'");
        var target = Target(new NpgsqlConnectionStringBuilder(db.Target) { Username = $"{p}admin", Password = "admin-pw" }.ConnectionString);

        var e = await Assert.ThrowsAsync<PgCloneException>(() =>
            new RoleCloner().CloneAsync(Source(db.Source), target, new RoleCloneOptions { Roles = [$"{p}a", $"{p}b"] }));

        Assert.Equal($"{target.Describe()}: role \"{p}b\": must be superuser to create superusers", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, $"SELECT count(*) FROM pg_roles WHERE rolname IN ('{p}a', '{p}b')"));
    }

    [Fact]
    public async Task Only_the_listed_roles_are_cloned()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_sel");
        var p = Prefix();
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {p}a; CREATE ROLE {p}b; CREATE ROLE {p}c");

        var result = await CloneAsync(db, new RoleCloneOptions { Roles = [$"{p}c", $"{p}a"] });

        Assert.Equal([$"{p}a", $"{p}c"], result.Created.Select(a => a.Name));
        Assert.Equal([[$"{p}a"], [$"{p}c"]], await PgServers.RowsAsync(db.Target,
            $"SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, '{p}') ORDER BY 1"));
    }

    [Fact]
    public async Task Listing_a_missing_or_system_role_is_an_error_naming_the_server()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_err");
        var source = Source(db.Source);
        var missing = Prefix() + "nope";
        var e1 = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(db, new RoleCloneOptions { Roles = [missing] }));
        Assert.Equal($"{source.Describe()}: role \"{missing}\": does not exist", e1.Message);
        var e2 = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(db, new RoleCloneOptions { Roles = ["pg_monitor"] }));
        Assert.Equal($"{source.Describe()}: role \"pg_monitor\": is a system role (pg_* or the bootstrap superuser) and is not cloned", e2.Message);
    }

    [Fact]
    public async Task A_filter_that_selects_no_role_is_an_error_not_an_empty_success()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_none");
        var source = Source(db.Source);
        var p = Prefix();
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {p}app");
        var e1 = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(db, new RoleCloneOptions { NamePrefix = p + "zz" }));
        Assert.Equal($"{source.Describe()}: no role to clone: no role on the source (but system roles) has a name starting with '{p}zz'", e1.Message);
        var e2 = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(db, new RoleCloneOptions { Roles = [$"{p}app"], NamePrefix = p + "zz" }));
        Assert.Equal($"{source.Describe()}: no role to clone: none of the roles named (\"{p}app\") starts with '{p}zz'", e2.Message);
        Assert.Empty(await PgServers.RowsAsync(db.Target, $"SELECT 1 FROM pg_roles WHERE starts_with(rolname, '{p}')"));
    }

    [Fact]
    public async Task No_passwords_mode_creates_roles_without_a_password_and_keeps_an_existing_one()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_nopw");
        var p = Prefix();
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {p}new LOGIN PASSWORD 'src-pw'; CREATE ROLE {p}old LOGIN PASSWORD 'src-pw'");
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {p}old LOGIN PASSWORD 'target-pw'");

        var result = await CloneAsync(db, new RoleCloneOptions { NamePrefix = p, NoPasswords = true });

        Assert.Equal("1 roles created, 1 updated, 0 grants applied", result.Summary);
        Assert.DoesNotContain("PASSWORD", result.Created[0].Statement + result.Updated[0].Statement);
        Assert.Null((await PgServers.RowsAsync(db.Target, $"SELECT rolpassword FROM pg_authid WHERE rolname = '{p}new'"))[0][0]);
        Assert.Equal($"{p}old", await LoginAsync(db.Target, $"{p}old", "target-pw"));
    }

    [Fact]
    public async Task A_non_superuser_source_fails_with_a_hint_unless_passwords_are_skipped()
    {
        var db = await fx.Servers.CreateDatabasesAsync("roles_nosu");
        var p = Prefix();
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {p}reader LOGIN PASSWORD 'reader-pw'; CREATE ROLE {p}x LOGIN PASSWORD 'x-pw'");
        var csb = new NpgsqlConnectionStringBuilder(db.Source) { Username = $"{p}reader", Password = "reader-pw" };
        var source = Source(csb.ConnectionString);

        var e = await Assert.ThrowsAsync<PgCloneException>(() =>
            new RoleCloner().CloneAsync(source, Target(db.Target), new RoleCloneOptions { Roles = [$"{p}x"] }));
        Assert.Equal($"{source.Describe()}: reading password hashes requires a superuser (SELECT on pg_authid): " +
                     "connect to the source as a superuser, or pass --no-passwords to clone roles without passwords", e.Message);

        var result = await new RoleCloner().CloneAsync(source, Target(db.Target), new RoleCloneOptions { Roles = [$"{p}x"], NoPasswords = true });
        Assert.Equal("1 roles created, 0 updated, 0 grants applied", result.Summary);
    }
}
