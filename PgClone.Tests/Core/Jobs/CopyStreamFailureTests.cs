using System.Diagnostics;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Jobs;

/// <summary>
/// A table's COPY failing on one side: the source's and the target's COPY start side by side, so each side's
/// failure must end the other's: nothing commits on the target, and the source is not read to the end first.
/// </summary>
public sealed class CopyStreamFailureTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_source_refusing_the_read_fails_the_run_naming_the_table_and_leaves_nothing_of_it_on_the_target(bool checkpoint)
    {
        // The target's COPY, already open when the source refuses, must not commit.
        var db = await fx.Servers.CreateDatabasesAsync("copyrefused");
        var role = $"reader_{Guid.NewGuid():N}"[..20];
        await PgServers.ExecAsync(db.Source, $"""
            CREATE TABLE secret(id int PRIMARY KEY, v text);
            INSERT INTO secret SELECT g, 'v' || g FROM generate_series(1, 50) g;
            CREATE TABLE seen(id int PRIMARY KEY);
            INSERT INTO seen SELECT generate_series(1, 50);
            CREATE ROLE {role} LOGIN PASSWORD 'pw';
            GRANT SELECT ON seen TO {role};
            """);
        var source = new Npgsql.NpgsqlConnectionStringBuilder(db.Source) { Username = role, Password = "pw" };
        var request = Request(db, new CloneOptions { Parallel = 1 }) with
        {
            Source = ServerEndpoint.Parse(ServerRole.Source, source.ConnectionString, "src"),
        };
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request,
            new CloneRunOptions { Preflight = false, Checkpoints = checkpoint ? new InMemoryCheckpointStore() : null }));

        Assert.Equal($"{request.Source.Describe()}: table \"public\".\"secret\": permission denied for table secret", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 'secret'"));
        // The target's session was left usable: nothing is stuck in a COPY or a transaction.
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"));
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("text")]
    public async Task A_target_refusing_a_row_stops_the_sources_read_at_once_instead_of_reading_the_table_to_its_end(string format)
    {
        var db = await fx.Servers.CreateDatabasesAsync("copystop");
        // Reading the source takes 2 ms a row (a filter calling a slow immutable function): 30 s for the whole table.
        // Rows of 2 kB fill the servers' and the driver's 8 kB buffers at once, so the rows reach the target as read.
        // A column of a type without a binary form (aclitem) makes the copy text.
        await PgServers.ExecAsync(db.Source, $"""
            CREATE FUNCTION slow(i int) RETURNS boolean IMMUTABLE LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.002); RETURN true; END$$;
            CREATE TABLE t(id int PRIMARY KEY, v text{(format == "text" ? ", a aclitem" : "")});
            INSERT INTO t SELECT g, repeat('v', 2000) FROM generate_series(1, 15000) g;
            """);
        // The target adds a CHECK to the table the clone creates, which the 100th row breaks.
        await PgServers.ExecAsync(db.Target, """
            CREATE FUNCTION add_check() RETURNS event_trigger LANGUAGE plpgsql AS $$
            DECLARE r record;
            BEGIN
              FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' LOOP
                EXECUTE format('ALTER TABLE %s ADD CONSTRAINT early CHECK (id < 100)', r.object_identity);
              END LOOP;
            END$$;
            CREATE EVENT TRIGGER add_check ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION add_check();
            """);
        var request = CloneKit.Request(db, CloneOperation.Table, "public", "t", new CloneOptions { Where = "public.slow(id)" });
        var clock = Stopwatch.StartNew();
        // Every copy is watched (by default only those above 64 MB).
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request,
            new CloneRunOptions { Preflight = false, WatchCopiesLargerThan = 0 }));
        clock.Stop();

        Assert.Equal($"{request.Target.Describe()}: table \"public\".\"t\": new row for relation \"t\" violates check constraint \"early\"", e.Message);
        // The source's COPY was stopped: the run ended long before the table could have been read (30 s).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the run took {clock.Elapsed}");
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Source,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'COPY%' AND state = 'active'"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 't'"));
    }

    [Fact]
    public async Task A_watched_copy_that_succeeds_copies_every_row_and_its_watch_session_closes_when_the_load_ends()
    {
        var db = await fx.Servers.CreateDatabasesAsync("copywatched");
        // A copy of about 2 s (the watch looks at it twice), then an index build of about 1.5 s.
        await PgServers.ExecAsync(db.Source, """
            CREATE FUNCTION slow(i int) RETURNS boolean IMMUTABLE LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.002); RETURN true; END$$;
            CREATE FUNCTION slow_key(i int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.0015); RETURN i; END$$;
            CREATE TABLE t(id int PRIMARY KEY, v text);
            INSERT INTO t SELECT g, repeat(md5(g::text), 60) FROM generate_series(1, 1000) g;
            CREATE INDEX t_slow ON t (slow_key(id));
            """);
        // A table clone copies no function: the index's is made on the target beforehand.
        await PgServers.ExecAsync(db.Target,
            "CREATE FUNCTION slow_key(i int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.0015); RETURN i; END$$");
        var request = CloneKit.Request(db, CloneOperation.Table, "public", "t", new CloneOptions { Where = "public.slow(id)", Parallel = 1 });
        // The index is a step after the load (not built in the copy's transaction, as a small table's would be).
        var run = new CloneEngine().RunAsync(request, new CloneRunOptions { Preflight = false, WatchCopiesLargerThan = 0, StepsInCopyTransactionUpTo = 0 });

        const string Watching = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'pgclone % watch'";
        await WaitForAsync(db.Target, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'COPY \"public\".\"t\"%' AND state = 'active'");
        await WaitForAsync(db.Target, Watching, n => n == 1);
        await WaitForAsync(db.Target, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%CREATE INDEX \"t_slow\"%' AND state = 'active'");
        // Closed with the load (its backend may take a moment to leave pg_stat_activity), while the build still runs.
        await WaitForAsync(db.Target, Watching, n => n == 0);
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%CREATE INDEX \"t_slow\"%' AND state = 'active' AND backend_type = 'client backend'"));
        var result = await run;

        Assert.Equal(1000L, result.Tables.Single().Rows);
        Assert.Equal(await ChecksumAsync(db.Source, "t", "id"), await ChecksumAsync(db.Target, "t", "id"));
    }

    /// <summary>Waits (up to 30 s) until what <paramref name="countSql"/> counts meets <paramref name="until"/> (by default: something).</summary>
    private static async Task WaitForAsync(string cs, string countSql, Func<long, bool>? until = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(until ?? (n => n > 0))(await PgServers.ScalarAsync<long>(cs, countSql)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"still not met: {countSql}");
            await Task.Delay(20);
        }
    }
}
