using Npgsql;
using PgClone.Core;
using PgClone.Core.Ddl;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Catalog;

/// <summary>
/// The planner's catalog reads split over two source sessions in one snapshot (the run's coordinator and a helper)
/// plan exactly what one session plans; the helper reads in the snapshot, not after it; a helper that cannot open,
/// opens late or loses its session leaves its reads to the coordinator.
/// </summary>
public sealed class CatalogHelperTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Reads_split_over_a_helper_in_the_snapshot_plan_what_one_session_plans()
    {
        var db = await fx.Servers.CreateDatabasesAsync("catalog_helper");
        await CloneKit.LoadAsync(db.Source, "rich.sql");
        await CloneKit.LoadAsync(db.Source, "allkinds.sql");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE public.probe (id int)");
        var request = CloneKit.Request(db, CloneOperation.Database);
        await using var main = await OpenAsync(db.Source, InSnapshot(null));
        string snapshot;
        await using (var export = new NpgsqlCommand("SELECT pg_export_snapshot()", main)) snapshot = (string)(await export.ExecuteScalarAsync())!;
        await using var target = await OpenAsync(db.Target, null);
        // Made after the snapshot: a read in the snapshot does not see it. The constraints are the first read a helper
        // takes, and one open from the start takes it before the coordinator's own reads are done.
        await PgServers.ExecAsync(db.Source, "ALTER TABLE public.probe ADD CONSTRAINT probe_positive CHECK (id > 0)");

        var alone = Describe(await PlanAsync(request, main, target, null));
        await using var helper = await OpenAsync(db.Source, InSnapshot(snapshot));
        var split = Describe(await PlanAsync(request, main, target, Task.FromResult(helper)));
        var refused = Describe(await PlanAsync(request, main, target, Task.FromException<NpgsqlConnection>(new PgCloneException("too many connections"))));
        // A helper reading in its own (later) snapshot: the constraints it reads hold the later one.
        await using var outside = await OpenAsync(db.Source, InSnapshot(null));
        var later = Describe(await PlanAsync(request, main, target, Task.FromResult(outside)));
        // One that opens only once the coordinator's reads are long over finds none left to take: the coordinator took
        // them all (its plan has no trace of the later snapshot).
        var late = Describe(await PlanAsync(request, main, target, OpenLateAsync(outside)));
        // One whose session is gone when it reads: the coordinator reads again what it failed, and the plan is whole.
        await using var lost = await OpenAsync(db.Source, InSnapshot(snapshot));
        await TerminateAsync(db.Source, lost);
        var afterLoss = Describe(await PlanAsync(request, main, target, Task.FromResult(lost)));

        Assert.Contains("CREATE AGGREGATE", alone);
        Assert.Equal(alone, split);
        Assert.Equal(alone, refused);
        var added = Assert.Single(later.Split('\n').Except(alone.Split('\n')));
        Assert.Contains("CONSTRAINT \"probe_positive\" CHECK ((id > 0))", added);
        Assert.Equal(alone, late);
        Assert.Equal(alone, afterLoss);
    }

    private static async Task TerminateAsync(string cs, NpgsqlConnection victim)
    {
        await using var admin = new NpgsqlConnection(cs);
        await admin.OpenAsync();
        await using var kill = new NpgsqlCommand(
            "SELECT pg_terminate_backend($1, 5000)", admin) { Parameters = { new NpgsqlParameter { Value = victim.ProcessID } } };
        Assert.True((bool)(await kill.ExecuteScalarAsync())!);
    }

    private static async Task<NpgsqlConnection> OpenLateAsync(NpgsqlConnection conn)
    {
        await Task.Delay(TimeSpan.FromSeconds(3));
        return conn;
    }

    /// <summary>A source session as the engine's: REPEATABLE READ READ ONLY, search_path = pg_catalog, in <paramref name="snapshot"/> when given.</summary>
    private static string InSnapshot(string? snapshot) =>
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; " + (snapshot is null ? "" : $"SET TRANSACTION SNAPSHOT '{snapshot}'; ") + "SET LOCAL search_path = pg_catalog";

    private static Task<ClonePlan> PlanAsync(CloneRequest request, NpgsqlConnection source, NpgsqlConnection target, Task<NpgsqlConnection>? helper) =>
        ClonePlanner.PlanAsync(request, source, target, null, null, null, CancellationToken.None, helper);

    /// <summary>Every statement of the plan, in order, and each table's copy.</summary>
    private static string Describe(ClonePlan plan) => string.Join("\n",
        plan.PreData.Concat(plan.Indexes).Concat(plan.Constraints).Concat(plan.PostData).Select(s => s.Sql)
            .Concat(plan.Tables.Select(t => $"{t.Target}: {string.Join(", ", t.SourceExpressions)} | {string.Join("; ", t.Create.Select(c => c.Sql))}")));

    private static async Task<NpgsqlConnection> OpenAsync(string cs, string? setup)
    {
        var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        if (setup is not null)
            await using (var cmd = new NpgsqlCommand(setup, conn)) await cmd.ExecuteNonQueryAsync();
        return conn;
    }
}
