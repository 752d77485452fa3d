using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Masking;

/// <summary>Discovery on fixtures: sensitive data behind innocent names, and a schema with none at all.</summary>
public sealed class DiscoveryTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>Personal data, some of it under names that give nothing away: 16 sensitive columns of 24.</summary>
    public const string PiiFixture = """
        CREATE TABLE accounts (id serial PRIMARY KEY, handle text, contact text, ref text, memo text, created date);
        INSERT INTO accounts (handle, contact, ref, memo, created)
        SELECT 'user' || i, 'person' || i || '@mail' || (i % 7) || '.example.com',
               (ARRAY['4111 1111 1111 1111', '5500-0000-0000-0004', '340000000000009', '6011000000000004'])[1 + i % 4],
               'ordered ' || i || ' items', DATE '2020-01-01' + i
        FROM generate_series(1, 300) AS i;
        CREATE TABLE staff (id int PRIMARY KEY, first_name text, last_name text, phone text, salary int, ssn text, dob date,
                            home_address text, zip text, password_hash text, last_ip inet, iban text, email text UNIQUE);
        INSERT INTO staff SELECT i, 'First' || i, 'Last' || i, '+1-555-' || lpad(i::text, 3, '0') || '-1234', 40000 + i, '123-45-' || lpad(i::text, 4, '0'),
               DATE '1980-01-01' + i, i || ' Main Street', lpad(i::text, 5, '0'), md5(i::text), ('10.0.0.' || i)::inet,
               'GB82 WEST 1234 5698 7654 32', 's' || i || '@corp.example.com'
        FROM generate_series(1, 50) AS i;
        CREATE TABLE logins (id bigserial PRIMARY KEY, who text, src text, device text, at timestamptz);
        INSERT INTO logins (who, src, device, at)
        SELECT 'person' || i || '@mail.example.com', '192.168.' || (i % 255) || '.' || (i % 200), 'laptop-' || (i % 3), now()
        FROM generate_series(1, 3000) AS i;
        ANALYZE;
        """;

    public static readonly string[] Expected =
    [
        "accounts.contact", "accounts.ref",
        "logins.src", "logins.who",
        "staff.dob", "staff.email", "staff.first_name", "staff.home_address", "staff.iban", "staff.last_ip", "staff.last_name",
        "staff.password_hash", "staff.phone", "staff.salary", "staff.ssn", "staff.zip",
    ];

    /// <summary>
    /// Products and orders: codes, prices, dates, free text, numbers of card length that fail Luhn, and names that
    /// contain a sensitive word on a type that cannot hold such data (mail_count int, token_expires timestamptz).
    /// </summary>
    private const string CleanFixture = """
        CREATE SCHEMA shop;
        CREATE TABLE shop.products (id serial PRIMARY KEY, sku text, name text, price numeric(10,2), description text, barcode text,
                                    weight real, version text, created_at timestamptz, tags text[]);
        INSERT INTO shop.products (sku, name, price, description, barcode, weight, version, created_at, tags)
        SELECT 'SKU-' || lpad(i::text, 6, '0'), 'Widget ' || i, i * 1.25, 'A sturdy widget, size ' || i || ' cm',
               lpad((4000000000000 + i * 7919)::text, 13, '0'), i / 10.0, '1.' || (i % 9) || '.' || (i % 4),
               now() - i * interval '1 day', ARRAY['blue', 'small']
        FROM generate_series(1, 400) AS i;
        CREATE TABLE shop.orders (id bigserial PRIMARY KEY, product_id int REFERENCES shop.products, quantity int, status text,
                                  shipped_on date, tracking text, total numeric, note text,
                                  mail_count int, token_expires timestamptz, cell_count int, cc_list boolean);
        INSERT INTO shop.orders (product_id, quantity, status, shipped_on, tracking, total, note, mail_count, token_expires, cell_count, cc_list)
        SELECT 1 + i % 400, 1 + i % 5, (ARRAY['new', 'paid', 'shipped'])[1 + i % 3], DATE '2024-01-01' + i % 300,
               '1Z' || upper(substr(md5(i::text), 1, 16)), i * 3.5, '2024-03-' || lpad((1 + i % 28)::text, 2, '0'),
               i % 3, now(), i % 7, i % 2 = 0
        FROM generate_series(1, 2000) AS i;
        ANALYZE;
        """;

    [Fact]
    public async Task Finds_sensitive_columns_by_name_and_by_content_without_printing_values()
    {
        var db = await fx.Servers.CreateDatabasesAsync("disc");
        await PgServers.ExecAsync(db.Source, PiiFixture);
        await using var conn = new NpgsqlConnection(db.Source);
        await conn.OpenAsync();
        var found = await SensitiveDataScanner.ScanAsync(conn, ServerEndpoint.Parse(ServerRole.Source, "host=127.0.0.1"), "public", null, CancellationToken.None);
        var names = found.Select(f => $"{f.Table.Name}.{f.Column}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Expected, names);
        var byName = found.ToDictionary(f => $"{f.Table.Name}.{f.Column}");
        Assert.Equal(("email", "high", "email"), (byName["accounts.contact"].Category, byName["accounts.contact"].Confidence, byName["accounts.contact"].Suggested!.StrategyName));
        Assert.Equal(["100% of 300 sampled non-null values look like email"], byName["accounts.contact"].Evidence);
        Assert.Equal(("credit_card", "keep_format"), (byName["accounts.ref"].Category, byName["accounts.ref"].Suggested!.StrategyName));
        Assert.Equal(("email", "keyed_hash"), (byName["staff.email"].Category, byName["staff.email"].Suggested!.StrategyName)); // UNIQUE: email would collide
        Assert.Equal(("ip_address", "constant"), (byName["staff.last_ip"].Category, byName["staff.last_ip"].Suggested!.StrategyName)); // inet, not text
        Assert.Equal(("salary", "random_int"), (byName["staff.salary"].Category, byName["staff.salary"].Suggested!.StrategyName));
        Assert.Equal(("address", """{"type":"constant","value":"1 Example Street"}"""), (byName["staff.home_address"].Category, byName["staff.home_address"].Suggested!.ToString()));
        Assert.Equal(("date_of_birth", "date_shift"), (byName["staff.dob"].Category, byName["staff.dob"].Suggested!.StrategyName));
        Assert.Equal(("iban", "high"), (byName["staff.iban"].Category, byName["staff.iban"].Confidence));
        Assert.Equal(["name suggests phone", "100% of 50 sampled non-null values look like phone"], byName["staff.phone"].Evidence);
        Assert.EndsWith("sampled non-null values look like email", byName["logins.who"].Evidence[0]);
        Assert.DoesNotContain(found.SelectMany(f => f.Evidence), e => e.Contains('@') || e.Contains("person"));

        // The suggestion is directly usable as a schema clone's mask option.
        var mask = SensitiveDataScanner.ToMaskOption(found);
        Assert.Equal("\"email\"", mask["accounts"]!["contact"]!.ToJsonString());
        var rules = MaskRuleSet.Parse(mask, PgClone.Core.CloneOperation.Schema, "public");
        Assert.True(rules.Covers(new("public", "staff"), "salary"));
    }

    [Fact]
    public async Task Flags_nothing_in_a_schema_without_personal_data()
    {
        var db = await fx.Servers.CreateDatabasesAsync("clean");
        await PgServers.ExecAsync(db.Source, CleanFixture);
        await using var conn = new NpgsqlConnection(db.Source);
        await conn.OpenAsync();
        Assert.Empty(await SensitiveDataScanner.ScanAsync(conn, ServerEndpoint.Parse(ServerRole.Source, "host=127.0.0.1"), "shop", null, CancellationToken.None));
    }

    [Fact]
    public async Task An_array_of_strings_is_judged_by_name_and_by_its_elements_and_gets_a_rule_that_fits_an_array()
    {
        var db = await fx.Servers.CreateDatabasesAsync("discarr");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE contacts (id int PRIMARY KEY, alt_emails text[], addrs varchar(80)[] NOT NULL, tags text[]);
            INSERT INTO contacts SELECT i, ARRAY['a' || i || '@example.org', 'b' || i || '@example.org'],
                                        ARRAY[NULL, 'c' || i || '@mail.example.com'], ARRAY['red', 'blue'] FROM generate_series(1, 80) i;
            """);
        await using var conn = new NpgsqlConnection(db.Source);
        await conn.OpenAsync();
        var found = await SensitiveDataScanner.ScanAsync(conn, ServerEndpoint.Parse(ServerRole.Source, "host=127.0.0.1"), "public", null, CancellationToken.None);
        Assert.Equal(["contacts.addrs email high \"\"", "contacts.alt_emails email high \"null\""],
            found.Select(f => $"{f.Table.Name}.{f.Column} {f.Category} {f.Confidence} {f.Suggested?.ToString() ?? "\"\""}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_suggestion_a_check_constraint_would_refuse_gives_way_to_the_next_strategy_that_fits()
    {
        var db = await fx.Servers.CreateDatabasesAsync("disccheck");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE users (id int PRIMARY KEY, email varchar(100) CHECK (email ~ '^[a-z0-9.]+@[a-z.]+$'),
                                login_email varchar(100) NOT NULL UNIQUE CHECK (login_email LIKE '%@%'), phone text CHECK (length(phone) > 3), backup_email text);
            CREATE UNIQUE INDEX ON users (lower(backup_email));
            INSERT INTO users SELECT g, 'u' || g || '@example.org', 'l' || g || '@example.org', '+1-555-010-' || lpad(g::text, 4, '0'), 'b' || g || '@example.org'
            FROM generate_series(1, 60) g;
            """);
        await using var conn = new NpgsqlConnection(db.Source);
        await conn.OpenAsync();
        await using (var begin = new NpgsqlCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", conn)) await begin.ExecuteNonQueryAsync();
        var found = (await SensitiveDataScanner.ScanAsync(conn, ServerEndpoint.Parse(ServerRole.Source, db.Source), "public", null, CancellationToken.None))
            .ToDictionary(f => f.Column);

        // The email strategy's stars and keyed_hash's lone hex break the pattern: keyed_email's hex at the same domain
        // fits it. A UNIQUE email not null under LIKE '%@%': keyed_hash keeps it distinct but is no address, keyed_email is both.
        Assert.Equal("\"keyed_email\"", found["email"].Suggested?.ToString());
        Assert.Equal("\"email\" would break \"users_email_check\": \"keyed_email\" fits", found["email"].Evidence[^1]);
        Assert.Equal("\"keyed_email\"", found["login_email"].Suggested?.ToString());
        Assert.Equal("\"keyed_hash\" would break \"users_login_email_check\": \"keyed_email\" fits", found["login_email"].Evidence[^1]);
        // A unique index on an expression of the column keeps it distinct: keyed_hash, not the email mask.
        Assert.Equal("\"keyed_hash\"", found["backup_email"].Suggested?.ToString());
        // A check the first strategy's values meet changes nothing.
        Assert.Equal("\"phone\"", found["phone"].Suggested?.ToString());
        Assert.Equal(["name suggests phone", "100% of 60 sampled non-null values look like phone"], found["phone"].Evidence);
    }

    [Fact]
    public async Task A_partitioned_table_is_reported_once_for_all_its_partitions()
    {
        var db = await fx.Servers.CreateDatabasesAsync("discpart");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE visits (id int, at date, visitor text) PARTITION BY RANGE (at);
            CREATE TABLE visits_2023 PARTITION OF visits FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
            CREATE TABLE visits_2024 PARTITION OF visits FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            INSERT INTO visits SELECT i, DATE '2023-06-01' + i, 'v' || i || '@example.org' FROM generate_series(1, 400) AS i;
            """);
        await using var conn = new NpgsqlConnection(db.Source);
        await conn.OpenAsync();
        var server = ServerEndpoint.Parse(ServerRole.Source, "host=127.0.0.1");
        var schema = await SensitiveDataScanner.ScanAsync(conn, server, "public", null, CancellationToken.None);
        Assert.Equal(["visits.visitor"], schema.Select(f => $"{f.Table.Name}.{f.Column}"));
        Assert.Equal("\"email\"", schema[0].Suggested?.ToString());
        // The clone's gate scans the partitions it copies, each knowing its root.
        var leaves = await SensitiveDataScanner.ScanAsync(conn, server, "public", ["visits_2023", "visits_2024"], CancellationToken.None);
        Assert.Equal(["visits_2023.visitor", "visits_2024.visitor"], leaves.Select(f => $"{f.Table.Name}.{f.Column}"));
        Assert.All(leaves, f => Assert.Equal(new PgClone.Core.Catalog.QualifiedName("public", "visits"), f.PartitionRoot));
    }

    [Fact]
    public async Task A_partition_key_column_is_flagged_without_a_suggestion_saying_why()
    {
        var db = await fx.Servers.CreateDatabasesAsync("discpkey");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE events (id int, email text NOT NULL) PARTITION BY HASH (email);
            CREATE TABLE events_0 PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER 0);
            CREATE TABLE events_1 PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER 1);
            INSERT INTO events SELECT i, 'e' || i || '@example.org' FROM generate_series(1, 200) AS i;
            """);
        await using var conn = new NpgsqlConnection(db.Source);
        await conn.OpenAsync();
        await using (var begin = new NpgsqlCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", conn)) await begin.ExecuteNonQueryAsync();
        var found = Assert.Single(await SensitiveDataScanner.ScanAsync(conn, ServerEndpoint.Parse(ServerRole.Source, db.Source), "public", null, CancellationToken.None));
        Assert.Equal(("email", null), (found.Category, found.Suggested));
        Assert.Equal("in the partition key of \"public\".\"events\": mask it on the target after the clone (mask-in-place)", found.Evidence[^1]);
    }

    [Fact]
    public async Task An_inheritance_childs_inherited_column_gets_no_rule_of_its_own_when_its_parents_covers_it()
    {
        var db = await fx.Servers.CreateDatabasesAsync("discinh");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE person (id int, email text, phone text);
            CREATE TABLE "Emp loyee" (badge text) INHERITS (person);
            CREATE TABLE contractor (agency_email text UNIQUE) INHERITS (person);
            ALTER TABLE contractor ADD UNIQUE (email);
            INSERT INTO person SELECT i, 'p' || i || '@example.org', '+1-555-' || lpad(i::text, 3, '0') || '-1234' FROM generate_series(1, 60) i;
            INSERT INTO "Emp loyee" SELECT i, 'e' || i || '@example.org', NULL, 'B' || i FROM generate_series(1, 60) i;
            INSERT INTO contractor SELECT i, 'c' || i || '@example.org', NULL, 'a' || i || '@agency.example' FROM generate_series(1, 60) i;
            ANALYZE;
            """);
        await using var conn = new NpgsqlConnection(db.Source);
        await conn.OpenAsync();
        var found = await SensitiveDataScanner.ScanAsync(conn, ServerEndpoint.Parse(ServerRole.Source, "host=127.0.0.1"), "public", null, CancellationToken.None);
        Assert.Contains(found, f => f.Table.Name == "Emp loyee" && f.Column == "email");
        Assert.Contains(found, f => f.Table.Name == "Emp loyee" && f.Column == "phone");

        // The child whose email is UNIQUE needs keyed_hash (email's mask would collide), so it keeps its own rule.
        Assert.Equal("""
            {"contractor":{"email":"keyed_hash","agency_email":"keyed_hash"},"person":{"email":"email","phone":"phone"}}
            """.Trim(), SensitiveDataScanner.ToMaskOption(found).ToJsonString());
        // Each column left out is named with the parent whose same rule masks it (the console shows it on its row).
        Assert.Equal(["Emp loyee.email <- person", "Emp loyee.phone <- person", "contractor.phone <- person"],
            SensitiveDataScanner.CoveredBy(found).Select(kv => $"{kv.Key.Table.Name}.{kv.Key.Column} <- {kv.Value.Name}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("contact_email", "email")]
    [InlineData("homePhone", "phone")]
    [InlineData("ip_address", "ip_address")]
    [InlineData("email_address", "email")]
    [InlineData("street_address", "address")]
    [InlineData("DateOfBirth", "date_of_birth")]
    [InlineData("api_key", "secret")]
    [InlineData("cc_number", "credit_card")]
    [InlineData("description", null)]
    [InlineData("capital", null)]
    [InlineData("name", null)]
    [InlineData("phone_type", null)]
    [InlineData("token_expiry", null)]
    [InlineData("password_salt", "secret")]
    [InlineData("refreshToken", "secret")]
    [InlineData("bank_account_number", "iban")]
    [InlineData("drivers_license", "national_id")]
    [InlineData("card_cvv", "credit_card")]
    [InlineData("ship_address", "address")]
    [InlineData("ShipAddress", "address")]
    [InlineData("shipaddress", "address")]
    [InlineData("relationship_address", "address")]
    [InlineData("client_ip_address", "ip_address")]
    [InlineData("remote_addr", "ip_address")]
    [InlineData("homephone", "phone")]
    [InlineData("contactemail", "email")]
    [InlineData("credit_card_no", "credit_card")]
    [InlineData("acc_number", null)]
    public void Name_rules_match_whole_words(string column, string? category) =>
        Assert.Equal(category, SensitiveNames.CategoryOf("products", column));

    [Theory]
    [InlineData("4111 1111 1111 1111", "credit_card")]
    [InlineData("4111 1111 1111 1112", null)]
    [InlineData("GB82 WEST 1234 5698 7654 32", "iban")]
    [InlineData("GB83 WEST 1234 5698 7654 32", null)]
    [InlineData("123-45-6789", "national_id")]
    [InlineData("2001:db8::1", "ip_address")]
    [InlineData("10.1.2.3", "ip_address")]
    [InlineData("+44 20 7946 0958", "phone")]
    [InlineData("2024-03-15", null)]
    [InlineData("12345.67", null)]
    [InlineData("12:30:00", null)]
    public void Value_shapes_use_checksums(string value, string? category) =>
        Assert.Equal(category, ValueShapes.CategoryOf(value));
}
