using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Masking;

/// <summary>
/// Without PgClone:MaskingSecret the console generates the key of keyed rules once and keeps it in its database,
/// so the keyed rules discovery suggests work out of the box, and every instance (or restart) masks alike.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class GeneratedMaskingSecretTests(PgServersFixture fx)
{
    [Fact]
    public async Task A_keyed_rule_works_without_a_configured_secret_and_masks_alike_after_a_restart()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("gensecret_console");
        var data = await fx.Servers.CreateDatabasesAsync("gensecret");
        await SeedSourceAsync(data.Source);
        var settings = RunsConsole.Settings(consoleDb.Source);
        settings.Remove(ConsoleMaskingSecret.Setting);
        var mask = JsonNode.Parse("""{"customers": {"label": "keyed_hash"}}""")!.AsObject();
        const string sample = "SELECT label FROM \"Sales Data\".customers WHERE id = 7";

        async Task<string> MaskedRunAsync(bool seed, string targetSchema)
        {
            await using var console = await RunsConsole.StartAsync(settings, data, seed);
            var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);
            var id = await StartAsync(http, new RunRequest("schema", console.SourceId, console.TargetId, Schema,
                Options: new CloneOptions { Mask = mask, TargetName = targetSchema }));
            var run = await WaitFinishedAsync(http, id);
            Assert.Equal((RunStatus.Succeeded, (string?)null), (run.Run.Status, run.Run.Error));
            return await PgServers.ScalarAsync<string>(data.Target, sample.Replace("Sales Data", targetSchema));
        }

        var first = await MaskedRunAsync(seed: true, "first copy");
        var second = await MaskedRunAsync(seed: false, "second copy");

        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(first, second);
        Assert.NotEqual("row 7 of customers", first);
        // Kept encrypted: the stored value is not the key itself.
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(consoleDb.Source, "SELECT count(*) FROM console_secrets WHERE \"Name\" = 'masking-secret' AND length(\"ValueEncrypted\") > 64"));
    }
}
