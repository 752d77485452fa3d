using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Core.Preflight;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>
/// A table clone's where filter and the foreign keys between the rows it copies: a filter keeping a row whose
/// referenced row it leaves out is refused before anything is written, naming the key and a value; one keeping a
/// closed set is cloned with its key.
/// </summary>
public sealed class WhereForeignKeyTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Employees = """
        CREATE SCHEMA s;
        CREATE TABLE s.employee (id int PRIMARY KEY, name text NOT NULL, manager_id int CONSTRAINT employee_manager_fk REFERENCES s.employee (id));
        INSERT INTO s.employee VALUES (1, 'ceo', NULL), (2, 'cto', 1), (3, 'dev', 2), (4, 'dev2', 2), (7, 'vp', 1), (8, 'ops', 7), (9, 'ops2', 7), (10, 'freelancer', NULL);
        """;

    /// <summary>Keeps dev (manager 2, the cto, left out) and ops, ops2 (manager 7, the vp, left out).</summary>
    private const string KeepsOrphans = "name LIKE 'ops%' OR id = 3";

    private async Task<TestDatabases> ArrangeAsync(string sql = Employees)
    {
        var db = await fx.Servers.CreateDatabasesAsync("wherefk");
        await PgServers.ExecAsync(db.Source, sql);
        return db;
    }

    private static async Task<List<string>> ColumnAsync(string cs, string sql) =>
        (await PgServers.RowsAsync(cs, sql)).Select(r => Convert.ToString(r[0], System.Globalization.CultureInfo.InvariantCulture)!).ToList();

    private static string Source(TestDatabases db) => ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();

    private static string Refusal(TestDatabases db) =>
        $"{Source(db)}: table \"s\".\"employee\": the where filter keeps 3 rows whose foreign key \"employee_manager_fk\" (manager_id) references rows it leaves out " +
        "(for example (manager_id)=(2)); widen the filter, or clone with subset, which follows foreign keys";

    private static async Task AssertNothingWrittenAsync(TestDatabases db) =>
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_filter_keeping_rows_whose_manager_it_leaves_out_is_refused_before_anything_is_written(bool preflight)
    {
        var db = await ArrangeAsync();
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(
            CloneKit.Request(db, CloneOperation.Table, "s", "employee", new CloneOptions { Where = KeepsOrphans }), new CloneRunOptions { Preflight = preflight }));

        Assert.Equal(Refusal(db), e.Message);
        await AssertNothingWrittenAsync(db);
    }

    [Fact]
    public async Task The_preflight_shows_the_refusal_as_a_where_blocker()
    {
        var db = await ArrangeAsync();
        var refused = CloneKit.Request(db, CloneOperation.Table, "s", "employee", new CloneOptions { Where = KeepsOrphans });
        var closed = CloneKit.Request(db, CloneOperation.Table, "s", "employee", new CloneOptions { Where = "id IN (1, 7, 8, 9)" });

        var blocker = Assert.Single((await PreflightRunner.RunAsync(refused, null)).Checks, c => c.Id == "where");
        var ok = Assert.Single((await PreflightRunner.RunAsync(closed, null)).Checks, c => c.Id == "where");

        Assert.Equal(new PreflightCheck("where", PreflightStatus.Blocker, Refusal(db)), blocker with { Error = null });
        Assert.Equal(new PreflightCheck("where", PreflightStatus.Ok,
            "the row filters are valid on the source and call no volatile function, and keep every row their foreign keys reference"), ok);
        await AssertNothingWrittenAsync(db);
    }

    [Fact]
    public async Task A_filter_keeping_a_closed_set_is_cloned_with_its_foreign_key()
    {
        var db = await ArrangeAsync();
        var result = await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "employee", new CloneOptions { Where = "id IN (1, 7, 8, 9)" });

        Assert.Equal(4L, Assert.Single(result.Tables).Rows);
        Assert.Equal(["1|ceo|", "7|vp|1", "8|ops|7", "9|ops2|7"], await ColumnAsync(db.Target, "SELECT concat_ws('|', id, name, coalesce(manager_id::text, '')) FROM s.employee ORDER BY id"));
        Assert.Equal(["employee_manager_fk|FOREIGN KEY (manager_id) REFERENCES s.employee(id)|true"],
            await ColumnAsync(db.Target, "SELECT conname || '|' || pg_get_constraintdef(oid) || '|' || convalidated FROM pg_constraint WHERE conrelid = 's.employee'::regclass AND contype = 'f'"));
    }

    /// <summary>
    /// The key compares with its own operator: citext's, in a schema not on the user's search_path, where "=" between
    /// two citext values would be text's (citext casts to text implicitly) and find 'a' apart from 'A'.
    /// </summary>
    [Fact]
    public async Task The_check_compares_with_the_keys_own_operator()
    {
        var db = await ArrangeAsync("""
            CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext; CREATE SCHEMA s;
            CREATE TABLE s.tag (id ext.citext PRIMARY KEY, parent ext.citext REFERENCES s.tag (id));
            INSERT INTO s.tag VALUES ('Root', NULL), ('leaf', 'ROOT'), ('other', NULL);
            """);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "tag", new CloneOptions { Where = "id::text <> 'other'" });

        Assert.Equal(2L, Assert.Single(result.Tables).Rows);
        Assert.Equal(["leaf|ROOT", "Root|"], await ColumnAsync(db.Target, "SELECT concat_ws('|', id, coalesce(parent::text, '')) FROM s.tag ORDER BY id::text COLLATE \"C\" DESC"));
    }

    [Fact]
    public async Task Rows_referencing_no_one_need_no_referenced_row()
    {
        var db = await ArrangeAsync();
        await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "employee", new CloneOptions { Where = "manager_id IS NULL" });

        Assert.Equal(["1|ceo|", "10|freelancer|"], await ColumnAsync(db.Target, "SELECT concat_ws('|', id, name, coalesce(manager_id::text, '')) FROM s.employee ORDER BY id"));
        Assert.Equal(["employee_manager_fk"], await ColumnAsync(db.Target, "SELECT conname FROM pg_constraint WHERE conrelid = 's.employee'::regclass AND contype = 'f'"));
    }

    /// <summary>
    /// Node (1, 2)'s parent is (1, 1); a node 1 is kept in tree 2, so only both columns together tell the parent is
    /// left out. A root's parent columns are both null, as MATCH FULL wants.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData(" MATCH FULL")]
    public async Task A_two_column_foreign_key_is_checked_on_both_columns_together(string match)
    {
        var db = await ArrangeAsync($"""
            CREATE SCHEMA s;
            CREATE TABLE s.node (tree int, id int, ptree int, parent int, PRIMARY KEY (tree, id),
                CONSTRAINT node_parent_fk FOREIGN KEY (ptree, parent) REFERENCES s.node (tree, id){match});
            INSERT INTO s.node VALUES (1, 1, NULL, NULL), (1, 2, 1, 1), (2, 1, NULL, NULL), (2, 2, 2, 1), (2, 3, 2, 2);
            """);
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "node",
            new CloneOptions { Where = "NOT (tree = 1 AND id = 1)" }));
        Assert.Equal($"{Source(db)}: table \"s\".\"node\": the where filter keeps 1 row whose foreign key \"node_parent_fk\" (ptree, parent) references rows it leaves out " +
                     "(for example (ptree, parent)=(1, 1)); widen the filter, or clone with subset, which follows foreign keys", e.Message);
        await AssertNothingWrittenAsync(db);

        await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "node", new CloneOptions { Where = "tree = 2" });
        Assert.Equal(["2|1||", "2|2|2|1", "2|3|2|2"], await ColumnAsync(db.Target, "SELECT concat_ws('|', tree, id, coalesce(ptree::text, ''), coalesce(parent::text, '')) FROM s.node ORDER BY 1"));
        Assert.Equal([$"node_parent_fk|FOREIGN KEY (ptree, parent) REFERENCES s.node(tree, id){match}"],
            await ColumnAsync(db.Target, "SELECT conname || '|' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 's.node'::regclass AND contype = 'f'"));
    }

    [Fact]
    public async Task A_partitioned_table_is_checked_across_its_partitions()
    {
        var db = await ArrangeAsync("""
            CREATE SCHEMA s;
            CREATE TABLE s.ev (id int PRIMARY KEY, parent int CONSTRAINT ev_parent_fk REFERENCES s.ev (id)) PARTITION BY RANGE (id);
            CREATE TABLE s.ev_low PARTITION OF s.ev FOR VALUES FROM (0) TO (100);
            CREATE TABLE s.ev_high PARTITION OF s.ev FOR VALUES FROM (100) TO (200);
            INSERT INTO s.ev VALUES (1, NULL), (150, 1), (2, 150), (160, 150);
            """);
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "ev", new CloneOptions { Where = "id >= 100" }));
        Assert.Equal($"{Source(db)}: table \"s\".\"ev\": the where filter keeps 1 row whose foreign key \"ev_parent_fk\" (parent) references rows it leaves out " +
                     "(for example (parent)=(1)); widen the filter, or clone with subset, which follows foreign keys", e.Message);
        await AssertNothingWrittenAsync(db);

        // 2 (in ev_low) references 150 (in ev_high): kept across partitions.
        await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "ev", new CloneOptions { Where = "id <> 160" });
        Assert.Equal(["1|", "2|150", "150|1"], await ColumnAsync(db.Target, "SELECT concat_ws('|', id, coalesce(parent::text, '')) FROM s.ev ORDER BY id"));
    }

    /// <summary>A schema clone filters each of its tables: a key between two of them is checked the same way.</summary>
    [Fact]
    public async Task A_schema_clone_checks_a_foreign_key_between_two_filtered_tables()
    {
        var db = await ArrangeAsync("""
            CREATE SCHEMA s;
            CREATE TABLE s.customers (id int PRIMARY KEY, name text);
            CREATE TABLE s.orders (id int PRIMARY KEY, customer_id int CONSTRAINT orders_customer_fk REFERENCES s.customers (id));
            INSERT INTO s.customers VALUES (1, 'a'), (2, 'b'), (5, 'e');
            INSERT INTO s.orders VALUES (1, 1), (2, 2), (3, 5), (6, 5);
            """);
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Where = "id < 4" }));
        Assert.Equal($"{Source(db)}: table \"s\".\"orders\": the where filter keeps 1 row whose foreign key \"orders_customer_fk\" (customer_id) references rows of \"s\".\"customers\" " +
                     "it leaves out (for example (customer_id)=(5)); widen the filter, or clone with subset, which follows foreign keys", e.Message);
        await AssertNothingWrittenAsync(db);

        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Where = "id <> 3 AND id <> 6" });
        Assert.Equal(["1|1", "2|2"], await ColumnAsync(db.Target, "SELECT concat_ws('|', id, customer_id) FROM s.orders ORDER BY id"));
        Assert.Equal(["orders_customer_fk"], await ColumnAsync(db.Target, "SELECT conname FROM pg_constraint WHERE conrelid = 's.orders'::regclass AND contype = 'f'"));
    }

    /// <summary>The value found is the source's: with its column masked, the refusal does not show it.</summary>
    [Fact]
    public async Task A_masked_key_is_not_shown_in_the_refusal()
    {
        var db = await ArrangeAsync("""
            CREATE SCHEMA s;
            CREATE TABLE s.employee (id int PRIMARY KEY, name text UNIQUE NOT NULL, boss text CONSTRAINT employee_boss_fk REFERENCES s.employee (name));
            INSERT INTO s.employee VALUES (1, 'ceo', NULL), (2, 'cto', 'ceo'), (3, 'dev', 'cto'), (7, 'vp', 'ceo'), (8, 'ops', 'vp'), (9, 'ops2', 'vp');
            """);
        var request = CloneKit.Request(db, CloneOperation.Table, "s", "employee",
            CloneOptions.Parse($$"""{"where": "{{KeepsOrphans}}", "mask": { "name": "hash", "boss": "hash" } }"""));

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine(r => PgClone.Core.Masking.MaskingFactory.Create(r, Masking.MaskSql.Secret)).RunAsync(request));

        Assert.Equal($"{Source(db)}: table \"s\".\"employee\": the where filter keeps 3 rows whose foreign key \"employee_boss_fk\" (boss) references rows it leaves out; " +
                     "widen the filter, or clone with subset, which follows foreign keys", e.Message);
        await AssertNothingWrittenAsync(db);
    }

    [Fact]
    public async Task Without_constraints_the_foreign_key_is_not_created_and_the_filter_is_not_checked()
    {
        var db = await ArrangeAsync();
        await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "employee", new CloneOptions { Where = KeepsOrphans, Constraints = false });

        Assert.Equal(["3|2", "8|7", "9|7"], await ColumnAsync(db.Target, "SELECT concat_ws('|', id, manager_id) FROM s.employee ORDER BY id"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_constraint WHERE conrelid = 's.employee'::regclass AND contype = 'f'"));
    }
}
