using System.Text.Json;
using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Verification;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Verification;

public sealed class SchemaDifferTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>The same schema built on both servers, as a clone leaves it.</summary>
    private const string App = """
        CREATE SCHEMA app;
        CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN app.positive AS int NOT NULL CHECK (VALUE > 0);
        CREATE TYPE app.pair AS (a int, b text);
        CREATE TYPE app.floatrange AS RANGE (subtype = float8);
        CREATE SEQUENCE app.counter START 10 INCREMENT 5;
        CREATE TABLE app.customers(
            id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, mood app.mood DEFAULT 'ok', n app.positive,
            created timestamptz DEFAULT now(), CONSTRAINT name_len CHECK (length(name) < 100));
        CREATE TABLE app.orders(id bigserial PRIMARY KEY, customer_id int REFERENCES app.customers(id), total numeric(10,2), qty int,
            UNIQUE (customer_id, id));
        CREATE INDEX orders_total_idx ON app.orders(total);
        CREATE TABLE app.events(id int, at date) PARTITION BY RANGE (at);
        CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
        CREATE VIEW app.big_orders AS SELECT id, total FROM app.orders WHERE total > 100;
        CREATE MATERIALIZED VIEW app.order_totals AS SELECT customer_id, sum(total) AS total FROM app.orders GROUP BY customer_id;
        CREATE FUNCTION app.add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
        CREATE PROCEDURE app.noop() LANGUAGE sql AS 'SELECT 1';
        """;

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The other kinds pg_dump emits, schema-level then database-wide; none in these schemas.</summary>
    private static readonly string[] KindCategories =
        ["aggregates", "operators", "operator_families", "operator_classes", "text_search", "conversions", "casts", "rules", "foreign_tables",
         "policies", "statistics", "collations", "comments", "access_methods", "foreign_servers", "publications", "default_privileges", "event_triggers", "privileges"];

    private static readonly string[] Categories =
        ["tables", "indexes", "constraints", "triggers", "views", "materialized_views", "sequences", "functions", "types", .. KindCategories];

    private async Task<TestDatabases> AppAsync(string prefix)
    {
        var db = await fx.Servers.CreateDatabasesAsync(prefix);
        await Task.WhenAll(PgServers.ExecAsync(db.Source, App), PgServers.ExecAsync(db.Target, App));
        return db;
    }

    private static Task<SchemaDiffResult> DiffAsync(TestDatabases db) =>
        new SchemaDiffer().DiffAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target), "app");

    /// <summary>
    /// <c>s IN ('a', 'b')</c> on a varchar column prints otherwise once created again (by a clone, as by pg_dump | psql):
    /// the same constraint and predicate, not drift; a list that really differs still is.
    /// </summary>
    [Fact]
    public async Task A_varchar_in_list_reprinted_by_its_restore_is_in_sync_and_a_changed_list_is_not()
    {
        var db = await fx.Servers.CreateDatabasesAsync("diff_inlist");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA app;
            CREATE TABLE app.o (s varchar(16) CONSTRAINT s_known CHECK (s IN ('new', 'it''s paid')), c char(2) CHECK (c IN ('x', 'y')));
            CREATE INDEX o_open ON app.o (s) WHERE s IN ('new', 'open');
            """);
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "app");
        Assert.Equal("CHECK (((s)::text = ANY (ARRAY[('new'::character varying)::text, ('it''s paid'::character varying)::text])))",
            await PgServers.ScalarAsync<string>(db.Target, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 's_known'"));

        Assert.True((await DiffAsync(db)).InSync);

        await PgServers.ExecAsync(db.Target, "ALTER TABLE app.o DROP CONSTRAINT s_known, ADD CONSTRAINT s_known CHECK (s IN ('new', 'paid'))");
        var drift = await DiffAsync(db);
        Assert.Equal(["s_known"], drift.Categories.Single(c => c.Category == "constraints").Modified.Select(m => m.Name.Split('.')[^1]));
    }

    [Fact]
    public async Task Identical_schemas_are_in_sync()
    {
        var db = await AppAsync("diff_same");

        var json = (await DiffAsync(db)).ToJsonText(indented: false);

        var zero = """{"only_in_source":0,"only_in_target":0,"modified":0}""";
        var empty = """{"only_in_source":[],"only_in_target":[],"modified":[]}""";
        Assert.Equal(
            """{"schema":"app","database_wide":true,"in_sync":true,"diff_count":0,"summary":{""" +
            string.Join(",", Categories.Select(c => $"\"{c}\":{zero}")) + "}," +
            string.Join(",", Categories.Select(c => $"\"{c}\":{empty}")) + "}",
            json);
    }

    [Fact]
    public async Task Drift_in_every_category_is_detected_and_named()
    {
        var db = await AppAsync("diff_drift");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE app.legacy(id int)");
        await PgServers.ExecAsync(db.Target, """
            ALTER TABLE app.customers ALTER COLUMN name DROP NOT NULL, ALTER COLUMN created SET DEFAULT '2020-01-01 00:00:00+00';
            ALTER TABLE app.orders ALTER COLUMN qty TYPE bigint, ADD COLUMN note text;
            CREATE TABLE app.scratch(id int);
            DROP INDEX app.orders_total_idx; CREATE INDEX orders_total_idx ON app.orders(total DESC);
            CREATE INDEX orders_qty_idx ON app.orders(qty);
            ALTER TABLE app.customers DROP CONSTRAINT name_len, ADD CONSTRAINT name_len CHECK (length(name) < 50);
            DROP TRIGGER orders_touch ON app.orders;
            CREATE OR REPLACE VIEW app.big_orders AS SELECT id, total FROM app.orders WHERE total > 200;
            DROP MATERIALIZED VIEW app.order_totals;
            ALTER SEQUENCE app.counter INCREMENT 1;
            CREATE OR REPLACE FUNCTION app.add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT b + a';
            CREATE FUNCTION app.extra() RETURNS int LANGUAGE sql AS 'SELECT 1';
            ALTER TYPE app.mood ADD VALUE 'angry';
            ALTER TABLE app.events DETACH PARTITION app.events_2024;
            ALTER TABLE app.events ATTACH PARTITION app.events_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
            """);

        var result = await DiffAsync(db);
        var json = JsonNode.Parse(result.ToJsonText(indented: false))!;

        Assert.False(result.InSync);
        Assert.Equal(15, json["diff_count"]!.GetValue<int>());
        Assert.Equal("""
            {"tables":{"only_in_source":1,"only_in_target":1,"modified":3},"indexes":{"only_in_source":0,"only_in_target":1,"modified":1},"constraints":{"only_in_source":0,"only_in_target":0,"modified":1},"triggers":{"only_in_source":1,"only_in_target":0,"modified":0},"views":{"only_in_source":0,"only_in_target":0,"modified":1},"materialized_views":{"only_in_source":1,"only_in_target":0,"modified":0},"sequences":{"only_in_source":0,"only_in_target":0,"modified":1},"functions":{"only_in_source":0,"only_in_target":1,"modified":1},"types":{"only_in_source":0,"only_in_target":0,"modified":1},
            """.Trim() + string.Join(",", KindCategories.Select(c => $"\"{c}\":{{\"only_in_source\":0,\"only_in_target\":0,\"modified\":0}}")) + "}",
            json["summary"]!.ToJsonString(Relaxed));

        Assert.Equal("""{"only_in_source":["legacy"],"only_in_target":["scratch"]}""",
            new JsonObject { ["only_in_source"] = json["tables"]!["only_in_source"]!.DeepClone(), ["only_in_target"] = json["tables"]!["only_in_target"]!.DeepClone() }.ToJsonString(Relaxed));
        Assert.Equal("""
            [{"column":"name","drift":"not_null","source":"NOT NULL","target":"NULL"},{"column":"created","drift":"default","source":"now()","target":"'2020-01-01 00:00:00+00'::timestamp with time zone"}]
            """.Trim(), json["tables"]!["modified"]![0]!["columns"]!.ToJsonString(Relaxed));
        Assert.Equal("customers", json["tables"]!["modified"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("""
            {"name":"events_2024","source":"(\"id\" integer, \"at\" date) PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')","target":"(\"id\" integer, \"at\" date) PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2024-07-01')","columns":[]}
            """.Trim(), json["tables"]!["modified"]![1]!.ToJsonString(Relaxed));
        Assert.Equal("orders", json["tables"]!["modified"]![2]!["name"]!.GetValue<string>());
        Assert.Equal("""
            [{"column":"qty","drift":"type","source":"integer","target":"bigint"},{"column":"note","drift":"only_in_target","source":null,"target":"\"note\" text"}]
            """.Trim(), json["tables"]!["modified"]![2]!["columns"]!.ToJsonString(Relaxed));

        Assert.Equal(["orders_qty_idx"], result.Categories[1].OnlyInTarget);
        var index = Assert.Single(result.Categories[1].Modified);
        Assert.Equal(("orders_total_idx", "CREATE INDEX orders_total_idx ON app.orders USING btree (total)", "CREATE INDEX orders_total_idx ON app.orders USING btree (total DESC)"),
            (index.Name, index.Source, index.Target));
        var check = Assert.Single(result.Categories[2].Modified);
        Assert.Equal(("customers.name_len", "CHECK ((length(name) < 100))", "CHECK ((length(name) < 50))"), (check.Name, check.Source, check.Target));
        Assert.Equal(["orders.orders_touch"], result.Categories[3].OnlyInSource);
        var view = Assert.Single(result.Categories[4].Modified);
        Assert.Equal("big_orders", view.Name);
        Assert.Contains("(100)::numeric", view.Source);
        Assert.Contains("(200)::numeric", view.Target);
        Assert.Equal(["order_totals"], result.Categories[5].OnlyInSource);
        var seq = Assert.Single(result.Categories[6].Modified);
        Assert.Equal(("counter", "AS bigint INCREMENT BY 5 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 10 CACHE 1 NO CYCLE",
            "AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 10 CACHE 1 NO CYCLE"), (seq.Name, seq.Source, seq.Target));
        Assert.Equal(["extra()"], result.Categories[7].OnlyInTarget);
        var function = Assert.Single(result.Categories[7].Modified);
        Assert.Equal("add(a integer, b integer)", function.Name);
        Assert.Contains("SELECT a + b", function.Source);
        Assert.Contains("SELECT b + a", function.Target);
        var type = Assert.Single(result.Categories[8].Modified);
        Assert.Equal(("mood", "ENUM ('sad', 'ok', 'happy')", "ENUM ('sad', 'ok', 'happy', 'angry')"), (type.Name, type.Source, type.Target));
    }

    [Fact]
    public async Task Trigger_states_table_options_row_security_policies_statistics_collations_and_comments_are_compared()
    {
        var db = await AppAsync("diff_more");
        const string more = """
            CREATE TABLE app.base(id int);
            CREATE TABLE app.child(extra text) INHERITS (app.base);
            CREATE TABLE app.notes(id int PRIMARY KEY, body text, owner name);
            CREATE POLICY own ON app.notes FOR SELECT TO PUBLIC USING (owner = current_user);
            CREATE STATISTICS app.orders_stats (dependencies) ON customer_id, qty FROM app.orders;
            CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
            COMMENT ON TABLE app.orders IS 'orders';
            COMMENT ON COLUMN app.orders.qty IS 'pieces';
            """;
        await Task.WhenAll(PgServers.ExecAsync(db.Source, more), PgServers.ExecAsync(db.Target, more));
        await PgServers.ExecAsync(db.Target, """
            ALTER TABLE app.orders DISABLE TRIGGER orders_touch;
            ALTER TABLE app.customers SET (fillfactor = 70), REPLICA IDENTITY FULL;
            ALTER TABLE app.child NO INHERIT app.base;
            ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY;
            ALTER POLICY own ON app.notes USING (true);
            ALTER STATISTICS app.orders_stats SET STATISTICS 50;
            DROP COLLATION app.ci;
            COMMENT ON COLUMN app.orders.qty IS 'units';
            COMMENT ON TABLE app.orders IS NULL;
            """);

        var result = await DiffAsync(db);

        string Drift(string category) => string.Join(" | ", result.Categories.Single(c => c.Category == category) is var c
            ? c.OnlyInSource.Select(n => "-" + n).Concat(c.OnlyInTarget.Select(n => "+" + n)).Concat(c.Modified.Select(m => $"{m.Name}: {m.Source} => {m.Target}"))
            : []);
        Assert.Equal("orders.orders_touch: CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch() => " +
            "CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch() (DISABLED)", Drift("triggers"));
        Assert.Equal("child: (\"id\" integer, \"extra\" text) INHERITS (app.base) => (\"id\" integer, \"extra\" text) | " +
            "customers: (\"id\" integer NOT NULL GENERATED ALWAYS AS IDENTITY, \"name\" text NOT NULL, \"mood\" app.mood DEFAULT 'ok'::app.mood, " +
            "\"n\" app.positive, \"created\" timestamp with time zone DEFAULT now()) => (\"id\" integer NOT NULL GENERATED ALWAYS AS IDENTITY, " +
            "\"name\" text NOT NULL, \"mood\" app.mood DEFAULT 'ok'::app.mood, \"n\" app.positive, \"created\" timestamp with time zone DEFAULT now()) " +
            "WITH (fillfactor=70) REPLICA IDENTITY FULL | " +
            "notes: (\"id\" integer NOT NULL, \"body\" text, \"owner\" name) => (\"id\" integer NOT NULL, \"body\" text, \"owner\" name) ROW LEVEL SECURITY",
            Drift("tables"));
        Assert.Equal("notes.own: PERMISSIVE FOR SELECT TO PUBLIC USING ((owner = CURRENT_USER)) => PERMISSIVE FOR SELECT TO PUBLIC USING (true)", Drift("policies"));
        Assert.Equal("orders_stats: CREATE STATISTICS app.orders_stats (dependencies) ON customer_id, qty FROM app.orders => " +
            "CREATE STATISTICS app.orders_stats (dependencies) ON customer_id, qty FROM app.orders STATISTICS 50", Drift("statistics"));
        Assert.Equal("-ci", Drift("collations"));
        Assert.Equal("-table app.orders | table column app.orders.qty: pieces => units", Drift("comments"));
        Assert.Equal(9, result.DiffCount);
    }

    [Fact]
    public async Task A_schema_missing_on_the_target_lists_everything_as_only_in_source()
    {
        var db = await fx.Servers.CreateDatabasesAsync("diff_notarget");
        await PgServers.ExecAsync(db.Source, App);

        var result = await DiffAsync(db);

        Assert.False(result.InSync);
        Assert.All(result.Categories, c => Assert.Empty(c.OnlyInTarget.Concat(c.Modified.Select(m => m.Name))));
        Assert.Equal(["customers", "events", "events_2024", "orders"], result.Categories[0].OnlyInSource);
        Assert.Equal(["add(a integer, b integer)", "noop()", "touch()"], result.Categories[7].OnlyInSource);
        Assert.Equal(["floatrange", "mood", "pair", "positive"], result.Categories[8].OnlyInSource);
    }

    [Fact]
    public async Task Foreign_keys_partitions_inherit_compare_by_their_parent_key_not_their_history_dependent_names()
    {
        var db = await fx.Servers.CreateDatabasesAsync("diff_partfk");
        const string common = """
            CREATE SCHEMA app;
            CREATE TABLE app.accounts(id int PRIMARY KEY);
            CREATE TABLE app.ledger(id int, account int, at date) PARTITION BY RANGE (at);
            CREATE TABLE app.refs(id int PRIMARY KEY, ledger_key int);
            CREATE TABLE app.keyed(k int PRIMARY KEY) PARTITION BY RANGE (k);
            CREATE TABLE app.keyed_low PARTITION OF app.keyed FOR VALUES FROM (0) TO (100);
            """;
        // The source's partition had its own key before it was attached, so it kept its own name; the target is
        // made as a restore makes it (the key on the parent, the partition gets the parent's).
        await PgServers.ExecAsync(db.Source, common + """
            CREATE TABLE app.ledger_2024(id int, account int CONSTRAINT "old key" REFERENCES app.accounts, at date);
            ALTER TABLE app.ledger ATTACH PARTITION app.ledger_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            ALTER TABLE app.ledger ADD CONSTRAINT ledger_account_fkey FOREIGN KEY (account) REFERENCES app.accounts;
            ALTER TABLE app.refs ADD CONSTRAINT keyed_fk FOREIGN KEY (ledger_key) REFERENCES app.keyed;
            CREATE TABLE app.keyed_high PARTITION OF app.keyed FOR VALUES FROM (100) TO (200);
            """);
        await PgServers.ExecAsync(db.Target, common + """
            CREATE TABLE app.keyed_high PARTITION OF app.keyed FOR VALUES FROM (100) TO (200);
            CREATE TABLE app.refs_fkey_keyed_high(x int);
            ALTER TABLE app.refs ADD CONSTRAINT keyed_fk FOREIGN KEY (ledger_key) REFERENCES app.keyed;
            CREATE TABLE app.ledger_2024 PARTITION OF app.ledger FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            ALTER TABLE app.ledger ADD CONSTRAINT ledger_account_fkey FOREIGN KEY (account) REFERENCES app.accounts;
            DROP TABLE app.refs_fkey_keyed_high;
            """);
        var names = await PgServers.RowsAsync(db.Source, "SELECT conname::text FROM pg_constraint WHERE conrelid = 'app.ledger_2024'::regclass");
        Assert.Equal("old key", Assert.Single(names)[0]);

        var constraints = (await DiffAsync(db)).Categories[2];

        Assert.Equal(("constraints", 0, 0, 0), (constraints.Category, constraints.OnlyInSource.Count, constraints.OnlyInTarget.Count, constraints.Modified.Count));

        // Without the parent's key the partitions' inherited ones are missing too, each named by that key.
        await PgServers.ExecAsync(db.Target, "ALTER TABLE app.ledger DROP CONSTRAINT ledger_account_fkey");
        Assert.Equal(["ledger.ledger_account_fkey", "ledger_2024.ledger_account_fkey (inherited, references app.accounts)"],
            (await DiffAsync(db)).Categories[2].OnlyInSource);
    }

    [Fact]
    public async Task Columns_in_another_order_are_drift_with_their_positions_and_an_added_column_moves_none()
    {
        var db = await fx.Servers.CreateDatabasesAsync("diff_order");
        // The source's partition was made with its own column order and attached; the target's was made as the
        // parent's partition (its order), as a clone that lost the order would leave it.
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA app;
            CREATE TABLE app.events(id int, "At" date, note text) PARTITION BY RANGE ("At");
            CREATE TABLE app.events_2024(note text, "At" date, id int);
            ALTER TABLE app.events ATTACH PARTITION app.events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE app.wide(a int, b int, c int);
            """);
        await PgServers.ExecAsync(db.Target, """
            CREATE SCHEMA app;
            CREATE TABLE app.events(id int, "At" date, note text) PARTITION BY RANGE ("At");
            CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE app.wide(a int, x int, b int, c int);
            """);

        var tables = (await DiffAsync(db)).Categories[0].Modified.ToDictionary(m => m.Name);

        Assert.Equal(["events_2024", "wide"], tables.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([("note", "position", "1", "3"), ("id", "position", "3", "1")], Drifts(tables["events_2024"]));
        // A column only the target has moves none of the others.
        Assert.Equal([("x", "only_in_target", null, "\"x\" integer")], Drifts(tables["wide"]));
        // Added on the source at the end, it is the one out of place there.
        await PgServers.ExecAsync(db.Source, "ALTER TABLE app.wide ADD COLUMN x int");
        var wide = Assert.Single((await DiffAsync(db)).Categories[0].Modified, m => m.Name == "wide");
        Assert.Equal([("b", "position", "2", "3"), ("c", "position", "3", "4"), ("x", "position", "4", "2")], Drifts(wide));
    }

    private static List<(string, string, string?, string?)> Drifts(ModifiedObject table) =>
        [.. table.Columns!.Select(c => (c.Column, c.Drift, c.Source, c.Target))];

    [Fact]
    public async Task View_options_defaults_clustering_toast_options_owned_sequences_and_attribute_collations_are_compared_but_option_order_and_default_text_are_not()
    {
        var db = await AppAsync("diff_options");
        const string nextCode = "CREATE FUNCTION app.next_code() RETURNS int LANGUAGE sql AS 'SELECT 1';";
        await PgServers.ExecAsync(db.Source, nextCode + """
            CREATE VIEW app.secure WITH (security_invoker = true, security_barrier = true) AS SELECT id FROM app.orders;
            CREATE VIEW app.checked WITH (check_option = local) AS SELECT id, total FROM app.orders WHERE total > 0;
            CREATE VIEW app.defaulted AS SELECT id, total FROM app.orders;
            ALTER VIEW app.defaulted ALTER COLUMN total SET DEFAULT 0;
            CLUSTER app.orders USING orders_total_idx;
            ALTER TABLE app.customers SET (toast.autovacuum_enabled = false);
            CREATE SEQUENCE app.owned OWNED BY app.orders.qty;
            CREATE TYPE app.named AS (x text COLLATE "C");
            SET search_path = app;
            CREATE DOMAIN app.coded AS int DEFAULT next_code();
            RESET search_path;
            CREATE FOREIGN DATA WRAPPER diff_fdw OPTIONS (a '1', b '2');
            ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;
            ALTER DEFAULT PRIVILEGES REVOKE ALL ON TABLES FROM CURRENT_USER;
            """);
        await PgServers.ExecAsync(db.Target, nextCode + """
            CREATE VIEW app.secure AS SELECT id FROM app.orders;
            CREATE VIEW app.checked AS SELECT id, total FROM app.orders WHERE total > 0;
            CREATE VIEW app.defaulted AS SELECT id, total FROM app.orders;
            CREATE SEQUENCE app.owned;
            CREATE TYPE app.named AS (x text COLLATE "POSIX");
            CREATE DOMAIN app.coded AS int DEFAULT app.next_code();
            CREATE FOREIGN DATA WRAPPER diff_fdw OPTIONS (b '2', a '1');
            ALTER DEFAULT PRIVILEGES REVOKE ALL ON TABLES FROM CURRENT_USER;
            """);

        var result = await DiffAsync(db);

        ModifiedObject Modified(string category, string name) => result.Categories.Single(c => c.Category == category).Modified.Single(m => m.Name == name);
        var views = result.Categories.Single(c => c.Category == "views").Modified;
        Assert.Equal(["checked", "defaulted", "secure"], views.Select(m => m.Name));
        Assert.EndsWith(" WITH (security_barrier=true, security_invoker=true)", Modified("views", "secure").Source);
        Assert.DoesNotContain(" WITH (", Modified("views", "secure").Target);
        Assert.EndsWith(" WITH (check_option=local)", Modified("views", "checked").Source);
        Assert.EndsWith(" DEFAULTS (total 0)", Modified("views", "defaulted").Source);
        Assert.EndsWith(") CLUSTER ON orders_total_idx", Modified("tables", "orders").Source);
        Assert.EndsWith(") TOAST WITH (autovacuum_enabled=false)", Modified("tables", "customers").Source);
        Assert.EndsWith(")", Modified("tables", "customers").Target);
        Assert.EndsWith(" NO CYCLE OWNED BY orders.qty", Modified("sequences", "owned").Source);
        Assert.Equal(("COMPOSITE (x text COLLATE \"C\")", "COMPOSITE (x text COLLATE \"POSIX\")"), (Modified("types", "named").Source, Modified("types", "named").Target));
        // The domain's default is one expression on both sides, whatever its CREATE's search_path; the options' order means nothing.
        Assert.DoesNotContain(result.Categories.Single(c => c.Category == "types").Modified, m => m.Name == "coded");
        Assert.Empty(result.Categories.Single(c => c.Category == "foreign_servers").Modified);
        // A default ACL with every privilege revoked (the owner's own too) is an empty list: one with none, the other the same.
        var defaults = result.Categories.Single(c => c.Category == "default_privileges");
        Assert.Matches("^for role \\S+ in schema app on tables$", Assert.Single(defaults.OnlyInSource));
        Assert.Empty(defaults.Modified);
        Assert.Equal(8, result.DiffCount);
    }

    /// <summary>The categories of the database's own objects, left out of a diff after a schema clone.</summary>
    private static readonly string[] DatabaseWideCategories = ["access_methods", "foreign_servers", "publications", "event_triggers"];

    /// <summary>
    /// A schema clone (like pg_dump -n) does not bring the database's own objects: without them the diff is in sync,
    /// keeping the schema's own default privileges; with them (the default, right after a database clone) it reports
    /// exactly those the source has.
    /// </summary>
    [Fact]
    public async Task After_a_schema_clone_the_diff_without_database_wide_objects_is_in_sync_and_with_them_names_each()
    {
        var db = await fx.Servers.CreateDatabasesAsync("diff_dbwide");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA app;
            CREATE TABLE app.t(id int PRIMARY KEY);
            CREATE FUNCTION app.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
            CREATE EVENT TRIGGER app_ddl ON ddl_command_end EXECUTE FUNCTION app.on_ddl();
            CREATE PUBLICATION app_pub FOR TABLE app.t;
            ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
            ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON SEQUENCES TO PUBLIC;
            """);
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "app");
        var (source, target) = (ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target));
        var user = await PgServers.ScalarAsync<string>(db.Source, "SELECT current_user::text");

        var schemaOnly = await new SchemaDiffer { DatabaseWide = false }.DiffAsync(source, target, "app");

        Assert.Equal((false, true), (schemaOnly.DatabaseWide, schemaOnly.InSync));
        Assert.Equal(Categories.Except(DatabaseWideCategories), schemaOnly.Categories.Select(c => c.Category));
        Assert.All(schemaOnly.Categories, c => Assert.Equal((c.Category, 0), (c.Category, c.Count)));
        var json = schemaOnly.ToJsonText(indented: false);
        Assert.StartsWith("""{"schema":"app","database_wide":false,"in_sync":true,"diff_count":0,"summary":{"tables":""", json);
        Assert.DoesNotContain("\"publications\"", json);

        var whole = await new SchemaDiffer().DiffAsync(source, target, "app");

        Assert.True(whole.DatabaseWide);
        Assert.Equal(Categories, whole.Categories.Select(c => c.Category));
        Assert.Equal(
            ["publications: -app_pub", $"default_privileges: -for role {user} on tables", "event_triggers: -app_ddl"],
            whole.Categories.SelectMany(c => c.OnlyInSource.Select(n => $"{c.Category}: -{n}")
                .Concat(c.OnlyInTarget.Select(n => $"{c.Category}: +{n}")).Concat(c.Modified.Select(m => $"{c.Category}: ~{m.Name}"))));
    }

    [Fact]
    public async Task A_missing_schema_on_the_source_is_an_error()
    {
        var db = await fx.Servers.CreateDatabasesAsync("diff_noschema");
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source);
        var e = await Assert.ThrowsAsync<PgCloneException>(() => DiffAsync(db));
        Assert.Equal($"{source.Describe()}: schema \"app\": does not exist", e.Message);
    }
}
