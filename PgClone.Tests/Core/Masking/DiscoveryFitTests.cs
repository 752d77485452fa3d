using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Masking;

/// <summary>
/// Discovery's output pasted unchanged into a masked clone: the clone's gates (generated columns, foreign keys,
/// CHECK constraints and domains) accept it, and the rows on the target are masked as it says.
/// </summary>
public sealed class DiscoveryFitTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>Discovery as the CLI runs it; the suggested mask option as it prints it, and the findings by column.</summary>
    private static async Task<(string Mask, Dictionary<string, SensitiveColumn> Found)> DiscoverAsync(TestDatabases db, string schema)
    {
        var found = await SensitiveDataScanner.ScanAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source, "prod"), schema, CancellationToken.None);
        return (SensitiveDataScanner.ToMaskOption(found).ToJsonString(), found.ToDictionary(f => $"{f.Table.Name}.{f.Column}"));
    }

    private static Task<CloneResult> CloneSchemaAsync(TestDatabases db, string schema, string mask) =>
        new CloneEngine(r => MaskingFactory.Create(r, MaskSql.Secret)).RunAsync(new CloneRequest(CloneOperation.Schema,
            ServerEndpoint.Parse(ServerRole.Source, db.Source, "prod"), ServerEndpoint.Parse(ServerRole.Target, db.Target, "dev"), schema, null,
            CloneOptions.Parse($$"""{"mask": {{mask}}}""")));

    private static string Hmac(string v) => Convert.ToHexStringLower(MaskSql.Secret.Hmac(v));

    private static string KeepFormat(string v) => string.Concat(v.Select((ch, i) =>
        char.IsAsciiDigit(ch) ? (char)('0' + (ch - '0' + MaskSql.Secret.InnerHash("f:" + v[..i])[0]) % 10) : ch));

    [Fact]
    public async Task A_generated_column_gets_no_rule_its_bases_rules_mask_it_and_one_of_unflagged_bases_is_left_out()
    {
        var db = await fx.Servers.CreateDatabasesAsync("fitgen");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA crm;
            CREATE TABLE crm.people (id int PRIMARY KEY, first_name text, last_name text,
                full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED,
                code text, region text, contact_name text GENERATED ALWAYS AS (code || '/' || region) STORED);
            INSERT INTO crm.people (id, first_name, last_name, code, region) VALUES (1, 'Ada', 'Lovelace', 'C-1', 'eu'), (2, 'Alan', 'Turing', 'C-2', 'uk');
            """);

        var (mask, found) = await DiscoverAsync(db, "crm");

        Assert.Equal("""{"crm.people":{"first_name":"name","last_name":"name"}}""", mask);
        Assert.Equal(("name", null), (found["people.full_name"].Category, found["people.full_name"].Suggested));
        Assert.Equal("computed on the target from \"first_name\", \"last_name\": their rules mask it (a rule of its own would not apply)", found["people.full_name"].Evidence[^1]);
        Assert.Equal(("name", null), (found["people.contact_name"].Category, found["people.contact_name"].Suggested));
        Assert.Equal("computed on the target from \"code\", \"region\": mask \"code\", \"region\" and it follows (a rule of its own cannot apply)",
            found["people.contact_name"].Evidence[^1]);

        await CloneSchemaAsync(db, "crm", mask);
        Assert.Equal([[1, "XXXX", "XXXX", "XXXX XXXX", "C-1/eu"], [2, "XXXX", "XXXX", "XXXX XXXX", "C-2/uk"]],
            await PgServers.RowsAsync(db.Target, "SELECT id, first_name, last_name, full_name, contact_name FROM crm.people ORDER BY id"));
    }

    [Fact]
    public async Task Both_sides_of_a_foreign_key_get_one_deterministic_rule_or_none_when_none_fits_both()
    {
        var db = await fx.Servers.CreateDatabasesAsync("fitfk");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE api_keys (key_id text PRIMARY KEY, label text);
            CREATE TABLE requests (id int PRIMARY KEY, api_key text NOT NULL REFERENCES api_keys);
            INSERT INTO api_keys SELECT 'key-' || g, 'service ' || g FROM generate_series(1, 20) g;
            INSERT INTO requests SELECT g, 'key-' || (1 + g % 20) FROM generate_series(1, 60) g;
            CREATE TABLE citizens (national_id text PRIMARY KEY, region text);
            CREATE TABLE sessions (id int PRIMARY KEY, auth_token text REFERENCES citizens);
            INSERT INTO citizens SELECT 'AB' || lpad(g::text, 6, '0'), 'r' || g FROM generate_series(1, 20) g;
            INSERT INTO sessions SELECT g, 'AB' || lpad((1 + g % 20)::text, 6, '0') FROM generate_series(1, 40) g;
            CREATE TABLE users (email text PRIMARY KEY);
            CREATE TABLE tickets (id int PRIMARY KEY, requester varchar(40) REFERENCES users);
            INSERT INTO users SELECT 'u' || g || '@example.org' FROM generate_series(1, 20) g;
            INSERT INTO tickets SELECT g, 'u' || (1 + g % 20) || '@example.org' FROM generate_series(1, 40) g;
            """);

        var (mask, found) = await DiscoverAsync(db, "public");

        // api_key (a secret by name) references a column discovery did not flag: both get keyed_hash, which keeps the key.
        // auth_token (a secret by name, keyed_hash) references a national id (keep_format): one rule for both.
        // A keyed_hash cut to varchar(40) on one side only would break the key, and no other rule keeps them linked: neither is masked.
        Assert.Equal("""{"api_keys":{"key_id":"keyed_hash"},"citizens":{"national_id":"keep_format"},"requests":{"api_key":"keyed_hash"},"sessions":{"auth_token":"keep_format"}}""", mask);
        Assert.Equal(("secret", "medium"), (found["api_keys.key_id"].Category, found["api_keys.key_id"].Confidence));
        Assert.Equal(["linked by foreign key \"requests_api_key_fkey\" to \"public\".\"requests\".\"api_key\", which holds secret: \"keyed_hash\" masks them alike"],
            found["api_keys.key_id"].Evidence);
        Assert.Equal("linked by foreign key \"sessions_auth_token_fkey\" to \"public\".\"citizens\".\"national_id\": \"keep_format\" masks them alike",
            found["sessions.auth_token"].Evidence[^1]);
        foreach (var (column, other) in new[] { ("users.email", "\"public\".\"tickets\".\"requester\""), ("tickets.requester", "\"public\".\"users\".\"email\"") })
        {
            Assert.Null(found[column].Suggested);
            Assert.Equal($"linked by foreign key \"tickets_requester_fkey\" to {other}: no deterministic rule fits both sides of the key, and one side masked alone breaks it: mask them by hand",
                found[column].Evidence[^1]);
        }

        await CloneSchemaAsync(db, "public", mask);
        Assert.Equal(Enumerable.Range(1, 60).Select(g => new object?[] { g, Hmac($"key-{1 + g % 20}") }).ToList(),
            await PgServers.RowsAsync(db.Target, "SELECT r.id, k.key_id FROM requests r JOIN api_keys k ON k.key_id = r.api_key ORDER BY r.id"));
        Assert.Equal(Enumerable.Range(1, 40).Select(g => new object?[] { g, KeepFormat($"AB{1 + g % 20:000000}"), $"r{1 + g % 20}" }).ToList(),
            await PgServers.RowsAsync(db.Target, "SELECT s.id, c.national_id, c.region FROM sessions s JOIN citizens c ON c.national_id = s.auth_token ORDER BY s.id"));
        Assert.Equal(Enumerable.Range(1, 40).Select(g => new object?[] { g, $"u{1 + g % 20}@example.org" }).ToList(),
            await PgServers.RowsAsync(db.Target, "SELECT t.id, u.email FROM tickets t JOIN users u ON u.email = t.requester ORDER BY t.id"));
    }

    [Fact]
    public async Task Rules_are_fitted_together_to_a_check_over_two_columns_and_to_a_domains_check()
    {
        var db = await fx.Servers.CreateDatabasesAsync("fitcheck");
        await PgServers.ExecAsync(db.Source, """
            CREATE DOMAIN phone_t AS text CHECK (VALUE ~ '^\+[0-9][0-9 ]+$');
            CREATE TABLE contacts (id int PRIMARY KEY, work_email text NOT NULL, home_email text NOT NULL, phone phone_t,
                CHECK (home_email <> work_email));
            INSERT INTO contacts SELECT g, 'c' || g || '.work@example.org', 'c' || g || '@example.org', '+1 555 01' || lpad(g::text, 2, '0')
            FROM generate_series(1, 30) g;
            """);

        var (mask, found) = await DiscoverAsync(db, "public");

        // Each email mask alone passes the check; both masked by "email" ('c***@example.org') break it: the second one gives way.
        Assert.Equal("""{"contacts":{"work_email":"email","home_email":"keyed_hash","phone":"keep_format"}}""", mask);
        Assert.Equal("\"email\" would break \"contacts_check\": \"keyed_hash\" fits", found["contacts.home_email"].Evidence[^1]);
        Assert.Equal("\"phone\" would break domain phone_t: \"keep_format\" fits", found["contacts.phone"].Evidence[^1]);

        await CloneSchemaAsync(db, "public", mask);
        Assert.Equal(Enumerable.Range(1, 30).Select(g => new object?[] { g, "c***@example.org", Hmac($"c{g}@example.org"), KeepFormat($"+1 555 01{g:00}") }).ToList(),
            await PgServers.RowsAsync(db.Target, "SELECT id, work_email, home_email, phone::text FROM contacts ORDER BY id"));
    }

    /// <summary>
    /// A UNIQUE NOT NULL email under <c>LIKE '%@%'</c>: email gives many rows one mask, keyed_hash has no @, null breaks
    /// NOT NULL; keyed_email keeps each address distinct and an address, at its domain.
    /// </summary>
    [Fact]
    public async Task A_unique_email_under_a_check_wanting_an_at_sign_gets_keyed_email_and_the_clone_keeps_it_unique_and_valid()
    {
        var db = await fx.Servers.CreateDatabasesAsync("fitunique");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE logins (id int PRIMARY KEY, email varchar(100) NOT NULL UNIQUE CHECK (email LIKE '%@%'), backup_email text);
            INSERT INTO logins SELECT g, 'l' || g || '@example.org', 'b' || g || '@example.org' FROM generate_series(1, 30) g;
            """);

        var (mask, found) = await DiscoverAsync(db, "public");

        Assert.Equal("""{"logins":{"email":"keyed_email","backup_email":"email"}}""", mask);
        Assert.Equal("\"keyed_hash\" would break \"logins_email_check\": \"keyed_email\" fits", found["logins.email"].Evidence[^1]);

        await CloneSchemaAsync(db, "public", mask);
        Assert.Equal(Enumerable.Range(1, 30).Select(g => new object?[] { g, Hmac($"m:l{g}@example.org")[..24] + "@example.org", "b***@example.org" }).ToList(),
            await PgServers.RowsAsync(db.Target, "SELECT id, email, backup_email FROM logins ORDER BY id"));
    }
}
