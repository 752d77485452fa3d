using PgClone.Core;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Core.Subsetting;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Subsetting;

/// <summary>
/// Subset clones end to end: the target holds exactly the closure an independent recursive query computes on the
/// source, and every foreign key on the target (and the virtual one) has no orphan.
/// </summary>
public sealed class SubsetCloneTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>A self-reference (employees, customers), a two-table cycle (teams/members), a multi-column key
    /// (order_lines -> orders), a partitioned child (payments) referenced in turn (refunds), an undeclared relation
    /// (order_lines.product_id -> products), a child of a parent-only table (reviews) and a table outside (settings).</summary>
    private const string Shop = """
        CREATE SCHEMA shop;
        CREATE TABLE shop.employees (id int PRIMARY KEY, manager_id int REFERENCES shop.employees, country text);
        INSERT INTO shop.employees SELECT g, CASE WHEN g > 1 THEN greatest(1, g / 3) END, (ARRAY['DE', 'FR', 'US'])[1 + g % 3] FROM generate_series(1, 50) g;
        CREATE TABLE shop.customers (id int PRIMARY KEY, country text, email text, account_rep int REFERENCES shop.employees,
            referred_by int REFERENCES shop.customers);
        INSERT INTO shop.customers SELECT g, CASE WHEN g % 4 = 0 THEN 'DE' ELSE 'FR' END, 'c' || g || '@shop.example', 1 + g % 50,
            CASE WHEN g > 10 THEN g - 7 END FROM generate_series(1, 200) g;
        CREATE TABLE shop.teams (id int PRIMARY KEY, lead_id int);
        CREATE TABLE shop."Members" (id int PRIMARY KEY, team_id int REFERENCES shop.teams, customer_id int REFERENCES shop.customers);
        ALTER TABLE shop.teams ADD FOREIGN KEY (lead_id) REFERENCES shop."Members";
        INSERT INTO shop.teams SELECT g, NULL FROM generate_series(1, 10) g;
        INSERT INTO shop."Members" SELECT g, 1 + g % 10, 1 + (g * 7) % 200 FROM generate_series(1, 40) g;
        UPDATE shop.teams SET lead_id = id * 4 WHERE id % 3 <> 0;
        CREATE TABLE shop.orders (customer_id int REFERENCES shop.customers, order_no int, total numeric, PRIMARY KEY (customer_id, order_no));
        INSERT INTO shop.orders SELECT c, o, c * 10 + o FROM generate_series(1, 200) c, generate_series(1, 3) o;
        CREATE TABLE shop.products (id int PRIMARY KEY, name text);
        INSERT INTO shop.products SELECT g, 'p' || g FROM generate_series(1, 40) g;
        CREATE TABLE shop.order_lines (customer_id int, order_no int, line int, product_id int, PRIMARY KEY (customer_id, order_no, line),
            FOREIGN KEY (customer_id, order_no) REFERENCES shop.orders);
        INSERT INTO shop.order_lines SELECT customer_id, order_no, l, 1 + (customer_id + order_no + l) % 30 FROM shop.orders, generate_series(1, 2) l;
        CREATE TABLE shop.payments (id int, customer_id int REFERENCES shop.customers, paid date, amount numeric, PRIMARY KEY (id, paid)) PARTITION BY RANGE (paid);
        CREATE TABLE shop.payments_2023 PARTITION OF shop.payments FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
        CREATE TABLE shop.payments_2024 PARTITION OF shop.payments FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        INSERT INTO shop.payments SELECT g, 1 + g % 200, date '2023-03-01' + g * 2, g FROM generate_series(1, 300) g;
        CREATE TABLE shop.refunds (id int PRIMARY KEY, payment_id int, paid date, FOREIGN KEY (payment_id, paid) REFERENCES shop.payments);
        INSERT INTO shop.refunds SELECT id, id, paid FROM shop.payments WHERE id % 6 = 0;
        CREATE TABLE shop.reviews (id int PRIMARY KEY, product_id int REFERENCES shop.products, body text);
        INSERT INTO shop.reviews SELECT g, 1 + g % 40, 'fine' FROM generate_series(1, 20) g;
        CREATE TABLE shop.settings (k text PRIMARY KEY, v text);
        INSERT INTO shop.settings VALUES ('a', '1'), ('b', '2'), ('c', '3');
        CREATE INDEX ON shop.customers (referred_by); CREATE INDEX ON shop."Members" (customer_id); CREATE INDEX ON shop."Members" (team_id);
        CREATE INDEX ON shop.teams (lead_id); CREATE INDEX ON shop.payments (customer_id); CREATE INDEX ON shop.employees (manager_id);
        ANALYZE;
        """;

    /// <summary>
    /// The closure written independently of the engine: rows as (table, key text). Down from the root rows along
    /// every key to referencing rows, then up from everything along every key to referenced rows.
    /// </summary>
    private const string ShopClosure = """
        WITH RECURSIVE down(tbl, k) AS (
            SELECT 'customers', ARRAY[id] FROM shop.customers WHERE country = 'DE'
            UNION
            SELECT n.tbl, n.k FROM down d CROSS JOIN LATERAL (
                SELECT 'customers', ARRAY[c.id] FROM shop.customers c WHERE d.tbl = 'customers' AND c.referred_by = d.k[1]
                UNION ALL SELECT 'members', ARRAY[m.id] FROM shop."Members" m WHERE d.tbl = 'customers' AND m.customer_id = d.k[1]
                UNION ALL SELECT 'orders', ARRAY[o.customer_id, o.order_no] FROM shop.orders o WHERE d.tbl = 'customers' AND o.customer_id = d.k[1]
                UNION ALL SELECT 'payments', ARRAY[p.id, p.paid - date '2000-01-01'] FROM shop.payments p WHERE d.tbl = 'customers' AND p.customer_id = d.k[1]
                UNION ALL SELECT 'teams', ARRAY[t.id] FROM shop.teams t WHERE d.tbl = 'members' AND t.lead_id = d.k[1]
                UNION ALL SELECT 'members', ARRAY[m.id] FROM shop."Members" m WHERE d.tbl = 'teams' AND m.team_id = d.k[1]
                UNION ALL SELECT 'order_lines', ARRAY[l.customer_id, l.order_no, l.line] FROM shop.order_lines l
                    WHERE d.tbl = 'orders' AND (l.customer_id, l.order_no) = (d.k[1], d.k[2])
                UNION ALL SELECT 'refunds', ARRAY[r.id] FROM shop.refunds r WHERE d.tbl = 'payments' AND (r.payment_id, r.paid) = (d.k[1], date '2000-01-01' + d.k[2])
                UNION ALL SELECT 'employees', ARRAY[e.id] FROM shop.employees e WHERE d.tbl = 'employees' AND e.manager_id = d.k[1]
                UNION ALL SELECT 'reviews', ARRAY[v.id] FROM shop.reviews v WHERE d.tbl = 'products' AND v.product_id = d.k[1]
            ) n(tbl, k)
        ), up(tbl, k) AS (
            SELECT tbl, k FROM down
            UNION
            SELECT n.tbl, n.k FROM up u CROSS JOIN LATERAL (
                SELECT 'employees', ARRAY[c.account_rep] FROM shop.customers c WHERE u.tbl = 'customers' AND c.id = u.k[1] AND c.account_rep IS NOT NULL
                UNION ALL SELECT 'customers', ARRAY[c.referred_by] FROM shop.customers c WHERE u.tbl = 'customers' AND c.id = u.k[1] AND c.referred_by IS NOT NULL
                UNION ALL SELECT 'employees', ARRAY[e.manager_id] FROM shop.employees e WHERE u.tbl = 'employees' AND e.id = u.k[1] AND e.manager_id IS NOT NULL
                UNION ALL SELECT 'teams', ARRAY[m.team_id] FROM shop."Members" m WHERE u.tbl = 'members' AND m.id = u.k[1] AND m.team_id IS NOT NULL
                UNION ALL SELECT 'customers', ARRAY[m.customer_id] FROM shop."Members" m WHERE u.tbl = 'members' AND m.id = u.k[1] AND m.customer_id IS NOT NULL
                UNION ALL SELECT 'members', ARRAY[t.lead_id] FROM shop.teams t WHERE u.tbl = 'teams' AND t.id = u.k[1] AND t.lead_id IS NOT NULL
                UNION ALL SELECT 'customers', ARRAY[o.customer_id] FROM shop.orders o WHERE u.tbl = 'orders' AND (o.customer_id, o.order_no) = (u.k[1], u.k[2])
                UNION ALL SELECT 'orders', ARRAY[l.customer_id, l.order_no] FROM shop.order_lines l
                    WHERE u.tbl = 'order_lines' AND (l.customer_id, l.order_no, l.line) = (u.k[1], u.k[2], u.k[3])
                UNION ALL SELECT 'products', ARRAY[l.product_id] FROM shop.order_lines l
                    WHERE u.tbl = 'order_lines' AND (l.customer_id, l.order_no, l.line) = (u.k[1], u.k[2], u.k[3])
                UNION ALL SELECT 'customers', ARRAY[p.customer_id] FROM shop.payments p WHERE u.tbl = 'payments' AND (p.id, p.paid) = (u.k[1], date '2000-01-01' + u.k[2])
                UNION ALL SELECT 'payments', ARRAY[r.payment_id, r.paid - date '2000-01-01'] FROM shop.refunds r WHERE u.tbl = 'refunds' AND r.id = u.k[1]
                UNION ALL SELECT 'products', ARRAY[v.product_id] FROM shop.reviews v WHERE u.tbl = 'reviews' AND v.id = u.k[1]
            ) n(tbl, k)
        )
        SELECT tbl, count(*) FROM up GROUP BY tbl
        """;

    private static readonly string[] ShopTables =
        ["customers", "employees", "members", "teams", "orders", "order_lines", "products", "payments", "refunds", "reviews", "settings"];

    [Fact]
    public async Task A_subset_holds_exactly_the_foreign_key_closure_of_the_root_rows_and_every_key_validates()
    {
        var db = await fx.Servers.CreateDatabasesAsync("subset");
        await PgServers.ExecAsync(db.Source, Shop);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "shop", options: CloneOptions.Parse("""
            {"subset": {"root": "shop.customers", "where": "country = 'DE'",
                        "virtual_fks": [{"from": "shop.order_lines(product_id)", "to": "shop.products(id)"}]}}
            """));

        var expected = (await PgServers.RowsAsync(db.Source, ShopClosure)).ToDictionary(r => (string)r[0]!, r => (long)r[1]!);
        expected["reviews"] = 0;   // children of rows taken only as parents are not followed
        expected["settings"] = 3;  // outside the key graph: copied whole (the default)
        Assert.Equal(expected.OrderBy(e => e.Key), await TargetCountsAsync(db.Target));
        Assert.True(expected["teams"] > 0 && expected["refunds"] > 0 && expected["employees"] > 1, "the fixture must exercise the cycle and the chains");
        // The root table holds exactly the rows the filter selects (plus rows other chosen rows reference).
        Assert.Equal(await PgServers.RowsAsync(db.Source, "SELECT id FROM shop.customers WHERE country = 'DE' ORDER BY id"),
            await PgServers.RowsAsync(db.Target, "SELECT id FROM shop.customers WHERE country = 'DE' ORDER BY id"));
        // Both partitions received their share through the key declared on the partitioned table.
        Assert.True(await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM shop.payments_2023") > 0);
        Assert.True(await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM shop.payments_2024") > 0);
        await SubsetAsserts.NoOrphansAsync(db.Target, 11);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target,
            "SELECT count(*) FROM shop.order_lines l WHERE NOT EXISTS (SELECT 1 FROM shop.products p WHERE p.id = l.product_id)"));

        var reached = result.Subset!.Tables.ToDictionary(t => t.Table.Name, t => t.Describe());
        Assert.Equal("root", reached["customers"]);
        Assert.Equal("parent of \"shop\".\"customers\"", reached["employees"]);
        Assert.Equal("child of \"shop\".\"orders\"", reached["order_lines"]);
        Assert.Equal("parent of \"shop\".\"order_lines\"", reached["products"]);
        Assert.Equal("child of \"shop\".\"customers\"", reached["payments_2023"]);
        Assert.Equal("not reached", reached["reviews"]);
        Assert.Equal("outside (copied whole)", reached["settings"]);
        Assert.Equal(result.Tables.ToDictionary(t => t.Table.Name, t => t.Rows), result.Subset.Tables.ToDictionary(t => t.Table.Name, t => t.Rows ?? 3));
    }

    [Fact]
    public async Task Child_depth_zero_takes_the_root_rows_and_their_parents_only_and_outside_tables_can_be_excluded()
    {
        var db = await fx.Servers.CreateDatabasesAsync("subset0");
        await PgServers.ExecAsync(db.Source, Shop);

        await CloneKit.CloneAsync(db, CloneOperation.Schema, "shop", options: CloneOptions.Parse("""
            {"subset": {"root": "employees", "where": "id IN (20, 31)", "child_depth": 0, "outside": "exclude"}}
            """));

        // 20 -> 6 -> 2 -> 1 and 31 -> 10 -> 3 -> 1: the managers up the chain, no subordinates, no customers.
        Assert.Equal([[1], [2], [3], [6], [10], [20], [31]], await PgServers.RowsAsync(db.Target, "SELECT id FROM shop.employees ORDER BY id"));
        var counts = await TargetCountsAsync(db.Target);
        Assert.All(counts.Where(c => c.Key != "employees"), c => Assert.Equal(0L, c.Value));
    }

    [Fact]
    public async Task A_subset_with_masks_and_parallel_workers_loads_large_selections_in_ranges()
    {
        var db = await fx.Servers.CreateDatabasesAsync("subsetmask");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.customers (id int PRIMARY KEY, email text, region text);
            INSERT INTO s.customers SELECT g, 'user' || g || '@mail.example', CASE WHEN g % 5 < 3 THEN 'eu' ELSE 'us' END FROM generate_series(1, 200) g;
            CREATE TABLE s.events (id bigint PRIMARY KEY, customer_id int REFERENCES s.customers, kind text);
            INSERT INTO s.events SELECT g, 1 + g % 200, 'k' || g % 7 FROM generate_series(1, 240000) g;
            CREATE TABLE s.notes (id int PRIMARY KEY, event_id bigint REFERENCES s.events, body text);
            INSERT INTO s.notes SELECT g, g * 37, 'n' FROM generate_series(1, 5000) g;
            ANALYZE;
            """);

        var request = CloneKit.Request(db, CloneOperation.Schema, "s", options: CloneOptions.Parse("""
            {"parallel": 4, "mask": {"customers": {"email": "email"}},
             "subset": {"root": "s.customers", "where": "region = 'eu'", "limit": 100}}
            """));
        var result = await new CloneEngine(r => MaskingFactory.Create(r, MaskSql.Secret)).RunAsync(request);

        var ids = await PgServers.RowsAsync(db.Target, "SELECT id FROM s.customers ORDER BY id");
        Assert.Equal(100, ids.Count);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.customers WHERE region <> 'eu' OR email LIKE 'user%@mail.example'"));
        var chosen = string.Join(",", ids.Select(r => (int)r[0]!));
        var events = await PgServers.ScalarAsync<long>(db.Source, $"SELECT count(*) FROM s.events WHERE customer_id IN ({chosen})");
        Assert.True(events > SubsetPlanner.RowsPerCopy, "the selection must need more than one COPY range");
        Assert.Equal(events, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.events"));
        Assert.Equal(await PgServers.ScalarAsync<long>(db.Source, $"SELECT count(*) FROM s.notes n JOIN s.events e ON e.id = n.event_id WHERE e.customer_id IN ({chosen})"),
            await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.notes"));
        Assert.Equal(await PgServers.RowsAsync(db.Source, $"SELECT md5(string_agg(e::text, ',' ORDER BY id)) FROM s.events e WHERE customer_id IN ({chosen})"),
            await PgServers.RowsAsync(db.Target, "SELECT md5(string_agg(e::text, ',' ORDER BY id)) FROM s.events e"));
        await SubsetAsserts.NoOrphansAsync(db.Target, 2);
        Assert.Equal(events, result.Tables.Single(t => t.Table.Name == "events").Rows);
    }

    [Theory]
    [InlineData("""{"subset": {"root": "shop.customers"}}""", "invalid options: subset: give where, percent or limit (or where plus percent or limit)")]
    [InlineData("""{"subset": {"root": "shop.customers", "percent": 0}}""", "invalid options: subset: percent must be in (0, 100], got 0")]
    [InlineData("""{"subset": {"root": "shop.customers", "where": "true; DROP TABLE x"}}""", "invalid options: subset: where filter rejected: ';' is not allowed")]
    [InlineData("""{"subset": {"root": "shop.customers", "limit": 1, "virtual_fks": [{"from": "a.b(", "to": "c.d(x)"}]}}""", "invalid options: subset: virtual_fks.from \"a.b(\": expected a name at position 5")]
    public void Invalid_subset_options_are_refused_with_the_reason(string options, string message) =>
        Assert.Equal(message, Assert.Throws<PgCloneException>(() => CloneOptions.Parse(options)).Message);

    [Fact]
    public async Task A_root_outside_the_cloned_tables_is_refused_naming_it()
    {
        var db = await fx.Servers.CreateDatabasesAsync("subsetroot");
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA s; CREATE TABLE s.t (id int PRIMARY KEY);");
        var request = CloneKit.Request(db, CloneOperation.Schema, "s", options: CloneOptions.Parse("""{"subset": {"root": "s.nope", "limit": 3}}"""));
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request));
        Assert.Equal($"{request.Source.Describe()}: table \"s\".\"nope\": subset: the subset root is not among the cloned tables", e.Message);
    }

    private static async Task<List<KeyValuePair<string, long>>> TargetCountsAsync(string target)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in ShopTables)
            counts[t] = await PgServers.ScalarAsync<long>(target, $"SELECT count(*) FROM shop.{(t == "members" ? "\"Members\"" : t)}");
        return [.. counts];
    }
}
