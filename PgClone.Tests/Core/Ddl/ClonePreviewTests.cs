using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>The wizard's summary: what a schema clone would copy and which target objects are in its way, changing nothing.</summary>
public sealed class ClonePreviewTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string SourceSql = """
        CREATE SCHEMA s;
        CREATE TABLE s.t (id serial PRIMARY KEY, v text);
        INSERT INTO s.t (v) SELECT 'row ' || g FROM generate_series(1, 500) g;
        CREATE TABLE s."Odd name" (id int PRIMARY KEY);
        INSERT INTO s."Odd name" SELECT g FROM generate_series(1, 20) g;
        CREATE FUNCTION s.f(x int) RETURNS text LANGUAGE sql AS $$SELECT 'new'$$;
        ANALYZE s.t; ANALYZE s."Odd name";
        """;

    private const string TargetSql = """
        CREATE SCHEMA s;
        CREATE TABLE s.t (id serial PRIMARY KEY, v text);
        INSERT INTO s.t (v) VALUES ('old');
        CREATE FUNCTION s.f(x int) RETURNS text LANGUAGE sql AS $$SELECT 'old'$$;
        """;

    private async Task<(TestDatabases Db, CloneRequest Request)> ArrangeAsync(ConflictStrategy strategy)
    {
        var db = await fx.Servers.CreateDatabasesAsync("preview");
        await PgServers.ExecAsync(db.Source, SourceSql);
        await PgServers.ExecAsync(db.Target, TargetSql);
        return (db, CloneKit.Request(db, CloneOperation.Schema, "s", options: new CloneOptions { Conflict = strategy }));
    }

    [Fact]
    public async Task Under_error_it_lists_every_conflict_and_the_failure_the_run_would_stop_with()
    {
        var (db, request) = await ArrangeAsync(ConflictStrategy.Error);

        var preview = await ClonePreview.PlanAsync(request, null, CancellationToken.None);

        Assert.Equal(["table \"s\".\"t\"", "function \"s\".\"f\"(x integer)"], preview.Conflicts);
        var target = ServerEndpoint.Parse(ServerRole.Target, db.Target).Describe();
        Assert.Equal($"{target}: table \"s\".\"t\": already exists (conflict strategy is error; nothing was changed)", preview.Blocker);
        Assert.Empty(preview.Skipped);
        // The run itself refuses through its preflight, which lists both.
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: request.Options));
        Assert.Equal("preflight found 2 blockers: [conflict] table \"s\".\"t\": already exists (conflict strategy is error; nothing was changed); " +
                     "[conflict] function \"s\".\"f\"(x integer): already exists (conflict strategy is error; nothing was changed)", e.Message);
    }

    [Fact]
    public async Task Under_replace_it_lists_the_tables_with_estimates_and_changes_nothing()
    {
        var (db, request) = await ArrangeAsync(ConflictStrategy.Replace);

        var preview = await ClonePreview.PlanAsync(request, null, CancellationToken.None);

        Assert.Null(preview.Blocker);
        Assert.Equal(ConflictStrategy.Replace, preview.Strategy);
        Assert.Equal(["table \"s\".\"t\"", "function \"s\".\"f\"(x integer)"], preview.Conflicts);
        Assert.Equal([(new QualifiedName("s", "t"), 500L), (new QualifiedName("s", "Odd name"), 20L)],
            preview.Tables.Select(t => (t.Source, t.EstimatedRows)));
        Assert.Equal(520L, preview.EstimatedRows);
        Assert.True(preview.EstimatedBytes > 0);
        Assert.True(preview.Statements > 0);
        Assert.Equal([["old"]], await PgServers.RowsAsync(db.Target, "SELECT v FROM s.t"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 'Odd name'"));
    }

    [Fact]
    public async Task Database_create_into_a_new_database_plans_against_an_empty_database()
    {
        var (db, _) = await ArrangeAsync(ConflictStrategy.Error);
        var name = $"{db.Name}_new";
        var request = CloneKit.Request(db, CloneOperation.DatabaseCreate, options: new CloneOptions { TargetName = name });

        var preview = await ClonePreview.PlanAsync(request, null, CancellationToken.None);

        Assert.Empty(preview.Conflicts);
        Assert.Null(preview.Blocker);
        Assert.Equal(2, preview.Tables.Count);
        Assert.False(await PgServers.ScalarAsync<bool>(db.Target, $"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}')"));
    }
}
