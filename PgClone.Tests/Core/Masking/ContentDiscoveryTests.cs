using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Masking;

/// <summary>
/// Discovery by content in columns whose names say nothing: credentials of every common format, person names,
/// contacts and JSON documents, beside look-alikes that must stay clean (product titles, status and country codes,
/// SKUs, checksums, commit ids, UUIDs, product JSON with a "name" key, identifiers, colours).
/// </summary>
public sealed class ContentDiscoveryTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Fixture = """
        CREATE SCHEMA app;
        CREATE TABLE app.accounts (
            id serial PRIMARY KEY, display text, label text, owner text, contact text, value text, notes text,
            hash text, secret_salt text, api_key text, data jsonb, auth text, credential text, access text, session text, assignee text);
        INSERT INTO app.accounts (display, label, owner, contact, value, notes, hash, secret_salt, api_key, data, auth, credential, access, session, assignee)
        SELECT (ARRAY['James', 'Maria', 'Wei', 'Priya', 'Olivia', 'Hans', 'Sofia', 'Ahmed', 'Chloe', 'Liam'])[1 + i % 10] || ' ' ||
                 (ARRAY['Smith', 'Garcia', 'Zhang', 'Patel', 'Brown', 'Muller', 'Rossi', 'Khan', 'Zbrowski', 'Kowalczykowa'])[1 + (i * 7) % 10],
               (ARRAY['Johnson', 'Nguyen', 'Schmidt', 'O''Brien', 'Silva'])[1 + i % 5] || ', ' || (ARRAY['Emma', 'Lucas', 'Anna', 'Noah', 'Mia', 'Jorge'])[1 + i % 6],
               (ARRAY['Dr. Robert K. Taylor', 'Linda Martinez-Lopez', 'mary ann wilson', 'DAVID LEE', 'Karen J. Moore'])[1 + i % 5],
               CASE WHEN i % 2 = 0 THEN 'person' || i || '@example.org' ELSE '+1 (555) 010-' || lpad(i::text, 4, '0') END,
               '+44 20 7946 ' || lpad(i::text, 4, '0'),
               'called about order ' || i || ', will ship Friday',
               '$2b$12$' || substr(translate(encode(pg_catalog.sha256(('b' || i)::bytea), 'base64') || encode(pg_catalog.sha256(('c' || i)::bytea), 'base64'), '+=', '.x'), 1, 53),
               substr(md5('salt' || i), 1, 16),
               'sk_live_' || substr(md5('k' || i), 1, 24),
               jsonb_build_object('email', 'u' || i || '@example.com', 'phone', '+1 555 010 ' || lpad(i::text, 4, '0'), 'theme', 'dark'),
               'eyJhbGciOiJIUzI1NiJ9.eyJ' || translate(encode(pg_catalog.sha256(('j' || i)::bytea), 'base64'), '+/=', '-_') || '.' ||
                 translate(encode(pg_catalog.sha256(('s' || i)::bytea), 'base64'), '+/=', '-_'),
               'SCRAM-SHA-256$4096:' || encode(pg_catalog.sha256(('n' || i)::bytea), 'base64') || '$' || encode(pg_catalog.sha256(('m' || i)::bytea), 'base64'),
               'AKIA' || upper(substr(md5('a' || i), 1, 16)),
               encode(pg_catalog.sha256(('t' || i)::bytea), 'base64'),
               (ARRAY['Kowalski', 'Nguyen', 'Schmidt', 'Rossi', 'Patel', 'Okafor'])[1 + i % 6]
        FROM generate_series(1, 300) AS i;

        CREATE TABLE app.catalog (
            id serial PRIMARY KEY, title text, status text, country text, sku text, label text, owner text, checksum text,
            commit_sha text, external_id text, attributes jsonb, code text, colour text, tracking_ref text, shade text, token_type text,
            phone_type text, legacy_ref text);
        INSERT INTO app.catalog (title, status, country, sku, label, owner, checksum, commit_sha, external_id, attributes, code, colour, tracking_ref,
                                 shade, token_type, phone_type, legacy_ref)
        SELECT (ARRAY['Blue Widget 3000', 'Garden Hose', 'Deluxe Kettle', 'Jordan Sneakers', 'Victoria Sponge', 'Travel Mug', 'Desk Lamp'])[1 + i % 7],
               (ARRAY['ACTIVE', 'PENDING', 'CLOSED', 'ON HOLD'])[1 + i % 4],
               (ARRAY['US', 'DE', 'FR', 'GB', 'JP'])[1 + i % 5],
               'SKU-' || lpad(i::text, 6, '0'),
               (ARRAY['Best Seller', 'New Arrival', 'Clearance', 'Limited Edition'])[1 + i % 4],
               (ARRAY['Platform Team', 'Billing', 'Data Engineering', 'Growth'])[1 + i % 4],
               md5('file' || i),
               encode(pg_catalog.sha256(('commit' || i)::bytea), 'hex'),
               md5('x' || i)::uuid::text,
               jsonb_build_object('name', 'Widget ' || i, 'color', 'blue', 'size', i % 5),
               (ARRAY['GetOrderById', 'ListCustomerInvoices', 'UpdateShippingAddress'])[1 + i % 3],
               (ARRAY['Ruby', 'Violet', 'Red', 'Navy', 'Olive', 'Teal'])[1 + i % 6],
               translate(encode(pg_catalog.sha256(('r' || i)::bytea), 'base64'), '+/=', 'xyz'),
               (ARRAY['Black', 'White', 'Gray', 'Brown', 'Green', 'Silver'])[1 + i % 6],
               'Bearer', (ARRAY['mobile', 'home', 'work'])[1 + i % 3], md5('legacy' || i)
        FROM generate_series(1, 300) AS i;
        ANALYZE;
        """;

    [Fact]
    public async Task Flags_credentials_and_personal_data_by_content_and_leaves_look_alikes_clean()
    {
        var db = await fx.Servers.CreateDatabasesAsync("content");
        await PgServers.ExecAsync(db.Source, Fixture);
        await using var conn = new NpgsqlConnection(db.Source);
        await conn.OpenAsync();
        var found = await SensitiveDataScanner.ScanAsync(conn, ServerEndpoint.Parse(ServerRole.Source, "host=127.0.0.1"), "app", null, CancellationToken.None);
        var actual = found.ToDictionary(f => $"{f.Table.Name}.{f.Column}", f => (f.Category, f.Confidence, string.Join(" | ", f.Evidence)));
        var expected = new Dictionary<string, (string, string, string)>
        {
            ["accounts.access"] = ("secret", "high", "100% of 300 sampled non-null values look like secret (API key)"),
            ["accounts.api_key"] = ("secret", "high", "name suggests secret | 100% of 300 sampled non-null values look like secret (API key)"),
            ["accounts.assignee"] = ("name", "high", "100% of 300 sampled non-null values look like name (known family names)"),
            ["accounts.auth"] = ("secret", "high", "100% of 300 sampled non-null values look like secret (JSON Web Token)"),
            ["accounts.contact"] = ("email", "high", "100% of 300 sampled non-null values look like email or phone"),
            ["accounts.credential"] = ("secret", "high", "name suggests secret | 100% of 300 sampled non-null values look like secret (SCRAM-SHA-256 verifier)"),
            ["accounts.data"] = ("email", "high", "JSON key \"email\" in 100% of 300 sampled values | JSON key \"phone\" in 100% of 300 sampled values"),
            ["accounts.display"] = ("name", "high", "100% of 300 sampled non-null values look like name (80% with a known given and family name)"),
            ["accounts.hash"] = ("secret", "high", "100% of 300 sampled non-null values look like secret (bcrypt hash)"),
            ["accounts.label"] = ("name", "high", "100% of 300 sampled non-null values look like name (100% with a known given and family name)"),
            ["accounts.owner"] = ("name", "high", "100% of 300 sampled non-null values look like name (100% with a known given and family name)"),
            ["accounts.secret_salt"] = ("secret", "medium", "name suggests secret"),
            ["accounts.session"] = ("secret", "high", "100% of 300 sampled non-null values look like secret (random token)"),
            ["accounts.value"] = ("phone", "high", "100% of 300 sampled non-null values look like phone"),
        };
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));
        // Suggestions stay usable as a mask option, and no sampled value leaks into the evidence.
        Assert.Equal("\"null\"", SensitiveDataScanner.ToMaskOption(found)["app.accounts"]!["hash"]!.ToJsonString());
        Assert.DoesNotContain(found.SelectMany(f => f.Evidence), e => e.Contains('@') || e.Contains("Smith") || e.Contains("sk_live"));
    }

    [Theory]
    [InlineData("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "bcrypt hash")]
    [InlineData("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", "argon2 hash")]
    [InlineData("SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVkS2V5:c2VydmVyS2V5", "SCRAM-SHA-256 verifier")]
    [InlineData("md5e8a48653851e28c69d0506508fb27fc5", "PostgreSQL md5 hash")]
    [InlineData("5f4dcc3b5aa765d61d8327deb882cf99", "hex digest")]
    [InlineData("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "API key")]
    [InlineData("AKIAIOSFODNN7EXAMPLE", "API key")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JSON Web Token")]
    [InlineData("q8Xz3LmP0vR7tY2wK9bN4cF6hJ1sD5gA", "random token")]
    [InlineData("123e4567-e89b-12d3-a456-426614174000", null)]
    [InlineData("GetCustomerOrdersByIdAsync", null)]
    [InlineData("SKU-000123-BLUE-LARGE", null)]
    [InlineData("the quick brown fox jumps", null)]
    [InlineData("12345678901234567890123456789012", null)]
    public void Credential_shapes(string value, string? kind) => Assert.Equal(kind, CredentialShapes.KindOf(value));

    [Theory]
    [InlineData("John Smith", NameMatch.Full)]
    [InlineData("Smith, John", NameMatch.Full)]
    [InlineData("Dr. Mary A. Johnson Jr.", NameMatch.Full)]
    [InlineData("Seán O'Brien", NameMatch.Partial)]
    [InlineData("Anna Kowalczykowa", NameMatch.Partial)]
    [InlineData("Olivia", NameMatch.GivenOnly)]
    [InlineData("Kowalski", NameMatch.FamilyOnly)]
    [InlineData("Zhang Wei", NameMatch.Full)]
    [InlineData("Brown", NameMatch.None)]
    [InlineData("Blue Widget 3000", NameMatch.None)]
    [InlineData("Garden Hose", NameMatch.None)]
    [InlineData("ACTIVE", NameMatch.None)]
    [InlineData("US", NameMatch.None)]
    [InlineData("SKU-000123", NameMatch.None)]
    [InlineData("Platform Team", NameMatch.None)]
    public void Person_names_need_shape_and_dictionary(string value, NameMatch match) => Assert.Equal(match, PersonNames.Classify(value));
}
