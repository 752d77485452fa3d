using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Masking;

/// <summary>The wizard's masking preview: sample rows masked on the source by the clone's own expressions.</summary>
public sealed class MaskPreviewTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Fixture = """
        CREATE SCHEMA "Shop";
        CREATE TABLE "Shop"."Customers" (id int PRIMARY KEY, "E-mail" text, phone text, city text,
                                         shout text GENERATED ALWAYS AS (upper("E-mail")) STORED);
        INSERT INTO "Shop"."Customers" (id, "E-mail", phone, city)
        SELECT g, 'user' || g || '@example.com', '+1-555-000-' || lpad(g::text, 4, '0'), 'city ' || g FROM generate_series(12, 1, -1) g;
        UPDATE "Shop"."Customers" SET phone = NULL WHERE id = 2;
        """;

    private static readonly QualifiedName Table = new("Shop", "Customers");

    private async Task<ServerEndpoint> ArrangeAsync()
    {
        var db = await fx.Servers.CreateDatabasesAsync("maskpreview");
        await PgServers.ExecAsync(db.Source, Fixture);
        return ServerEndpoint.Parse(ServerRole.Source, db.Source, "prod");
    }

    [Fact]
    public async Task Shows_five_rows_in_key_order_with_the_ruled_columns_masked() // 1..5, not 1, 10, 11, 12, 2 as text
    {
        var source = await ArrangeAsync();

        var preview = await MaskPreview.SampleAsync(source, Table, JsonNode.Parse("""{"E-mail": "email", "phone": "phone"}""")!.AsObject(),
            () => MaskSql.Secret, ct: CancellationToken.None);

        Assert.Equal(["id", "E-mail", "phone", "city"], preview.Columns);
        Assert.Equal(["E-mail", "phone"], preview.Masked);
        Assert.Equal([
            ["1", "u***@example.com", "***-0001", "city 1"],
            ["2", "u***@example.com", null, "city 2"],
            ["3", "u***@example.com", "***-0003", "city 3"],
            ["4", "u***@example.com", "***-0004", "city 4"],
            ["5", "u***@example.com", "***-0005", "city 5"],
        ], preview.Rows);
    }

    [Fact]
    public async Task Keyed_rules_use_the_secret_and_match_what_the_clone_writes()
    {
        var source = await ArrangeAsync();

        var preview = await MaskPreview.SampleAsync(source, Table, JsonNode.Parse("""{"E-mail": "keyed_hash"}""")!.AsObject(),
            () => MaskSql.Secret, rows: 1, ct: CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(MaskSql.Secret.Hmac("user1@example.com")), preview.Rows.Single()[1]);
    }

    [Fact]
    public async Task A_rule_that_cannot_apply_is_refused_naming_the_server_and_column()
    {
        var source = await ArrangeAsync();

        var e = await Assert.ThrowsAsync<PgCloneException>(() => MaskPreview.SampleAsync(source, Table,
            JsonNode.Parse("""{"id": "email", "nope": "name"}""")!.AsObject(), () => MaskSql.Secret, ct: CancellationToken.None));

        Assert.Equal($"{source.Describe()}: column \"Shop\".\"Customers\".\"id\": mask strategy \"email\" needs a text column, but the column is integer", e.Message);
    }

    [Fact]
    public async Task A_missing_table_is_named()
    {
        var source = await ArrangeAsync();

        var e = await Assert.ThrowsAsync<PgCloneException>(() => MaskPreview.SampleAsync(source, new QualifiedName("Shop", "gone"), null,
            () => MaskSql.Secret, ct: CancellationToken.None));

        Assert.Equal($"{source.Describe()}: table \"Shop\".\"gone\": does not exist", e.Message);
    }
}
