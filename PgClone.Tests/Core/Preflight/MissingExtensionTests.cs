using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Core.Preflight;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Preflight;

/// <summary>
/// An extension the source has and the target cannot install: found before anything changes, by the preflight and by
/// the clone. On clusters of their own, whose private installation holds the test extension's files only while the
/// source creates it (the installed server's share directory is left alone).
/// </summary>
public sealed class MissingExtensionTests(SourceOnlyExtensionServers servers) : IClassFixture<SourceOnlyExtensionServers>
{
    private static string Target(TestDatabases db) => ServerEndpoint.Parse(ServerRole.Target, db.Target).Describe();

    [Fact]
    public async Task A_missing_extension_and_an_existing_table_under_conflict_error_are_blockers_and_the_clone_refuses_with_the_same_list()
    {
        var db = await servers.CreateDatabasesAsync("pfblock");
        var name = $"pgc_fake_{Guid.NewGuid():N}";
        await servers.WithFakeExtensionAsync(name, () => PgServers.ExecAsync(db.Source,
            $"CREATE SCHEMA s; CREATE EXTENSION {name} WITH SCHEMA s; CREATE TABLE s.t (id int DEFAULT s.{name}_answer()); CREATE TABLE s.u (id int)"));
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA s; CREATE TABLE s.t (x text)");
        var request = CloneKit.Request(db, CloneOperation.Schema, "s");

        var report = await PreflightRunner.RunAsync(request, null);

        Assert.Equal(PreflightStatus.Blocker, report.Status);
        var target = request.Target.Describe();
        Assert.Equal(
        [
            new PreflightCheck("extension", PreflightStatus.Blocker, "is not available on the target server (not in pg_available_extensions); install it there first", $"extension \"{name}\""),
            new PreflightCheck("conflict", PreflightStatus.Blocker, "already exists (conflict strategy is error; nothing was changed)", "table \"s\".\"t\""),
        ], report.Blockers.Select(b => b with { Error = null }));

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request));
        Assert.Equal($"preflight found 2 blockers: [extension] extension \"{name}\": is not available on the target server (not in pg_available_extensions); " +
                     "install it there first; [conflict] table \"s\".\"t\": already exists (conflict strategy is error; nothing was changed) " +
                     "(to go on over what exists, choose the conflict strategy skip, replace or rename)", e.Message);
        Assert.Equal([["t"]], await PgServers.RowsAsync(db.Target, "SELECT relname::text FROM pg_class WHERE relnamespace = 's'::regnamespace"));
        Assert.Contains(target, report.Blockers[1].Error!.Message);
    }

    [Fact]
    public async Task An_extension_the_target_cannot_install_fails_before_anything_changes()
    {
        var db = await servers.CreateDatabasesAsync("errors");
        var name = $"pgc_fake_{Guid.NewGuid():N}";
        await servers.WithFakeExtensionAsync(name, () => PgServers.ExecAsync(db.Source,
            $"CREATE SCHEMA s; CREATE EXTENSION {name} WITH SCHEMA s; CREATE TABLE s.t (id int DEFAULT s.{name}_answer()); INSERT INTO s.t DEFAULT VALUES"));

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s"));

        Assert.Equal($"{Target(db)}: extension \"{name}\": is not available on the target server (not in pg_available_extensions); install it there first", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, $"SELECT count(*) FROM pg_extension WHERE extname = '{name}'"));
    }
}
