using System.Diagnostics;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>Failures the user can act on: exact messages naming the server and the object; the target untouched.</summary>
public sealed class ErrorTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private static string Source(TestDatabases db) => ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
    private static string Target(TestDatabases db) => ServerEndpoint.Parse(ServerRole.Target, db.Target).Describe();

    [Fact]
    public async Task Missing_schema_is_named_on_the_source()
    {
        var db = await fx.Servers.CreateDatabasesAsync("errors");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "nope"));
        Assert.Equal($"{Source(db)}: schema \"nope\" does not exist", e.Message);
    }

    [Fact]
    public async Task Missing_table_is_named_on_the_source()
    {
        var db = await fx.Servers.CreateDatabasesAsync("errors");
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA s");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "Nope"));
        Assert.Equal($"{Source(db)}: table \"s\".\"Nope\" does not exist", e.Message);
    }

    [Fact]
    public async Task An_existing_table_on_the_target_is_named_with_the_target_server()
    {
        var db = await fx.Servers.CreateDatabasesAsync("errors");
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA s; CREATE TABLE s.t (id int); INSERT INTO s.t VALUES (1)");
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA s; CREATE TABLE s.t (id int)");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t"));
        Assert.Equal($"{Target(db)}: table \"s\".\"t\": already exists (conflict strategy is error; nothing was changed)", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.t"));
    }

    [Fact]
    public async Task An_extension_the_target_cannot_install_fails_before_anything_changes()
    {
        var db = await fx.Servers.CreateDatabasesAsync("errors");
        var name = $"pgc_fake_{Guid.NewGuid():N}";
        var dir = Path.Combine(await SharedirAsync(), "extension");
        var control = Path.Combine(dir, $"{name}.control");
        var script = Path.Combine(dir, $"{name}--1.0.sql");
        try
        {
            await File.WriteAllTextAsync(control, "default_version = '1.0'\nrelocatable = true\ncomment = 'pgclone test extension'\n");
            await File.WriteAllTextAsync(script, $"CREATE FUNCTION {name}_answer() RETURNS int LANGUAGE sql AS 'SELECT 42';\n");
            await PgServers.ExecAsync(db.Source, $"CREATE SCHEMA s; CREATE EXTENSION {name} WITH SCHEMA s; CREATE TABLE s.t (id int DEFAULT s.{name}_answer()); INSERT INTO s.t DEFAULT VALUES");
        }
        finally
        {
            File.Delete(control);
            File.Delete(script);
        }

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s"));

        Assert.Equal($"{Target(db)}: extension \"{name}\": is not available on the target server (not in pg_available_extensions); install it there first", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, $"SELECT count(*) FROM pg_extension WHERE extname = '{name}'"));
    }

    private static async Task<string> SharedirAsync()
    {
        var psi = new ProcessStartInfo("/usr/lib/postgresql/15/bin/pg_config", "--sharedir") { RedirectStandardOutput = true };
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }
}
