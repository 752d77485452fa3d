using Npgsql;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Masking;

/// <summary>Masked clones end to end through the engine: what reaches the target, the coverage gate, the proof.</summary>
public sealed class MaskedCloneTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Fixture = """
        CREATE TABLE employees (id int PRIMARY KEY, full_name text, email varchar(60), phone text, salary int, ssn text, hired date, notes text);
        INSERT INTO employees VALUES
            (1, 'Alice Martin', 'alice@example.com', '+1-555-123-4567', 52000, '123-45-6789', '2019-03-01', 'likes tea'),
            (2, 'Bob Stone', 'bob@corp.org', '+44 20 7946 0958', 61000, '987-65-4321', '2020-07-15', NULL),
            (3, 'Chloé Dupont', NULL, NULL, NULL, NULL, NULL, 'new'),
            (4, 'Dan Hill', 'dan@corp.org', '555 0101', 75000, '111-22-3333', '2021-01-04', 'left');
        CREATE TABLE customers (email text PRIMARY KEY, full_name text);
        CREATE TABLE orders (id int PRIMARY KEY, customer_email text REFERENCES customers, total numeric);
        INSERT INTO customers VALUES ('x@shop.example', 'Xavier Ray'), ('y@shop.example', 'Yana Bell');
        INSERT INTO orders VALUES (1, 'x@shop.example', 10), (2, 'y@shop.example', 20), (3, 'x@shop.example', 30);
        """;

    private static CloneRequest Request(TestDatabases db, CloneOperation op, string? schema, string? table, string options) =>
        new(op, ServerEndpoint.Parse(ServerRole.Source, db.Source, "prod"), ServerEndpoint.Parse(ServerRole.Target, db.Target, "dev"), schema, table, CloneOptions.Parse(options));

    private static Task<CloneResult> CloneAsync(CloneRequest request) =>
        new CloneEngine(r => MaskingFactory.Create(r, MaskSql.Secret)).RunAsync(request);

    private static async Task AssertRefusedAsync(TestDatabases db, string table, string options, string problem)
    {
        var request = Request(db, CloneOperation.Table, "public", table, options);
        Assert.Equal($"{request.Source.Describe()}: {problem}", (await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(request))).Message);
    }

    private static string KeepFormat(string v) => string.Concat(v.Select((ch, i) =>
        char.IsAsciiDigit(ch) ? (char)('0' + (ch - '0' + MaskSql.Secret.InnerHash("f:" + v[..i])[0]) % 10) : ch));

    private static string FakeName(string v)
    {
        var h = MaskSql.Secret.Hmac("n:" + v);
        return $"{FakeNames.First[h[0] % 64]} {FakeNames.Last[h[1] % 64]}";
    }

    [Fact]
    public async Task Discovery_output_including_a_generated_column_is_usable_as_the_mask_option()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mgen");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA crm;
            CREATE TABLE crm.people (id int PRIMARY KEY, first_name text, last_name text,
                full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED);
            INSERT INTO crm.people (id, first_name, last_name) VALUES (1, 'Ada', 'Lovelace');
            """);

        // A stored generated column is not copied: the target computes it from the masked name columns.
        await CloneAsync(Request(db, CloneOperation.Schema, "crm", null,
            """{"mask": {"people": {"first_name": "name", "last_name": "name", "full_name": "name"}}}"""));

        Assert.Equal([[1, "XXXX", "XXXX", "XXXX XXXX"]], await PgServers.RowsAsync(db.Target, "SELECT id, first_name, last_name, full_name FROM crm.people"));

        // A rule on the generated column alone would let the target compute it from the real names: refused before any row is copied.
        var onlyGenerated = Request(db, CloneOperation.Schema, "crm", null, """{"conflict": "replace", "mask": {"people": {"last_name": "name", "full_name": "name"}}}""");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(onlyGenerated));
        Assert.Equal($"{onlyGenerated.Source.Describe()}: column \"crm\".\"people\".\"full_name\": its mask rule cannot apply: a generated column is computed on the target " +
                     "from \"first_name\", which has no mask rule; mask that column (the generated column follows them)", e.Message);
        Assert.Equal([[1, "XXXX", "XXXX", "XXXX XXXX"]], await PgServers.RowsAsync(db.Target, "SELECT id, first_name, last_name, full_name FROM crm.people"));
    }

    [Fact]
    public async Task A_rule_on_a_partitioned_table_masks_every_partition_of_a_schema_clone()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mpart");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA crm;
            CREATE TABLE crm.contacts (id int, region text, email text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
            CREATE TABLE crm.contacts_eu PARTITION OF crm.contacts FOR VALUES IN ('eu') PARTITION BY RANGE (id);
            CREATE TABLE crm.contacts_eu_low PARTITION OF crm.contacts_eu FOR VALUES FROM (0) TO (100);
            CREATE TABLE crm.contacts_us PARTITION OF crm.contacts FOR VALUES IN ('us');
            INSERT INTO crm.contacts VALUES (1, 'eu', 'anna@example.eu'), (2, 'us', 'bill@example.com');
            """);

        await CloneAsync(Request(db, CloneOperation.Schema, "crm", null, """{"mask": {"contacts": {"email": "email"}}}"""));

        Assert.Equal([[1, "eu", "a***@example.eu"], [2, "us", "b***@example.com"]],
            await PgServers.RowsAsync(db.Target, "SELECT id, region, email FROM crm.contacts ORDER BY id"));
    }

    [Fact]
    public async Task A_rule_on_a_parent_masks_the_column_in_every_inheritance_child_and_sub_partition()
    {
        // A query of a parent returns its children's rows: a rule on person.name left emp's and stud_emp's names in
        // clear for "SELECT name FROM person" on the target (seen on PostgreSQL's own regression database).
        var db = await fx.Servers.CreateDatabasesAsync("minherit");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA hr;
            CREATE TABLE hr.person (name text, age int, email text);
            CREATE TABLE hr.emp (salary int, manager text) INHERITS (hr.person);
            CREATE TABLE hr.student (gpa float8) INHERITS (hr.person);
            CREATE TABLE hr.stud_emp (percent int) INHERITS (hr.emp, hr.student);
            INSERT INTO hr.person VALUES ('mike', 40, 'mike@example.com');
            INSERT INTO hr.emp VALUES ('sharon', 25, 'sharon@corp.org', 1000, 'mike');
            INSERT INTO hr.student VALUES ('fred', 28, 'fred@uni.edu', 3.7);
            INSERT INTO hr.stud_emp VALUES ('jeff', 23, 'jeff@uni.edu', 600, 'sharon', 3.5, 50);
            CREATE TABLE hr.visits (id int, region text, visitor text) PARTITION BY LIST (region);
            CREATE TABLE hr.visits_eu PARTITION OF hr.visits FOR VALUES IN ('eu') PARTITION BY RANGE (id);
            CREATE TABLE hr.visits_eu_low PARTITION OF hr.visits_eu FOR VALUES FROM (0) TO (100);
            CREATE TABLE hr.visits_us PARTITION OF hr.visits FOR VALUES IN ('us');
            INSERT INTO hr.visits VALUES (1, 'eu', 'anna'), (2, 'us', 'bill');
            """);

        await CloneAsync(Request(db, CloneOperation.Schema, "hr", null, """
            {"require_masking": true, "mask": {"person": {"name": "null", "email": "email"}, "emp": {"salary": {"type": "constant", "value": "1"}, "manager": "null"},
                                               "visits_eu": {"visitor": {"type": "constant", "value": "eu"}}, "visits": {"visitor": "null"}}}
            """));

        // require_masking passed: discovery flags every child's email, which the rule on person covers.
        Assert.Equal([["hr.person", null, 40, "m***@example.com"], ["hr.student", null, 28, "f***@uni.edu"], ["hr.emp", null, 25, "s***@corp.org"], ["hr.stud_emp", null, 23, "j***@uni.edu"]],
            await PgServers.RowsAsync(db.Target, "SELECT tableoid::regclass::text, name, age, email FROM hr.person ORDER BY age DESC"));
        Assert.Equal([["hr.emp", 1, null], ["hr.stud_emp", 1, null]],
            await PgServers.RowsAsync(db.Target, "SELECT tableoid::regclass::text, salary, manager FROM hr.emp ORDER BY 1"));
        Assert.Equal([[3.7], [3.5]], await PgServers.RowsAsync(db.Target, "SELECT gpa FROM hr.student ORDER BY gpa DESC"));
        // The nearest parent's rule wins: a sub-partition takes its partitioned parent's, not the root's.
        Assert.Equal([[1, "eu"], [2, null]], await PgServers.RowsAsync(db.Target, "SELECT id, visitor FROM hr.visits ORDER BY id"));

        // A rule on a parent for a column only its children have masks nothing, and says so.
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(Request(db, CloneOperation.Schema, "hr", null,
            """{"conflict": "replace", "mask": {"person": {"salary": "null"}}}""")));
        Assert.EndsWith("mask rules match no copied column: \"hr\".\"person\".\"salary\"", e.Message);
    }

    [Fact]
    public async Task A_masked_table_clone_with_columns_and_where_never_writes_an_original_value()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mclone");
        await PgServers.ExecAsync(db.Source, Fixture);
        var result = await CloneAsync(Request(db, CloneOperation.Table, "public", "employees", """
            {"mask": {"email": "email", "full_name": "fake_name", "salary": {"type": "random_int", "min": 30000, "max": 30010},
                      "ssn": "keep_format", "hired": {"type": "date_shift", "days": 10}},
             "columns": ["id", "full_name", "email", "salary", "ssn", "hired"], "where": "id <> 4"}
            """));

        var rows = await PgServers.RowsAsync(db.Target, "SELECT id, full_name, email, ssn FROM employees ORDER BY id");
        Assert.Equal([
            [1, FakeName("Alice Martin"), "a***@example.com", KeepFormat("123-45-6789")],
            [2, FakeName("Bob Stone"), "b***@corp.org", KeepFormat("987-65-4321")],
            [3, FakeName("Chloé Dupont"), null, null],
        ], rows);
        Assert.Equal(3L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM employees WHERE salary BETWEEN 30000 AND 30010"));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM employees WHERE hired IS NOT NULL AND hired NOT IN ('2019-03-01', '2020-07-15')"));
        Assert.Equal(["id", "full_name", "email", "salary", "ssn", "hired"],
            (await PgServers.RowsAsync(db.Target, "SELECT attname::text FROM pg_attribute WHERE attrelid = 'employees'::regclass AND attnum > 0 ORDER BY attnum")).Select(r => (string)r[0]!));

        // Read the whole target back: no source value of a masked column appears anywhere in it.
        var targetText = string.Join("|", (await PgServers.RowsAsync(db.Target, "SELECT employees::text FROM employees")).Select(r => (string)r[0]!));
        foreach (var original in new[] { "Alice", "Bob Stone", "Chloé", "alice@", "bob@", "52000", "61000", "123-45-6789", "987-65-4321", "2019-03-01", "2020-07-15" })
            Assert.DoesNotContain(original, targetText);
        Assert.Contains("masking proof: 5 masked columns in 1 table, 3 sampled rows compared with the source by primary key: no original value on the target", result.Notes);
    }

    [Fact]
    public async Task Keyed_hash_on_a_primary_key_and_the_foreign_key_that_references_it_keeps_the_join()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mjoin");
        await PgServers.ExecAsync(db.Source, Fixture);
        var result = await CloneAsync(Request(db, CloneOperation.Schema, "public", null, """
            {"mask": {"customers": {"email": "keyed_hash", "full_name": "name"}, "orders": {"customer_email": "keyed_hash"},
                      "employees": {"email": "hash", "ssn": "null"}}}
            """));
        var hx = Convert.ToHexStringLower(MaskSql.Secret.Hmac("x@shop.example"));
        Assert.Equal([[1, hx, 10m], [2, Convert.ToHexStringLower(MaskSql.Secret.Hmac("y@shop.example")), 20m], [3, hx, 30m]],
            await PgServers.RowsAsync(db.Target, "SELECT o.id, c.email, o.total FROM orders o JOIN customers c ON c.email = o.customer_email ORDER BY o.id"));
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'f'"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM employees WHERE ssn IS NOT NULL"));
        // customers is found on the target through its masked key.
        Assert.Contains("masking proof: 5 masked columns in 3 tables, 9 sampled rows compared with the source by primary key: no original value on the target", result.Notes);
    }

    [Fact]
    public async Task Citext_values_equal_but_for_case_get_equal_masks_so_keys_and_joins_hold_on_the_target()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mcitext");
        await PgServers.ExecAsync(db.Source, """
            CREATE EXTENSION citext;
            CREATE DOMAIN email_t AS citext;
            CREATE DOMAIN login_t AS email_t;
            CREATE TABLE accounts (email login_t PRIMARY KEY, code citext UNIQUE, name citext, plain text);
            CREATE TABLE logins (id int PRIMARY KEY, email citext REFERENCES accounts, code citext REFERENCES accounts (code), name citext);
            INSERT INTO accounts VALUES ('Ann@Example.com', 'AB-12', 'Ann Lee', 'Ann'), ('bo@example.com', 'cd-34', 'Bo', 'Bo');
            INSERT INTO logins VALUES (1, 'ann@example.COM', 'ab-12', 'ANN LEE'), (2, 'BO@EXAMPLE.COM', 'CD-34', 'bo');
            """);
        const string rules = """{"email": "keyed_hash", "code": "keep_format", "name": "fake_name"}""";
        await CloneAsync(Request(db, CloneOperation.Schema, "public", null,
            "{\"mask\": {\"accounts\": " + rules[..^1] + ", \"plain\": \"keyed_hash\"}, \"logins\": " + rules + "}}"));

        // Hashed lower-cased, as citext compares: both spellings of a value get its one mask, and the foreign keys hold.
        string Hash(string v) => Convert.ToHexStringLower(MaskSql.Secret.Hmac(v));
        string Digits(string v) => string.Concat(v.Select((ch, i) =>
            char.IsAsciiDigit(ch) ? (char)('0' + (ch - '0' + MaskSql.Secret.InnerHash("f:" + v[..i].ToLowerInvariant())[0]) % 10) : ch));
        Assert.Equal([[Hash("ann@example.com"), Digits("AB-12"), FakeName("ann lee"), Hash("Ann")],
                      [Hash("bo@example.com"), Digits("cd-34"), FakeName("bo"), Hash("Bo")]],
            await PgServers.RowsAsync(db.Target, "SELECT email::text, code::text, name::text, plain FROM accounts ORDER BY name"));
        Assert.Equal([[1, Hash("ann@example.com"), Digits("ab-12"), FakeName("ann lee")], [2, Hash("bo@example.com"), Digits("CD-34"), FakeName("bo")]],
            await PgServers.RowsAsync(db.Target, "SELECT id, email::text, code::text, name::text FROM logins ORDER BY id"));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target,
            "SELECT count(*) FROM logins l JOIN accounts a ON a.email = l.email AND a.code = l.code AND a.name = l.name"));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'logins'::regclass AND contype = 'f'"));
    }

    [Fact]
    public async Task Deterministic_strategies_give_the_same_mask_for_the_same_value_in_different_tables()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mdet");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE crm (id int PRIMARY KEY, h text, k text, fn text, fe text, ds date, kf text);
            INSERT INTO crm SELECT i, 'v' || i, 'v' || i, 'Name ' || i, 'n' || i || '@x.org', DATE '1990-01-01' + i, '555-01' || i FROM generate_series(1, 50) AS i;
            CREATE TABLE billing AS SELECT * FROM crm;
            ALTER TABLE billing ADD PRIMARY KEY (id);
            """);
        const string rules = """{"h": "hash", "k": "keyed_hash", "fn": "fake_name", "fe": "fake_email", "ds": {"type": "date_shift", "days": 15}, "kf": "keep_format"}""";
        await CloneAsync(Request(db, CloneOperation.Schema, "public", null, "{\"mask\": {\"crm\": " + rules + ", \"billing\": " + rules + "}}"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target,
            "SELECT count(*) FROM crm c JOIN billing b USING (id) WHERE (c.h, c.k, c.fn, c.fe, c.ds, c.kf) IS DISTINCT FROM (b.h, b.k, b.fn, b.fe, b.ds, b.kf)"));
        Assert.Equal(50L, await PgServers.ScalarAsync<long>(db.Target,
            "SELECT count(*) FROM crm WHERE h = md5('v' || id) AND k <> 'v' || id AND fn <> 'Name ' || id AND fe NOT LIKE 'n%@x.org' AND ds <> DATE '1990-01-01' + id"));
    }

    [Fact]
    public async Task Require_masking_fails_before_any_row_is_copied_naming_every_uncovered_sensitive_column()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mgate");
        await PgServers.ExecAsync(db.Source, Fixture);
        var request = Request(db, CloneOperation.Schema, "public", null, """{"require_masking": true, "mask": {"employees": {"email": "email", "ssn": "keep_format"}}}""");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(request));
        Assert.Equal($"{request.Source.Describe()}: require_masking: 6 sensitive columns without a mask rule: " +
                     "\"public\".\"customers\".\"email\" (email), \"public\".\"customers\".\"full_name\" (name), " +
                     "\"public\".\"employees\".\"full_name\" (name), \"public\".\"employees\".\"phone\" (phone), \"public\".\"employees\".\"salary\" (salary), " +
                     "\"public\".\"orders\".\"customer_email\" (email)", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname IN ('employees', 'customers', 'orders')"));

        // Covering them all lets the clone run.
        var covered = Request(db, CloneOperation.Table, "public", "employees", """{"require_masking": true, "mask": {"email": "email", "ssn": "keep_format", "full_name": "name", "phone": "phone", "salary": "null"}}""");
        await CloneAsync(covered);
        Assert.Equal(4L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM employees WHERE full_name = 'XXXX'"));
    }

    [Fact]
    public async Task Wrong_type_and_unsafe_key_rules_fail_the_clone_before_anything_reaches_the_target()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mwrong");
        await PgServers.ExecAsync(db.Source, Fixture);
        await AssertRefusedAsync(db, "employees", """{"mask": {"salary": "email"}}""",
            "column \"public\".\"employees\".\"salary\": mask strategy \"email\" needs a text column, but the column is integer");
        await AssertRefusedAsync(db, "customers", """{"mask": {"email": "email"}}""",
            "column \"public\".\"customers\".\"email\": mask strategy \"email\" cannot mask a column in a PRIMARY KEY: it maps different values to the same mask, so keys would collide or joins would break; use keyed_hash, keyed_email, keep_format or hash, which keep distinct values distinct");
        await AssertRefusedAsync(db, "employees", """{"mask": {"emial": "email"}}""",
            "mask rules match no copied column: \"emial\"");
        await AssertRefusedAsync(db, "employees", """{"mask": {"salary": {"type": "random_int", "min": 1, "max": 3000000000}}}""",
            "column \"public\".\"employees\".\"salary\": mask strategy \"random_int\" draws from 1 to 3000000000, but the column is integer (-2147483648 to 2147483647)");
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname IN ('employees', 'customers')"));
    }

    [Fact]
    public async Task A_mask_on_a_partition_key_or_on_one_side_of_a_foreign_key_is_refused_before_anything_is_written()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mpartfk");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE ev (id int, email text NOT NULL, PRIMARY KEY (email, id)) PARTITION BY HASH (email);
            CREATE TABLE ev0 PARTITION OF ev FOR VALUES WITH (MODULUS 2, REMAINDER 0);
            CREATE TABLE ev1 PARTITION OF ev FOR VALUES WITH (MODULUS 2, REMAINDER 1);
            INSERT INTO ev SELECT g, 'u' || g || '@x.org' FROM generate_series(1, 100) g;
            CREATE TABLE visits (at date, who text) PARTITION BY RANGE ((at + 1));
            CREATE TABLE visits_2024 PARTITION OF visits FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            INSERT INTO visits VALUES ('2024-06-01', 'someone');
            CREATE TABLE pu (email text PRIMARY KEY);
            CREATE TABLE ps (id int PRIMARY KEY, email text REFERENCES pu);
            INSERT INTO pu SELECT 'p' || g || '@x.org' FROM generate_series(1, 10) g;
            INSERT INTO ps SELECT g, 'p' || g || '@x.org' FROM generate_series(1, 10) g;
            """);
        async Task RefusedAsync(string mask, string problem)
        {
            var request = Request(db, CloneOperation.Schema, "public", null, $$"""{"mask": {{mask}}}""");
            Assert.Equal($"{request.Source.Describe()}: {problem}", (await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(request))).Message);
            Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
        }
        const string partition = "its mask rule cannot apply: the column is in the partition key of {0}, and its masked values would belong in other partitions " +
                                 "than their rows (each partition is loaded by itself); leave its rule out and mask it on the target after the clone with " +
                                 "mask-in-place (an UPDATE moves each row to its partition)";
        await RefusedAsync("""{"ev": {"email": "keyed_hash"}, "pu": {"email": "keyed_hash"}, "ps": {"email": "keyed_hash"}}""",
            "column \"public\".\"ev\".\"email\": " + string.Format(partition, "\"public\".\"ev\""));
        // A column a key expression reads is in the key too.
        await RefusedAsync("""{"visits": {"at": {"type": "date_shift", "days": 30}}}""",
            "column \"public\".\"visits\".\"at\": " + string.Format(partition, "\"public\".\"visits\""));
        await RefusedAsync("""{"pu": {"email": "keyed_hash"}}""",
            "foreign key \"ps_email_fkey\" on \"public\".\"ps\": its column \"email\" is unmasked and the column it references, \"public\".\"pu\".\"email\", " +
            "is masked by \"keyed_hash\": the clone's rows would break the key; give both the same deterministic rule (keyed_hash keeps them linked)");
        await RefusedAsync("""{"pu": {"email": "keyed_hash"}, "ps": {"email": "hash"}}""",
            "foreign key \"ps_email_fkey\" on \"public\".\"ps\": its column \"email\" is masked by \"hash\" and the column it references, \"public\".\"pu\".\"email\", " +
            "is masked by \"keyed_hash\": the clone's rows would break the key; give both the same deterministic rule (keyed_hash keeps them linked)");

        // A hash cut to two lengths (varchar(10) against varchar(20)) would break the key too.
        await PgServers.ExecAsync(db.Source, "CREATE TABLE us (email varchar(20) PRIMARY KEY); CREATE TABLE ps2 (email varchar(10) REFERENCES us); " +
                                             "INSERT INTO us VALUES ('a@x.org'); INSERT INTO ps2 VALUES ('a@x.org')");
        await RefusedAsync("""{"us": {"email": "keyed_hash"}, "ps2": {"email": "keyed_hash"}}""",
            "foreign key \"ps2_email_fkey\" on \"public\".\"ps2\": its column \"email\" is masked by \"keyed_hash\" and the column it references, \"public\".\"us\".\"email\", " +
            "is masked by \"keyed_hash\": the clone's rows would break the key; give both the same deterministic rule (keyed_hash keeps them linked), but a hash is cut " +
            "to its column's length: character varying(10) against character varying(20); give both columns one type");
        // keyed_email keeps the domain, of any length: a limit on one side only may cut it there alone.
        await PgServers.ExecAsync(db.Source, "CREATE TABLE ue (email text PRIMARY KEY); CREATE TABLE pe (email varchar(40) REFERENCES ue); " +
                                             "INSERT INTO ue VALUES ('a@x.org'); INSERT INTO pe VALUES ('a@x.org')");
        await RefusedAsync("""{"ue": {"email": "keyed_email"}, "pe": {"email": "keyed_email"}}""",
            "foreign key \"pe_email_fkey\" on \"public\".\"pe\": its column \"email\" is masked by \"keyed_email\" and the column it references, \"public\".\"ue\".\"email\", " +
            "is masked by \"keyed_email\": the clone's rows would break the key; give both the same deterministic rule (keyed_hash keeps them linked), but a hash is cut " +
            "to its column's length: character varying(40) against text; give both columns one type");
        await PgServers.ExecAsync(db.Source, "DROP TABLE ps2, us, pe, ue");

        // Alike on both sides, the key holds; nulled on the referencing side, it holds too.
        await CloneAsync(Request(db, CloneOperation.Schema, "public", null, """{"mask": {"pu": {"email": "keyed_hash"}, "ps": {"email": "keyed_hash"}}}"""));
        Assert.Equal(10L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM ps JOIN pu USING (email) WHERE email NOT LIKE 'p%@x.org'"));

        // A unique key the masks make collide (99 codes cut to 2 hex digits) is refused on the sample, before anything is written.
        var other = await fx.Servers.CreateDatabasesAsync("mpartfk2");
        await PgServers.ExecAsync(other.Source, "CREATE TABLE codes (id int PRIMARY KEY, code varchar(2) UNIQUE); INSERT INTO codes SELECT g, lpad(g::text, 2, '0') FROM generate_series(1, 99) g");
        var sampled = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(Request(other, CloneOperation.Table, "public", "codes", """{"mask": {"code": "keyed_hash"}}""")));
        Assert.Matches("""^source 'prod' \(127\.0\.0\.1:\d+\): column "public"\."codes"\."code": its mask rule "keyed_hash" gives \d+ values? of a sample of 99 rows the mask of another, """ +
                      """but the column is in a unique key by itself \(character varying\(2\): a hash cut to its length repeats\); widen the column, or choose a rule that keeps """ +
                      """distinct values distinct in it \(keep_format\)$""", sampled.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(other.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
        // Past the sample (its first 1,000 rows hold no code), the index build fails, explained with the masks.
        await PgServers.ExecAsync(other.Source, "CREATE TABLE late (id int PRIMARY KEY, code varchar(2) UNIQUE); INSERT INTO late SELECT g, NULL FROM generate_series(1, 1000) g; " +
                                                "INSERT INTO late SELECT 1000 + g, lpad(g::text, 2, '0') FROM generate_series(1, 99) g");
        var collide = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(Request(other, CloneOperation.Table, "public", "late", """{"mask": {"code": "keyed_hash"}}""")));
        Assert.EndsWith("could not create unique index \"late_code_key\": masked values collide in it: a mask rule on one of its columns gave different values " +
                        "the same mask (the source's values are distinct); use keyed_hash, keep_format or hash there, on a column long enough for distinct values " +
                        "(a keyed_hash cut to a short column repeats)", collide.Message);
    }

    [Fact]
    public async Task Masks_a_check_or_a_domain_refuses_are_refused_before_anything_is_written_naming_the_constraint_and_the_rule()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mcheck");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE u (id int PRIMARY KEY, email varchar(100) CHECK (email LIKE '%@%'), note text);
            INSERT INTO u SELECT g, 'user' || g || '@example.org', NULL FROM generate_series(1, 50) g;
            CREATE DOMAIN longname AS text CHECK (length(VALUE) >= 12);
            CREATE TABLE p (id int PRIMARY KEY, full_name longname);
            INSERT INTO p VALUES (1, 'Bartholomew Featherstonehaugh');
            """);
        async Task RefusedAsync(string table, string mask, string problem)
        {
            var request = Request(db, CloneOperation.Table, "public", table, $$"""{"mask": {{mask}}}""");
            Assert.Equal($"{request.Source.Describe()}: {problem}", (await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(request))).Message);
            Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
        }
        await RefusedAsync("u", """{"email": "keyed_hash"}""",
            "check constraint \"u_email_check\" on \"public\".\"u\": the masked values of 50 sampled rows of 50 break it (CHECK ((email)::text ~~ '%@%'::text)), " +
            "under the mask rules \"email\" \"keyed_hash\"; choose rules whose values it accepts, or leave the column unmasked");
        await RefusedAsync("p", """{"full_name": "name"}""",
            "table \"public\".\"p\": a mask rule's values do not fit their column's type: value for domain public.longname violates check constraint \"longname_check\", " +
            "for a sampled row; choose a rule whose values the domain accepts (\"full_name\" \"name\")");

        // A row past the sample the constraint refuses fails the load, which names the masks as the likely cause.
        await PgServers.ExecAsync(db.Source, "CREATE TABLE late (id int PRIMARY KEY, note text CHECK (id <= 1000 OR note = 'keep')); " +
                                             "INSERT INTO late SELECT g, 'keep' FROM generate_series(1, 1001) g");
        var late = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(Request(db, CloneOperation.Table, "public", "late", """{"mask": {"note": {"type": "constant", "value": "x"}}}""")));
        Assert.EndsWith("violates check constraint \"late_check\": a mask rule likely gave a value the constraint refuses (the sample checked before the run, " +
                        "the table's first 1000 rows, passed); choose rules whose values it accepts", late.Message);
        await PgServers.ExecAsync(db.Target, "DROP TABLE IF EXISTS late");

        // Rules whose values fit go through.
        await CloneAsync(Request(db, CloneOperation.Table, "public", "u", """{"mask": {"email": "email"}}"""));
        Assert.Equal(50L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM u WHERE email LIKE '%@%' AND email NOT LIKE 'user%'"));
    }

    /// <summary>
    /// A key the masks break, not the source: values equal only under a nondeterministic collation ('Alice', 'alice')
    /// hash apart, so the masked referencing row names no masked key. The error says the masks may be why.
    /// </summary>
    [Fact]
    public async Task A_foreign_key_the_masks_break_is_explained_with_the_masks()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mfkci");
        await PgServers.ExecAsync(db.Source, """
            CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
            CREATE TABLE accounts (login text COLLATE ci PRIMARY KEY);
            CREATE TABLE sessions (id int PRIMARY KEY, login text COLLATE ci REFERENCES accounts);
            INSERT INTO accounts VALUES ('Alice');
            INSERT INTO sessions VALUES (1, 'alice');
            """);
        var request = Request(db, CloneOperation.Schema, "public", null, """{"mask": {"accounts": {"login": "keyed_hash"}, "sessions": {"login": "keyed_hash"}}}""");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(request));
        Assert.EndsWith("violates foreign key constraint \"sessions_login_fkey\": the mask rules may have given the referencing and the referenced columns different values " +
                        "(each needs the same keyed rule, and values equal only under a nondeterministic collation hash apart); or the source's rows break it too " +
                        "(written while its triggers were disabled, or under session_replication_role = replica), unless a filter or subset left out the rows they reference", e.Message);
    }

    [Fact]
    public async Task Keyed_masks_run_in_the_engine_so_the_source_query_holds_no_key_and_the_clone_equals_the_sql_expressions()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mstream");
        await PgServers.ExecAsync(db.Source, Fixture);
        var request = Request(db, CloneOperation.Schema, "public", null, """
            {"mask": {"customers": {"email": "keyed_hash", "full_name": "fake_name"}, "orders": {"customer_email": "keyed_hash"},
                      "employees": {"ssn": "keep_format", "hired": {"type": "date_shift", "days": 20}, "email": "fake_email", "phone": "phone", "full_name": "partial"}}}
            """);
        var plan = await PgClone.Tests.Core.Ddl.CloneKit.PlanAsync(request, MaskingFactory.Create(request, MaskSql.Secret));
        Assert.Equal(8, plan.Tables.Sum(t => t.StreamMasks.Count));
        Assert.All(plan.Tables.SelectMany(t => t.SourceExpressions), e => Assert.DoesNotContain("decode(", e));

        await CloneAsync(request);
        Assert.Equal(3L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM orders JOIN customers ON customer_email = email"));
        foreach (var (table, column, rule, type) in new[]
        {
            ("customers", "email", "\"keyed_hash\"", "text"), ("customers", "full_name", "\"fake_name\"", "text"),
            ("orders", "customer_email", "\"keyed_hash\"", "text"), ("employees", "ssn", "\"keep_format\"", "text"),
            ("employees", "hired", """{"type": "date_shift", "days": 20}""", "date"), ("employees", "email", "\"fake_email\"", "character varying(60)"),
            ("employees", "phone", "\"phone\"", "text"), ("employees", "full_name", "\"partial\"", "text"),
        })
        {
            var values = (await PgServers.RowsAsync(db.Source, $"SELECT {column}::text FROM {table} ORDER BY 1")).Select(r => (string?)r[0]).ToArray();
            var expected = (await MaskSql.ApplyAsync(db.Source, rule, type, values)).Order(StringComparer.Ordinal).ToList();
            var actual = (await PgServers.RowsAsync(db.Target, $"SELECT {column}::text FROM {table}")).Select(r => (string?)r[0]).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public async Task Domains_are_judged_by_their_base_type_and_unique_indexes_count_as_keys_before_any_row_is_copied()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mdomain");
        await PgServers.ExecAsync(db.Source, """
            CREATE DOMAIN email_t AS text CHECK (VALUE LIKE '%@%');
            CREATE DOMAIN points_t AS integer;
            CREATE TABLE members (id int PRIMARY KEY, email email_t, points points_t, login text);
            CREATE UNIQUE INDEX members_login ON members (login);
            INSERT INTO members VALUES (1, 'ann@example.com', 10, 'ann'), (2, 'ben@example.org', 20, 'ben');
            """);
        await CloneAsync(Request(db, CloneOperation.Table, "public", "members", """{"mask": {"email": "email", "login": "keyed_hash"}}"""));
        Assert.Equal([[1, "a***@example.com"], [2, "b***@example.org"]], await PgServers.RowsAsync(db.Target, "SELECT id, email::text FROM members ORDER BY id"));

        await PgServers.ExecAsync(db.Target, "DROP TABLE members");
        await AssertRefusedAsync(db, "members", """{"mask": {"points": "email"}}""",
            "column \"public\".\"members\".\"points\": mask strategy \"email\" needs a text column, but the column is public.points_t");
        await AssertRefusedAsync(db, "members", """{"mask": {"login": "name"}}""",
            "column \"public\".\"members\".\"login\": mask strategy \"name\" cannot mask a column in a UNIQUE: it maps different values to the same mask, so keys would collide or joins would break; use keyed_hash, keyed_email, keep_format or hash, which keep distinct values distinct");
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 'members'"));
    }

    [Fact]
    public async Task The_proof_fails_naming_the_column_when_a_masked_column_holds_source_values()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mproof");
        await PgServers.ExecAsync(db.Source, Fixture);
        await PgServers.ExecAsync(db.Target, "CREATE TABLE employees (id int PRIMARY KEY, email varchar(60), full_name text); " +
            "INSERT INTO employees VALUES (1, 'alice@example.com', 'XXXX'), (2, 'b***@corp.org', 'XXXX'), (3, NULL, 'XXXX')");
        await PgServers.ExecAsync(db.Source, "UPDATE employees SET full_name = 'XXXX' WHERE id = 3");
        var employees = new QualifiedName("public", "employees");
        var plan = new ClonePlan { Tables = [new TableData(employees, employees, ["id", "email", "full_name"], ["\"id\"", "\"email\"", "\"full_name\""], "id <= 3", 0, 3)] };
        var email = new MaskColumn(employees, "email", "character varying(60)", false, false, false);
        var name = new MaskColumn(employees, "full_name", "text", false, false, false);
        // What a broken planner would do: claim the column is masked while copying it as is.
        MaskedColumn[] masked = [new(email, new MaskRule(MaskStrategy.Email), "\"email\""), new(name, new MaskRule(MaskStrategy.Name), MaskExpressions.For(new MaskRule(MaskStrategy.Name), name, MaskSql.Secret.InlineSql()))];
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source, "prod");
        var target = ServerEndpoint.Parse(ServerRole.Target, db.Target, "dev");
        await using var s = new NpgsqlConnection(db.Source);
        await using var t = new NpgsqlConnection(db.Target);
        await s.OpenAsync();
        await t.OpenAsync();
        var e = await Assert.ThrowsAsync<PgCloneException>(() => MaskProof.ProveAsync(s, t, source, target, plan, masked, MaskSql.Secret.InlineSql(), CancellationToken.None));
        Assert.Equal($"{target.Describe()}: masking proof failed: \"public\".\"employees\".\"email\" (email) equals its source value in 1 of 3 sampled rows", e.Message);

        await PgServers.ExecAsync(db.Target, "UPDATE employees SET email = 'a***@example.com' WHERE id = 1");
        // Row 3's name was already XXXX on the source: a legitimate collision, not a leak.
        Assert.Equal("masking proof: 2 masked columns in 1 table, 3 sampled rows compared with the source by primary key: no original value on the target (1 legitimate collision)",
            await MaskProof.ProveAsync(s, t, source, target, plan, masked, MaskSql.Secret.InlineSql(), CancellationToken.None));
    }
}
