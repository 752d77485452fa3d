using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

/// <summary>The executor on plans made by the real planner.</summary>
public sealed class PlannedCloneTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_schema_of_six_hundred_tables_clones_in_parallel_with_exact_row_counts_and_keys()
    {
        var db = await fx.Servers.CreateDatabasesAsync("many");
        const int count = 600;
        await PgServers.ExecAsync(db.Source, $$"""
            CREATE SCHEMA app;
            DO $$ BEGIN FOR i IN 1..{{count}} LOOP
              EXECUTE format('CREATE TABLE app.t%s(id int PRIMARY KEY, v text)', i);
              EXECUTE format('INSERT INTO app.t%s SELECT g, ''v'' || g FROM generate_series(1, %s) g', i, i % 7);
            END LOOP; END $$;
            """);
        var request = new CloneRequest(CloneOperation.Schema, ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target),
            "app", Options: new CloneOptions { Parallel = 4 });
        var progress = new List<JobProgress>();

        var result = await new CloneEngine().RunAsync(request, new CloneRunOptions { OnProgress = progress.Add });

        Assert.Equal(count, result.Tables.Count);
        Assert.Equal(Enumerable.Range(1, count).Sum(i => i % 7), result.Rows);
        var counts = await PgServers.RowsAsync(db.Target, string.Join(" UNION ALL ", Enumerable.Range(1, count).Select(i => $"SELECT {i}, count(*) FROM app.t{i}")));
        Assert.All(counts, r => Assert.Equal((long)((int)r[0]! % 7), (long)r[1]!));
        Assert.All(result.Tables, t => Assert.Equal(int.Parse(t.Table.Name[1..]) % 7, t.Rows));
        Assert.Equal(count, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'app' AND contype = 'p'"));
        var last = progress[^1];
        Assert.Equal((JobStatus.Completed, count, 0, result.Rows, result.Bytes), (last.Status, last.TablesCompleted, last.TablesFailed, last.RowsCopied, last.BytesCopied));
    }

    [Fact]
    public async Task Foreign_key_cycles_added_by_parallel_workers_all_arrive()
    {
        // Each pair references the other both ways: two workers adding a pair's keys at once lock the two tables
        // in opposite orders, which PostgreSQL resolves by aborting one of them as a deadlock victim.
        var db = await fx.Servers.CreateDatabasesAsync("fkcycle");
        const int pairs = 30;
        await PgServers.ExecAsync(db.Source, $$"""
            CREATE SCHEMA app;
            DO $$ BEGIN FOR i IN 1..{{pairs}} LOOP
              EXECUTE format('CREATE TABLE app.a%s(id int PRIMARY KEY, b_id int)', i);
              EXECUTE format('CREATE TABLE app.b%s(id int PRIMARY KEY, a_id int REFERENCES app.a%s)', i, i);
              EXECUTE format('ALTER TABLE app.a%s ADD FOREIGN KEY (b_id) REFERENCES app.b%s', i, i);
              EXECUTE format('ALTER TABLE app.a%s ADD CONSTRAINT a%s_self FOREIGN KEY (b_id) REFERENCES app.b%s', i, i, i);
              EXECUTE format('ALTER TABLE app.b%s ADD CONSTRAINT b%s_self FOREIGN KEY (a_id) REFERENCES app.a%s', i, i, i);
              EXECUTE format('INSERT INTO app.a%s SELECT g, NULL FROM generate_series(1, 50) g', i);
              EXECUTE format('INSERT INTO app.b%s SELECT g, g FROM generate_series(1, 50) g', i);
              EXECUTE format('UPDATE app.a%s SET b_id = id', i);
            END LOOP; END $$;
            """);
        var request = new CloneRequest(CloneOperation.Schema, ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target),
            "app", Options: new CloneOptions { Parallel = 4 });

        var result = await new CloneEngine().RunAsync(request);

        Assert.Equal(2 * pairs, result.Tables.Count);
        Assert.Equal(4L * pairs, await PgServers.ScalarAsync<long>(db.Target,
            "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'app' AND contype = 'f' AND convalidated"));
    }

    [Fact]
    public async Task Database_create_makes_the_target_database_then_clones_into_it()
    {
        var db = await fx.Servers.CreateDatabasesAsync("dbcreate");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE a(id int PRIMARY KEY, v text); INSERT INTO a SELECT g, md5(g::text) FROM generate_series(1, 500) g");
        var newName = db.Name + "_new";
        var request = new CloneRequest(CloneOperation.DatabaseCreate, ServerEndpoint.Parse(ServerRole.Source, db.Source),
            ServerEndpoint.Parse(ServerRole.Target, PgServers.WithDatabase(fx.Servers.TargetAdmin, "postgres")), Options: new CloneOptions { TargetName = newName });

        var result = await new CloneEngine().RunAsync(request);

        Assert.Equal(500, result.Rows);
        var target = PgServers.WithDatabase(fx.Servers.TargetAdmin, newName);
        Assert.Equal(await HandPlans.ChecksumAsync(db.Source, "a", "id"), await HandPlans.ChecksumAsync(target, "a", "id"));
    }
}
