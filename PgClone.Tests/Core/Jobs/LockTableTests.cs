using PgClone.Core;
using PgClone.Core.LocalServer;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

/// <summary>
/// A database of many tables on a source whose lock table is small (max_locks_per_transaction × backends): the
/// run's source sessions hold one lock per table read, not one per table and index for the whole run, so it
/// clones where it used to fail with "out of shared memory" (pg_dump takes one lock per table too).
/// </summary>
public sealed class LockTableTests(PgServersFixture fx) : IClassFixture<PgServersFixture>, IAsyncLifetime
{
    private const int Tables = 400;
    private string _root = "";
    private LocalCluster _source = null!;

    public async Task InitializeAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), $"pgclone-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        _source = await LocalCluster.OpenAsync(Path.Combine(_root, "source"), "pgclone-test");
        // 16 locks × (10 connections + 3 autovacuum + 1 + 8 worker processes + 10 WAL senders) = 512 lock slots.
        await _source.StartAsync(0, new Dictionary<string, string>
        {
            ["fsync"] = "off", ["max_connections"] = "10", ["max_locks_per_transaction"] = "16", ["shared_buffers"] = "32MB",
        });
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch { /* best effort */ }
    }

    [Fact]
    public async Task A_database_of_more_tables_and_indexes_than_the_source_lock_table_holds_at_once_clones()
    {
        var name = $"locks_{Guid.NewGuid():N}"[..18];
        await PgServers.ExecAsync(CrashableServers.Unpooled(_source), $"CREATE DATABASE {name}");
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE DATABASE {name}");
        var db = new TestDatabases(name, CrashableServers.Unpooled(_source, name), PgServers.WithDatabase(fx.Servers.TargetAdmin, name));
        // Each table with two indexes: reading all of them with SELECT in one transaction per worker took 3 locks a table.
        for (var start = 1; start <= Tables; start += 100)
            await PgServers.ExecAsync(db.Source, string.Concat(Enumerable.Range(start, 100).Select(i =>
                $"CREATE TABLE t{i} (id int PRIMARY KEY, name text); CREATE INDEX ON t{i} (name); INSERT INTO t{i} VALUES ({i}, 'n{i}');")));

        var result = await CloneKit.CloneAsync(db, CloneOperation.Database, options: new CloneOptions { Parallel = 2 });

        Assert.Equal(Tables, result.Tables.Count);
        Assert.Equal(Tables, await PgServers.ScalarAsync<long>(db.Target,
            $"SELECT sum((xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM ' || oid::regclass, false, true, '')))[1]::text::int) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"));
        Assert.Equal(2L * Tables, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"));
    }

    /// <summary>
    /// The run's ACCESS SHARE locks take a slot of the lock table per table until the data is in: more tables than half
    /// of it holds are cloned as before, without them (taking them all would fail every session of the server wanting a
    /// lock meanwhile with "out of shared memory"), and the run says so.
    /// </summary>
    [Fact]
    public async Task A_database_of_more_tables_than_the_source_lock_table_holds_is_cloned_without_locking_them_saying_so()
    {
        const int many = 2000;
        var name = $"unlocked_{Guid.NewGuid():N}"[..18];
        await PgServers.ExecAsync(CrashableServers.Unpooled(_source), $"CREATE DATABASE {name}");
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE DATABASE {name}");
        var db = new TestDatabases(name, CrashableServers.Unpooled(_source, name), PgServers.WithDatabase(fx.Servers.TargetAdmin, name));
        for (var start = 1; start <= many; start += 200)
            await PgServers.ExecAsync(db.Source, string.Concat(Enumerable.Range(start, 200).Select(i => $"CREATE TABLE t{i} (id int); INSERT INTO t{i} VALUES ({i});")));

        var result = await CloneKit.CloneAsync(db, CloneOperation.Database, options: new CloneOptions { Parallel = 2 });

        Assert.Equal(many, result.Tables.Count);
        Assert.Contains("the source's tables were not locked during the run, as pg_dump locks them: 2,000 tables are more than half of the 512 locks its lock " +
            "table holds (max_locks_per_transaction × sessions), which its other sessions share; raise max_locks_per_transaction there to have them locked. " +
            "A table dropped, truncated or rewritten on the source before its copy fails the run", result.Notes);
        Assert.Equal(many, await PgServers.ScalarAsync<long>(db.Target,
            $"SELECT sum((xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM ' || oid::regclass, false, true, '')))[1]::text::int) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"));
    }
}
