using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Verification;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Verification;

/// <summary>Verify and diff on a real clone made by the engine: a faithful clone matches and is in sync.</summary>
public sealed class ClonedSchemaTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_cloned_schema_verifies_by_checksum_and_is_in_sync_until_the_target_drifts()
    {
        var db = await fx.Servers.CreateDatabasesAsync("verify_clone");
        await CloneKit.LoadAsync(db.Source, "rich.sql");
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "rich");
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source);
        var target = ServerEndpoint.Parse(ServerRole.Target, db.Target);

        var verify = await new TableVerifier().VerifyAsync(source, target, new VerifyOptions { Schema = "rich", Mode = VerifyMode.Checksum });
        Assert.NotEmpty(verify.Tables);
        Assert.All(verify.Tables, t => Assert.Equal("✓", t.Match));
        var diff = await new SchemaDiffer().DiffAsync(source, target, "rich");
        Assert.True(diff.InSync, diff.ToJsonText());

        await PgServers.ExecAsync(db.Target, "CREATE TABLE rich.extra(id int)");
        var after = await new TableVerifier().VerifyAsync(source, target, new VerifyOptions { Schema = "rich", Mode = VerifyMode.Exact });
        Assert.Equal(["extra"], after.Tables.Where(t => t.Status == VerifyStatus.OnlyOnTarget).Select(t => t.Table));
        Assert.False(after.AllMatch);
        var drift = await new SchemaDiffer().DiffAsync(source, target, "rich");
        Assert.Equal(1, drift.DiffCount);
        Assert.Equal(["extra"], drift.Categories.Single(c => c.Category == "tables").OnlyInTarget);
    }
}
