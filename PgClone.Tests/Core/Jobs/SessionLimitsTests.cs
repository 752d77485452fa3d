using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

/// <summary>
/// Timeouts a database or role gives its sessions (common on shared servers) do not cancel a clone halfway: its
/// sessions lift them, as pg_dump's script does.
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
        var slow = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => PgServers.ExecAsync(db.Target + ";Pooling=false", "SELECT pg_sleep(0.3)"));
        Assert.Equal("canceling statement due to statement timeout", slow.MessageText);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Parallel = 2 });

        Assert.Equal(6, Assert.Single(result.Tables).Rows);
        Assert.Equal(await CloneKit.ChecksumsAsync(db.Source, "s"), await CloneKit.ChecksumsAsync(db.Target, "s"));
    }
}
