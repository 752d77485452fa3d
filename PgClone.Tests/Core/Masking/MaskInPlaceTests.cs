using System.Text.Json.Nodes;
using Npgsql;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Masking;

/// <summary>Static masking of an existing table: exact values, row counts, no user trigger fires.</summary>
public sealed class MaskInPlaceTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Fixture = """
        CREATE TABLE people (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text, phone varchar(20), note text,
                             updated_at timestamptz NOT NULL DEFAULT '2020-01-01 00:00:00+00');
        CREATE TABLE audit (who text, old_email text);
        CREATE FUNCTION audit_people() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO audit VALUES (current_user, OLD.email); NEW.updated_at := now(); RETURN NEW; END $$;
        CREATE TRIGGER people_audit BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION audit_people();
        INSERT INTO people (email, phone, note) VALUES ('alice@example.com', '+1-555-123-4567', 'a'), ('bob@corp.org', NULL, 'b'), (NULL, '555 0000', 'c');
        """;

    private static JsonObject Rules(string json) => JsonNode.Parse(json)!.AsObject();

    private async Task AssertMaskedAsync(string cs)
    {
        Assert.Equal([[1, "a***@example.com", "***-4567", "a"], [2, "b***@corp.org", null, "b"], [3, null, "***-0000", "c"]],
            await PgServers.RowsAsync(cs, "SELECT id, email, phone, note FROM people ORDER BY id"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(cs, "SELECT count(*) FROM audit"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(cs, "SELECT count(*) FROM people WHERE updated_at <> '2020-01-01 00:00:00+00'"));
        // The trigger is enabled again afterwards.
        await PgServers.ExecAsync(cs, "UPDATE people SET note = 'x' WHERE id = 1");
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(cs, "SELECT count(*) FROM audit"));
    }

    [Fact]
    public async Task Superuser_masks_every_row_without_firing_user_triggers()
    {
        var db = await fx.Servers.CreateDatabasesAsync("inplace");
        await PgServers.ExecAsync(db.Target, Fixture);
        var result = await MaskInPlace.RunAsync(new ServerEndpoint(ServerRole.Target, "dev", db.Target), new QualifiedName("public", "people"),
            Rules("""{"email": "email", "phone": "phone"}"""), MaskSql.Secret, CancellationToken.None);
        Assert.Equal(3L, result.Rows);
        Assert.Equal(["email", "phone"], result.Columns);
        await AssertMaskedAsync(db.Target);
    }

    [Fact]
    public async Task Table_owner_without_superuser_masks_with_triggers_disabled_in_the_transaction()
    {
        var db = await fx.Servers.CreateDatabasesAsync("inplace_owner");
        var role = $"owner_{Guid.NewGuid():N}"[..20];
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'; GRANT CREATE ON SCHEMA public TO {role}");
        var cs = new NpgsqlConnectionStringBuilder(db.Target) { Username = role, Password = $"pw-{role}" }.ConnectionString;
        await PgServers.ExecAsync(cs, Fixture);
        var result = await MaskInPlace.RunAsync(new ServerEndpoint(ServerRole.Target, "dev", cs), new QualifiedName("public", "people"),
            Rules("""{"email": "email", "phone": "phone"}"""), MaskSql.Secret, CancellationToken.None);
        Assert.Equal(3L, result.Rows);
        await AssertMaskedAsync(cs);
    }

    [Fact]
    public async Task Identity_columns_unknown_columns_and_wrong_types_are_refused_before_any_update()
    {
        var db = await fx.Servers.CreateDatabasesAsync("inplace_bad");
        await PgServers.ExecAsync(db.Target, Fixture);
        var target = new ServerEndpoint(ServerRole.Target, "dev", db.Target);
        var port = new NpgsqlConnectionStringBuilder(db.Target).Port;
        var people = new QualifiedName("public", "people");
        async Task<string> Fails(string rules, QualifiedName? table = null) =>
            (await Assert.ThrowsAsync<PgCloneException>(() => MaskInPlace.RunAsync(target, table ?? people, Rules(rules), MaskSql.Secret, CancellationToken.None))).Message;
        Assert.Equal($"target 'dev' (127.0.0.1:{port}): column \"public\".\"people\".\"id\": is an identity column GENERATED ALWAYS, which cannot be updated",
            await Fails("""{"id": "keyed_hash"}"""));
        Assert.Equal($"target 'dev' (127.0.0.1:{port}): table \"public\".\"people\": mask rules name no column of the table: \"emial\"",
            await Fails("""{"emial": "email"}"""));
        Assert.Equal($"target 'dev' (127.0.0.1:{port}): column \"public\".\"people\".\"updated_at\": mask strategy \"email\" needs a text column, but the column is timestamp with time zone",
            await Fails("""{"updated_at": "email"}"""));
        Assert.Equal($"target 'dev' (127.0.0.1:{port}): table \"public\".\"nobody\": does not exist",
            await Fails("""{"email": "email"}""", new QualifiedName("public", "nobody")));
        Assert.Equal("alice@example.com", await PgServers.ScalarAsync<string>(db.Target, "SELECT email FROM people WHERE id = 1"));
    }
}
