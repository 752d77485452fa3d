using System.Text.Json.Nodes;
using Npgsql;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Masking;

/// <summary>Dynamic masking: logged in as roles with password auth, the public sees masked data and the privileged role raw data.</summary>
public sealed class MaskingPolicyTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Fixture = """
        CREATE TABLE customers (id int PRIMARY KEY, full_name text, email text, ssn text, city text);
        INSERT INTO customers VALUES (1, 'Alice Smith', 'alice@example.com', '123-45-6789', 'Paris'), (2, 'Bob Jones', NULL, '987-65-4321', 'Oslo');
        """;

    private static readonly QualifiedName Customers = new("public", "customers");

    private static async Task<string> LoginRoleAsync(string adminCs, string prefix)
    {
        var role = $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];
        await PgServers.ExecAsync(adminCs, $"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'");
        return new NpgsqlConnectionStringBuilder(adminCs) { Username = role, Password = $"pw-{role}" }.ConnectionString;
    }

    private static async Task<string> DeniedAsync(string cs, string sql) =>
        (await Assert.ThrowsAsync<PostgresException>(() => PgServers.RowsAsync(cs, sql))).MessageText;

    [Fact]
    public async Task Public_reads_masked_values_through_the_view_and_the_privileged_role_reads_the_table()
    {
        var db = await fx.Servers.CreateDatabasesAsync("policy");
        await PgServers.ExecAsync(db.Target, Fixture);
        var analyst = await LoginRoleAsync(db.Target, "analyst");
        var admin = await LoginRoleAsync(db.Target, "admin");
        var adminRole = new NpgsqlConnectionStringBuilder(admin).Username!;
        var target = new ServerEndpoint(ServerRole.Target, "dev", db.Target);
        var rules = JsonNode.Parse("""{"email": "email", "ssn": "keyed_hash", "full_name": "name"}""")!.AsObject();

        var info = await MaskingPolicy.CreateAsync(target, Customers, rules, adminRole, MaskSql.Secret, CancellationToken.None);
        Assert.Equal(new QualifiedName("public", "customers_masked"), info.View);

        var viewKey = MaskSql.Secret.Derive($"policy:{db.Name}:public.customers_masked");
        static string Hex(byte[] b) => Convert.ToHexStringLower(b);
        Assert.Equal([[1, "XXXX", "a***@example.com", Hex(viewKey.Hmac("123-45-6789")), "Paris"], [2, "XXXX", null, Hex(viewKey.Hmac("987-65-4321")), "Oslo"]],
            await PgServers.RowsAsync(analyst, "SELECT * FROM customers_masked ORDER BY id"));
        Assert.Equal("permission denied for table customers", await DeniedAsync(analyst, "SELECT * FROM customers"));
        Assert.Equal("permission denied for schema pgclone_masking", await DeniedAsync(analyst, "SELECT * FROM pgclone_masking.policy_keys"));
        // The key is in neither the view's definition nor anything the analyst can read.
        var definition = await PgServers.ScalarAsync<string>(analyst, "SELECT pg_get_viewdef('customers_masked'::regclass)");
        Assert.DoesNotContain(Hex(viewKey.Pads().Inner), definition);
        Assert.DoesNotContain(Hex(MaskSql.Secret.Pads().Inner), definition);
        Assert.Equal([[1, "Alice Smith", "alice@example.com", "123-45-6789", "Paris"], [2, "Bob Jones", null, "987-65-4321", "Oslo"]],
            await PgServers.RowsAsync(admin, "SELECT * FROM customers ORDER BY id"));

        await MaskingPolicy.DropAsync(target, Customers, CancellationToken.None);
        Assert.Equal([[1, "alice@example.com"], [2, null]], await PgServers.RowsAsync(analyst, "SELECT id, email FROM customers ORDER BY id"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 'customers_masked'"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pgclone_masking.policy_keys"));
        Assert.False(await PgServers.ScalarAsync<bool>(db.Target,
            $"SELECT EXISTS (SELECT 1 FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = 'customers'::regclass AND a.grantee = '{adminRole}'::regrole)"));
    }

    [Fact]
    public async Task Create_refuses_a_second_policy_an_unknown_role_and_unsafe_rules()
    {
        var db = await fx.Servers.CreateDatabasesAsync("policy_bad");
        await PgServers.ExecAsync(db.Target, Fixture);
        var target = new ServerEndpoint(ServerRole.Target, "dev", db.Target);
        var port = new NpgsqlConnectionStringBuilder(db.Target).Port;
        var admin = new NpgsqlConnectionStringBuilder(await LoginRoleAsync(db.Target, "admin")).Username!;
        async Task<string> Fails(string rules, string role) => (await Assert.ThrowsAsync<PgCloneException>(() =>
            MaskingPolicy.CreateAsync(target, Customers, JsonNode.Parse(rules)!.AsObject(), role, MaskSql.Secret, CancellationToken.None))).Message;
        Assert.Equal($"target 'dev' (127.0.0.1:{port}): role \"nobody_here\": does not exist", await Fails("""{"email": "email"}""", "nobody_here"));
        Assert.Equal($"target 'dev' (127.0.0.1:{port}): column \"public\".\"customers\".\"id\": mask strategy \"null\" cannot mask a column in a PRIMARY KEY: it maps different values to the same mask, so keys would collide or joins would break; use keyed_hash, keyed_email, keep_format or hash, which keep distinct values distinct",
            await Fails("""{"id": "null"}""", admin));
        await MaskingPolicy.CreateAsync(target, Customers, JsonNode.Parse("""{"email": "email"}""")!.AsObject(), admin, MaskSql.Secret, CancellationToken.None);
        Assert.Equal($"target 'dev' (127.0.0.1:{port}): view \"public\".\"customers_masked\": already exists; drop the masking policy first", await Fails("""{"email": "email"}""", admin));
        Assert.Equal($"target 'dev' (127.0.0.1:{port}): view \"public\".\"nothing_masked\": is not a pgclone masking policy (no such view, or not created by pgclone)",
            (await Assert.ThrowsAsync<PgCloneException>(() => MaskingPolicy.DropAsync(target, new QualifiedName("public", "nothing"), CancellationToken.None))).Message);
    }

    [Fact]
    public async Task Report_lists_sensitive_columns_before_and_after_a_policy()
    {
        var db = await fx.Servers.CreateDatabasesAsync("report");
        await PgServers.ExecAsync(db.Target, Fixture);
        var target = new ServerEndpoint(ServerRole.Target, "dev", db.Target);
        var admin = new NpgsqlConnectionStringBuilder(await LoginRoleAsync(db.Target, "admin")).Username!;
        Assert.Equal(
        [
            new ComplianceRow("public", "customers", "email", "email", "UNMASKED", "Apply mask strategy: email"),
            new ComplianceRow("public", "customers", "full_name", "name", "UNMASKED", "Apply mask strategy: name"),
            new ComplianceRow("public", "customers", "ssn", "national_id", "UNMASKED", "Apply mask strategy: keep_format"),
        ], await MaskingReport.BuildAsync(target, "public", CancellationToken.None));

        await MaskingPolicy.CreateAsync(target, Customers, JsonNode.Parse("""{"email": "email", "ssn": "keep_format", "city": "name"}""")!.AsObject(), admin, MaskSql.Secret, CancellationToken.None);
        var after = await MaskingReport.BuildAsync(target, "public", CancellationToken.None);
        Assert.Equal(
        [
            new ComplianceRow("public", "customers", "city", "masked by policy", "MASKED (view)", "OK - masked via \"public\".\"customers_masked\""),
            new ComplianceRow("public", "customers", "email", "email", "MASKED (view)", "OK - masked via \"public\".\"customers_masked\""),
            new ComplianceRow("public", "customers", "full_name", "name", "UNMASKED", "Apply mask strategy: name"),
            new ComplianceRow("public", "customers", "ssn", "national_id", "MASKED (view)", "OK - masked via \"public\".\"customers_masked\""),
        ], after);
        Assert.Equal(
            "schema,table,column,category,status,recommendation\r\n" +
            "public,customers,city,masked by policy,MASKED (view),\"OK - masked via \"\"public\"\".\"\"customers_masked\"\"\"\r\n" +
            "public,customers,email,email,MASKED (view),\"OK - masked via \"\"public\"\".\"\"customers_masked\"\"\"\r\n" +
            "public,customers,full_name,name,UNMASKED,Apply mask strategy: name\r\n" +
            "public,customers,ssn,national_id,MASKED (view),\"OK - masked via \"\"public\"\".\"\"customers_masked\"\"\"\r\n",
            MaskingReport.ToCsv(after));
        Assert.StartsWith("SCHEMA  TABLE      COLUMN     CATEGORY          STATUS         RECOMMENDATION\n", MaskingReport.ToText(after).ReplaceLineEndings("\n"));
    }
}
