using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

/// <summary>
/// Settings a database or role gives its sessions do not change a clone: timeouts (common on shared servers) would
/// cancel it halfway, standard_conforming_strings = off would read its literals' backslashes as escapes, another
/// default tablespace or table access method would put its tables elsewhere or make them another kind. Its sessions set them as pg_dump's script does.
/// </summary>
public sealed class SessionLimitsTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_target_database_with_a_short_statement_timeout_and_idle_timeouts_is_cloned_into_whole()
    {
        var db = await fx.Servers.CreateDatabasesAsync("limits");
        // Each row's CHECK sleeps 50 ms: the COPY of 6 rows takes 300 ms on the target, past its statement_timeout.
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE FUNCTION s.slow_ok(v int) RETURNS boolean LANGUAGE sql AS 'SELECT pg_sleep(0.05) IS NOT NULL AND v > 0';
            CREATE TABLE s.t (id int PRIMARY KEY CHECK (s.slow_ok(id)), name text);
            INSERT INTO s.t SELECT g, 'n' || g FROM generate_series(1, 6) g;
            """);
        foreach (var limit in new[] { "statement_timeout = '100ms'", "lock_timeout = '100ms'", "idle_in_transaction_session_timeout = '100ms'", "idle_session_timeout = '100ms'" })
            await PgServers.ExecAsync(db.Target, $"ALTER DATABASE {Sql.Ident(db.Name)} SET {limit}");
        // The probes lift the idle timeouts: on a busy machine a probe's session could sit idle 100 ms while it opens.
        var probe = db.Target + ";Pooling=false;Options=-c idle_session_timeout=0 -c idle_in_transaction_session_timeout=0";
        var slow = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => PgServers.ExecAsync(probe, "SELECT pg_sleep(0.3)"));
        Assert.Equal("canceling statement due to statement timeout", slow.MessageText);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Parallel = 2 });

        Assert.Equal(6, Assert.Single(result.Tables).Rows);
        Assert.Equal(await CloneKit.ChecksumsAsync(db.Source, "s"), await CloneKit.ChecksumsAsync(db.Target, "s"));

        // A timeout shorter than the driver's first query (the server's types, read as each connection opens) cancelled
        // the open itself, and an idle-session one ended a session before its first SET: both are lifted at start-up.
        await PgServers.ExecAsync(db.Target, $"ALTER DATABASE {Sql.Ident(db.Name)} SET statement_timeout = '1ms'");
        var open = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => PgServers.ExecAsync(probe, "SELECT count(*) FROM pg_class, pg_attribute"));
        // Cancelled (57014), by the timeout; on a loaded machine a 1 ms timeout can fire as one statement ends, and
        // the server then reports the next one's cancel "due to user request" (its timeout flag already reset).
        Assert.Equal(Npgsql.PostgresErrorCodes.QueryCanceled, open.SqlState);
        await PgServers.ExecAsync(db.Target, $"ALTER DATABASE {Sql.Ident(db.Name)} SET idle_session_timeout = '1ms'");
        result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Parallel = 2, Conflict = ConflictStrategy.Replace });
        Assert.Equal(6, Assert.Single(result.Tables).Rows);
    }

    [Fact]
    public async Task A_target_role_allowing_one_session_fails_the_run_as_its_load_opens_the_second_and_leaves_no_table_nor_session()
    {
        var db = await fx.Servers.CreateDatabasesAsync("onesession");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.a (id int PRIMARY KEY); INSERT INTO s.a SELECT generate_series(1, 20);
            CREATE TABLE s.b (id int PRIMARY KEY); INSERT INTO s.b SELECT generate_series(1, 20);
            """);
        var role = $"one_{Guid.NewGuid():N}"[..20];
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {role} LOGIN PASSWORD 'pw' CONNECTION LIMIT 1; GRANT CREATE ON DATABASE {Sql.Ident(db.Name)} TO {role}");
        var target = new Npgsql.NpgsqlConnectionStringBuilder(db.Target) { Username = role, Password = "pw" };
        var request = CloneKit.Request(db, CloneOperation.Schema, "s", options: new CloneOptions { Parallel = 2 }) with
        {
            Target = ServerEndpoint.Parse(ServerRole.Target, target.ConnectionString, "tgt"),
        };

        // The run's first session plans and creates the schema; the load's second session is refused.
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new PgClone.Core.Jobs.CloneEngine().RunAsync(request));

        Assert.Equal($"{request.Target.Describe()}: too many connections for role \"{role}\": its CONNECTION LIMIT is reached (a run opens one session per parallel worker, and a few more)", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b')"));
        // Every session is closed; a server process leaves pg_stat_activity a moment after its client has gone (on a busy machine, later).
        Assert.Equal(0L, await SessionsLeftAsync(db.Target, $"SELECT count(*) FROM pg_stat_activity WHERE usename = '{role}'"));
        Assert.Equal(0L, await SessionsLeftAsync(db.Source, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"));
    }

    /// <summary>The count of sessions once it reaches 0, or after 5 s.</summary>
    private static async Task<long> SessionsLeftAsync(string cs, string sql)
    {
        var left = await PgServers.ScalarAsync<long>(cs, sql);
        for (var i = 0; i < 50 && left > 0; i++)
        {
            await Task.Delay(100);
            left = await PgServers.ScalarAsync<long>(cs, sql);
        }
        return left;
    }

    [Fact]
    public async Task A_target_database_reading_backslashes_as_escapes_gets_every_definition_and_value_unchanged()
    {
        var db = await fx.Servers.CreateDatabasesAsync("scsoff");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.t (id int PRIMARY KEY, v text DEFAULT 'a\b' CHECK (v <> 'x\y'), w text);
            COMMENT ON TABLE s.t IS 'back\slash ''q''';
            COMMENT ON COLUMN s.t.w IS E'tab\there';
            CREATE VIEW s.v AS SELECT 'c:\dir' AS p, E'\\' AS two;
            CREATE FUNCTION s.f() RETURNS text LANGUAGE sql RETURN 'f\n';
            INSERT INTO s.t VALUES (1, 'z\z', E'new\nline');
            """);
        await PgServers.ExecAsync(db.Target, $"ALTER DATABASE {Sql.Ident(db.Name)} SET standard_conforming_strings = off");

        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s");

        await PgServers.ExecAsync(db.Target, $"ALTER DATABASE {Sql.Ident(db.Name)} RESET standard_conforming_strings");
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source, "-n", "s"), await CloneKit.DumpAsync(db.Target, "-n", "s"));
        Assert.Equal(await CloneKit.ChecksumsAsync(db.Source, "s"), await CloneKit.ChecksumsAsync(db.Target, "s"));
        Assert.Equal(@"a\b", await PgServers.ScalarAsync<string>(db.Target + ";Pooling=false", "INSERT INTO s.t (id) VALUES (2) RETURNING v"));
    }

    [Fact]
    public async Task A_target_database_with_another_default_table_access_method_still_gets_heap_tables_and_views()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tableam");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.t (id int PRIMARY KEY, v text);
            INSERT INTO s.t VALUES (1, 'one');
            CREATE MATERIALIZED VIEW s.m AS SELECT count(*) AS n FROM s.t;
            """);
        await PgServers.ExecAsync(db.Target, $"""
            CREATE ACCESS METHOD "other heap" TYPE TABLE HANDLER heap_tableam_handler;
            ALTER DATABASE {Sql.Ident(db.Name)} SET default_table_access_method = 'other heap';
            """);

        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Parallel = 2 });

        const string methods = "SELECT string_agg(c.relname || ' ' || am.amname, ', ' ORDER BY c.relname) FROM pg_class c JOIN pg_am am ON am.oid = c.relam " +
                               "WHERE c.relnamespace = 's'::regnamespace AND c.relkind IN ('r', 'm')";
        Assert.Equal("m heap, t heap", await PgServers.ScalarAsync<string>(db.Target + ";Pooling=false", methods));
        Assert.Equal(await CloneKit.ChecksumsAsync(db.Source, "s"), await CloneKit.ChecksumsAsync(db.Target, "s"));
    }

    [Fact]
    public async Task A_target_database_with_its_own_default_tablespace_gets_what_the_source_keeps_in_the_database_default()
    {
        var db = await fx.Servers.CreateDatabasesAsync("deftbs");
        var space = $"elsewhere {Guid.NewGuid():N}"[..16];
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.t (id int PRIMARY KEY, v text);
            CREATE INDEX t_v ON s.t (v);
            INSERT INTO s.t VALUES (1, 'one');
            CREATE MATERIALIZED VIEW s.m AS SELECT count(*) AS n FROM s.t;
            """);
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE TABLESPACE {Sql.Ident(space)} LOCATION {Sql.Literal(await fx.Servers.NewServerDirectoryAsync("tablespace"))}");
        await PgServers.ExecAsync(db.Target, $"ALTER DATABASE {Sql.Ident(db.Name)} SET default_tablespace = {Sql.Literal(space)}");

        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Parallel = 2 });

        const string placement = "SELECT string_agg(c.relname || ' ' || c.reltablespace, ', ' ORDER BY c.relname) FROM pg_class c " +
                                 "WHERE c.relnamespace = 's'::regnamespace";
        Assert.Equal("m 0, t 0, t_pkey 0, t_v 0", await PgServers.ScalarAsync<string>(db.Target + ";Pooling=false", placement));
    }

    [Fact]
    public async Task A_read_only_target_database_is_refused_before_anything_in_words_of_its_own()
    {
        var db = await fx.Servers.CreateDatabasesAsync("rotarget");
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA s; CREATE TABLE s.t (id int PRIMARY KEY); INSERT INTO s.t VALUES (1)");
        await PgServers.ExecAsync(db.Target, $"ALTER DATABASE {Sql.Ident(db.Name)} SET default_transaction_read_only = on");
        var request = CloneKit.Request(db, CloneOperation.Schema, "s");

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s"));

        Assert.Equal($"preflight found 1 blocker: [connection.read_only] {request.Target.Describe()} is read-only for user postgres " +
                     "(default_transaction_read_only = on, set for its database or user): turn it off for the clone's user, or give another target", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target + ";Pooling=false", "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));
    }
}
