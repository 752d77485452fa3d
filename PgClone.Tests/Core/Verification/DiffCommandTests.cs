using System.Text.Json;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Verification;

public sealed class DiffCommandTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Diff_exits_0_in_sync_and_2_with_drift_printing_json()
    {
        var db = await fx.Servers.CreateDatabasesAsync("diff_cli");
        const string ddl = "CREATE SCHEMA s; CREATE TABLE s.t(id int PRIMARY KEY, v text)";
        await Task.WhenAll(PgServers.ExecAsync(db.Source, ddl), PgServers.ExecAsync(db.Target, ddl));

        var same = await PgCloneCli.RunAsync("diff", "--source", db.Source, "--target", db.Target, "--schema", "s");
        Assert.Equal("", same.Stderr);
        Assert.Equal(0, same.ExitCode);
        Assert.True(JsonDocument.Parse(same.Stdout).RootElement.GetProperty("in_sync").GetBoolean());

        await PgServers.ExecAsync(db.Target, "ALTER TABLE s.t ALTER COLUMN v SET DEFAULT 'x'");
        var drift = await PgCloneCli.RunAsync("diff", "--source", db.Source, "--target", db.Target, "--schema", "s");
        Assert.Equal(2, drift.ExitCode);
        var json = JsonDocument.Parse(drift.Stdout).RootElement;
        Assert.Equal(1, json.GetProperty("diff_count").GetInt32());
        var modified = json.GetProperty("tables").GetProperty("modified")[0];
        Assert.Equal("(\"id\" integer NOT NULL, \"v\" text)", modified.GetProperty("source").GetString());
        Assert.Equal("(\"id\" integer NOT NULL, \"v\" text DEFAULT 'x'::text)", modified.GetProperty("target").GetString());
        Assert.Contains("\"target\": \"'x'::text\"", drift.Stdout);

        // A grant differs: drift in privileges, unless they are left out (a clone into a database without the roles).
        await PgServers.ExecAsync(db.Target, "ALTER TABLE s.t ALTER COLUMN v DROP DEFAULT; GRANT SELECT ON s.t TO PUBLIC");
        var granted = await PgCloneCli.RunAsync("diff", "--source", db.Source, "--target", db.Target, "--schema", "s");
        Assert.Equal(2, granted.ExitCode);
        var privileges = JsonDocument.Parse(granted.Stdout).RootElement.GetProperty("privileges").GetProperty("modified");
        Assert.Equal("table s.t", Assert.Single(privileges.EnumerateArray()).GetProperty("name").GetString());
        var withoutPrivileges = await PgCloneCli.RunAsync("diff", "--source", db.Source, "--target", db.Target, "--schema", "s", "--no-privileges");
        Assert.Equal(0, withoutPrivileges.ExitCode);
        Assert.False(JsonDocument.Parse(withoutPrivileges.Stdout).RootElement.TryGetProperty("privileges", out _));

        // A default privilege not IN SCHEMA is the database's, which a schema clone does not bring: drift, unless left out.
        await PgServers.ExecAsync(db.Target, "REVOKE SELECT ON s.t FROM PUBLIC");
        await PgServers.ExecAsync(db.Source, "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC");
        var databaseWide = await PgCloneCli.RunAsync("diff", "--source", db.Source, "--target", db.Target, "--schema", "s");
        Assert.Equal(2, databaseWide.ExitCode);
        var withDatabaseWide = JsonDocument.Parse(databaseWide.Stdout).RootElement;
        Assert.Equal((true, 1), (withDatabaseWide.GetProperty("database_wide").GetBoolean(), withDatabaseWide.GetProperty("diff_count").GetInt32()));
        Assert.Matches("^for role \\S+ on tables$", Assert.Single(withDatabaseWide.GetProperty("default_privileges").GetProperty("only_in_source").EnumerateArray()).GetString());
        var schemaOnly = await PgCloneCli.RunAsync("diff", "--source", db.Source, "--target", db.Target, "--schema", "s", "--no-database-wide");
        Assert.Equal(("", 0), (schemaOnly.Stderr, schemaOnly.ExitCode));
        var withoutDatabaseWide = JsonDocument.Parse(schemaOnly.Stdout).RootElement;
        Assert.Equal((false, true, 0), (withoutDatabaseWide.GetProperty("database_wide").GetBoolean(), withoutDatabaseWide.GetProperty("in_sync").GetBoolean(),
            withoutDatabaseWide.GetProperty("default_privileges").GetProperty("only_in_source").GetArrayLength()));
        Assert.False(withoutDatabaseWide.TryGetProperty("publications", out _));
        Assert.StartsWith("{\n  \"schema\": \"s\",\n  \"database_wide\": false,\n  \"in_sync\": true,", schemaOnly.Stdout);

        var missing = await PgCloneCli.RunAsync("diff", "--source", db.Source, "--target", db.Target, "--schema", "nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.EndsWith(": schema \"nope\": does not exist\n", missing.Stderr);
    }
}
