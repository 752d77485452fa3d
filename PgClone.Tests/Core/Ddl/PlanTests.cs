using Npgsql;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>The plan contract the executor relies on: phases, data steps, statement names, masking hooks.</summary>
public sealed class PlanTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Plan_puts_each_step_in_its_phase_and_copies_only_tables_that_hold_rows()
    {
        var db = await fx.Servers.CreateDatabasesAsync("plan");
        await CloneKit.LoadAsync(db.Source, "rich.sql");

        var plan = await CloneKit.PlanAsync(CloneKit.Request(db, CloneOperation.DatabaseCreate));

        Assert.Equal(db.Name, plan.CreateDatabase);
        var rich = plan.Tables.Where(t => t.Source.Schema == "rich").ToDictionary(t => t.Source.Name);
        Assert.Equal(["Odd \"Table\"; name", "a", "animal", "b", "dog", "event_notes", "events_2023", "events_2024_low", "events_2024_other",
            "events_default", "hashed_0", "hashed_1", "orders", "people", "scratch", "tagged"], rich.Keys.Order(StringComparer.Ordinal));
        Assert.All(plan.Tables, t => Assert.True(t.CreatedInRun));
        Assert.Equal("id", rich["orders"].IntegerKeyColumn);
        Assert.Equal("id", rich["people"].IntegerKeyColumn);
        Assert.Equal("select", rich["Odd \"Table\"; name"].IntegerKeyColumn);
        Assert.Null(rich["events_2023"].IntegerKeyColumn);
        Assert.DoesNotContain("total", rich["people"].TargetColumns);
        Assert.Equal(rich["people"].TargetColumns.Select(PgClone.Core.Connections.Sql.Ident), rich["people"].SourceExpressions);
        Assert.Equal(8192, rich["people"].EstimatedBytes);
        Assert.True(plan.Tables.Zip(plan.Tables.Skip(1)).All(p => p.First.EstimatedBytes >= p.Second.EstimatedBytes));

        Assert.DoesNotContain(plan.PreData, s => s.Sql.Contains("PRIMARY KEY") || s.Sql.Contains("FOREIGN KEY") || s.Sql.Contains("CREATE INDEX") || s.Sql.Contains("EXCLUDE"));
        Assert.All(plan.Indexes, s => Assert.Contains(s.ObjectKind, new[] { "index", "constraint" }));
        Assert.All(plan.Indexes, s => Assert.NotNull(s.Table));
        Assert.All(plan.Constraints, s => Assert.True(s.Sql.Contains("FOREIGN KEY") || s.Sql.Contains("NOT VALID"), s.Sql));
        Assert.Contains(plan.Constraints, s => s.ToString() == "constraint \"b_a_fk\" on \"rich\".\"b\"");
        Assert.Contains(plan.Indexes, s => s.ToString() == "constraint \"events_pkey\" on \"rich\".\"events\"" && s.Sql.Contains("ATTACH PARTITION \"rich\".\"events_2024_low_pkey\""));

        var pre = plan.PreData.Select(s => s.ToString()).ToList();
        Assert.True(pre.IndexOf("view \"rich\".\"z_base\"") < pre.IndexOf("view \"rich\".\"a_top\""));
        Assert.True(pre.IndexOf("table \"rich\".\"events\"") < pre.IndexOf("table \"rich\".\"events_2024\""));
        Assert.True(pre.IndexOf("table \"rich\".\"events_2024\"") < pre.IndexOf("table \"rich\".\"events_2024_low\""));
        Assert.True(pre.IndexOf("function \"rich\".\"ret_people\"()") > pre.IndexOf("table \"rich\".\"people\""));
        var post = plan.PostData.Select(s => s.ToString()).ToList();
        Assert.True(post.IndexOf("materialized view \"rich\".\"mv_orders\"") < post.IndexOf("materialized view \"rich\".\"a_mv_on_mv\""));
        Assert.Contains(plan.PostData, s => s.Sql == "SELECT pg_catalog.setval('\"rich\".\"ticket_seq\"'::pg_catalog.regclass, 150, true)");
        Assert.Contains(plan.PostData, s => s.ObjectKind == "trigger" && s.Table == new QualifiedName("rich", "orders"));
        Assert.Empty(plan.Skipped);
    }

    [Fact]
    public async Task A_table_nothing_else_needs_is_created_by_its_copy_in_the_copys_transaction()
    {
        var db = await fx.Servers.CreateDatabasesAsync("defer");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA d;
            CREATE FUNCTION d.ok(v int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT v > 0';
            CREATE TABLE d.plain (id serial PRIMARY KEY, note text NOT NULL CHECK (note <> ''));
            CREATE TABLE d.viewed (id int);
            CREATE VIEW d.v AS SELECT id FROM d.viewed;
            CREATE TABLE d.parent (id int);
            CREATE TABLE d.child (extra int) INHERITS (d.parent);
            CREATE TABLE d.checked (v int CHECK (d.ok(v)));
            CREATE DOMAIN d.pos AS int CHECK (d.ok(VALUE));
            CREATE TABLE d.domained (v d.pos);
            CREATE TABLE d.rowtyped (id int);
            CREATE FUNCTION d.first_id(r d.rowtyped) RETURNS int LANGUAGE sql AS 'SELECT r.id';
            CREATE FUNCTION d.next_code() RETURNS text LANGUAGE sql AS 'SELECT ''c'' || count(*) FROM d.viewed';
            CREATE TABLE d.defaulted (id int, code text DEFAULT d.next_code());
            CREATE FUNCTION d.twice(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2 * v';
            CREATE TABLE d.generated (v int, g int GENERATED ALWAYS AS (d.twice(v)) STORED);
            INSERT INTO d.defaulted (id) VALUES (1), (2);
            INSERT INTO d.generated (v) VALUES (21);
            INSERT INTO d.plain (note) SELECT 'n' || g FROM generate_series(1, 50) g;
            INSERT INTO d.viewed SELECT generate_series(1, 5);
            INSERT INTO d.checked VALUES (1), (2);
            INSERT INTO d.domained VALUES (3);
            INSERT INTO d.child VALUES (1, 2);
            """);
        var request = CloneKit.Request(db, CloneOperation.Schema, "d");

        var plan = await CloneKit.PlanAsync(request);

        var tables = plan.Tables.ToDictionary(t => t.Source.Name);
        Assert.Equal(["table \"d\".\"plain\"", "sequence \"d\".\"plain_id_seq\""], tables["plain"].Create.Select(s => s.ToString()).Distinct());
        Assert.Contains(tables["plain"].Create, s => s.Sql == "ALTER SEQUENCE \"d\".\"plain_id_seq\" OWNED BY \"d\".\"plain\".\"id\"");
        Assert.DoesNotContain(plan.PreData, s => s.Table == new QualifiedName("d", "plain"));
        // A default calling a cloned function does not run while COPY loads every column.
        Assert.Equal(["table \"d\".\"defaulted\""], tables["defaulted"].Create.Select(s => s.ToString()).Distinct());
        // Kept in PreData: a view selects from it, a child inherits from it (or it is the child), a CHECK, a domain
        // or a generated column calls a cloned function while rows load, a function takes its row type.
        foreach (var name in new[] { "viewed", "parent", "child", "checked", "domained", "generated", "rowtyped" })
        {
            Assert.Empty(tables[name].Create);
            Assert.Contains(plan.PreData, s => s.ToString() == $"table \"d\".\"{name}\"");
        }

        var result = await new CloneEngine().RunAsync(request);

        Assert.Equal(50, result.Tables.Single(t => t.Table.Name == "plain").Rows);
        Assert.Equal(await CloneKit.ChecksumsAsync(db.Source, "d"), await CloneKit.ChecksumsAsync(db.Target, "d"));
        // The copy's transaction created the table: its rows and its catalog row share one xmin.
        const string SameTransaction = "SELECT bool_and(t.xmin = c.xmin) FROM d.{0} t, pg_catalog.pg_class c WHERE c.oid = 'd.{0}'::regclass";
        Assert.True(await PgServers.ScalarAsync<bool>(db.Target, string.Format(SameTransaction, "plain")));
        Assert.False(await PgServers.ScalarAsync<bool>(db.Target, string.Format(SameTransaction, "viewed")));
        Assert.Equal(51, await PgServers.ScalarAsync<int>(db.Target, "SELECT nextval('d.plain_id_seq')::int"));
        Assert.True(await PgServers.ScalarAsync<bool>(db.Target, string.Format(SameTransaction, "defaulted")));
        Assert.Equal("c5", await PgServers.ScalarAsync<string>(db.Target, "INSERT INTO d.defaulted (id) VALUES (3) RETURNING code"));
        Assert.Equal(42, await PgServers.ScalarAsync<int>(db.Target, "SELECT g FROM d.generated"));
        Assert.Equal("d.plain.id", await PgServers.ScalarAsync<string>(db.Target,
            "SELECT d.refobjid::regclass || '.' || a.attname FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid WHERE d.objid = 'd.plain_id_seq'::regclass AND d.deptype = 'a'"));
    }

    [Fact]
    public async Task Each_index_build_carries_the_size_of_the_source_index_and_a_partitioned_one_the_sum_of_its_tree()
    {
        var db = await fx.Servers.CreateDatabasesAsync("index_bytes");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.big (id int PRIMARY KEY, tag text);
            CREATE INDEX big_tag ON s.big (tag);
            INSERT INTO s.big SELECT g, repeat('x', 40) || g FROM generate_series(1, 20000) g;
            CREATE TABLE s.parts (id int, at int, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
            CREATE TABLE s.parts_1 PARTITION OF s.parts FOR VALUES FROM (0) TO (10);
            CREATE TABLE s.parts_2 PARTITION OF s.parts FOR VALUES FROM (10) TO (20);
            INSERT INTO s.parts SELECT g, g % 20 FROM generate_series(1, 5000) g;
            ANALYZE;
            """);
        // Sizes as ANALYZE left them in pg_class: what the planner reads, without locking the indexes.
        async Task<long> Size(string index) => await PgServers.ScalarAsync<long>(db.Source,
            $"SELECT relpages::int8 * current_setting('block_size')::int8 FROM pg_class WHERE oid = '{index}'::regclass");

        var plan = await CloneKit.PlanAsync(CloneKit.Request(db, CloneOperation.Schema, "s"));

        long Planned(string name) => plan.Indexes.Single(s => s.ToString() == name).EstimatedBytes;
        Assert.Equal(await Size("s.big_tag"), Planned("index \"big_tag\" on \"s\".\"big\""));
        Assert.True(Planned("index \"big_tag\" on \"s\".\"big\"") > Planned("index \"big_pkey\" on \"s\".\"big\"") && await Size("s.big_pkey") > 0);
        Assert.Equal(await Size("s.big_pkey"), Planned("index \"big_pkey\" on \"s\".\"big\""));
        Assert.Equal(await Size("s.parts_1_pkey") + await Size("s.parts_2_pkey"), Planned("constraint \"parts_pkey\" on \"s\".\"parts\""));
        // The key's attach statement builds nothing.
        Assert.All(plan.Indexes.Where(s => s.UsingIndex), s => Assert.Equal(0, s.EstimatedBytes));
    }

    [Theory]
    [InlineData(0L, true)]
    [InlineData(4L << 20, false)]
    public async Task A_table_its_copy_creates_loads_frozen_only_above_the_freeze_size(long freezeAbove, bool frozen)
    {
        var db = await fx.Servers.CreateDatabasesAsync($"freeze{freezeAbove}");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA d;
            CREATE TABLE d.plain (id int PRIMARY KEY, note text);
            INSERT INTO d.plain SELECT g, 'n' || g FROM generate_series(1, 500) g;
            ANALYZE d.plain;
            """);
        var request = CloneKit.Request(db, CloneOperation.Schema, "d");

        var result = await new CloneEngine().RunAsync(request, new CloneRunOptions { FreezeTablesLargerThan = freezeAbove });

        Assert.Equal(500, result.Tables.Single().Rows);
        Assert.Equal(await CloneKit.ChecksumsAsync(db.Source, "d"), await CloneKit.ChecksumsAsync(db.Target, "d"));
        // FREEZE marks every page all-frozen in the visibility map; a tiny table is loaded without it (no map written).
        await PgServers.ExecAsync(db.Target, "CREATE EXTENSION pg_visibility");
        Assert.Equal(frozen, await PgServers.ScalarAsync<bool>(db.Target, "SELECT bool_and(all_frozen) FROM pg_visibility_map('d.plain')"));
    }

    [Fact]
    public async Task With_a_reg_column_every_table_is_created_before_the_load()
    {
        var db = await fx.Servers.CreateDatabasesAsync("deferreg");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA r;
            CREATE TABLE r.names (rel regclass);
            CREATE TABLE r."named one" (id int);
            INSERT INTO r.names VALUES ('r."named one"');
            """);
        var request = CloneKit.Request(db, CloneOperation.Schema, "r");

        var plan = await CloneKit.PlanAsync(request);

        // The regclass travels as text and turns back into an oid once its table is in: the table it names must exist.
        Assert.All(plan.Tables, t => Assert.Empty(t.Create));
        await new CloneEngine().RunAsync(request);
        Assert.Equal("r.\"named one\"", await PgServers.ScalarAsync<string>(db.Target, "SELECT rel::text FROM r.names"));
    }

    [Fact]
    public async Task Every_copied_column_is_read_through_the_masker_and_unused_rules_are_checked()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mask");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.p (id int PRIMARY KEY);
            CREATE TABLE s.t (id int PRIMARY KEY, email text UNIQUE, p int REFERENCES s.p(id), g int GENERATED ALWAYS AS (id * 2) STORED);
            INSERT INTO s.p VALUES (1);
            INSERT INTO s.t VALUES (1, 'ann@x.org', 1), (2, 'bob@x.org', NULL);
            """);
        var masker = new UpperMasker();

        await new CloneEngine(_ => masker).RunAsync(CloneKit.Request(db, CloneOperation.Schema, "s"));

        Assert.True(masker.AllRulesChecked);
        Assert.Equal([
            new MaskColumn(new QualifiedName("s", "p"), "id", "integer", true, false, false),
            new MaskColumn(new QualifiedName("s", "t"), "id", "integer", true, false, false),
            new MaskColumn(new QualifiedName("s", "t"), "email", "text", false, true, false),
            new MaskColumn(new QualifiedName("s", "t"), "p", "integer", false, false, true),
        ], masker.Asked.OrderBy(c => c.Table).ThenBy(c => c.Column == "id" ? 0 : 1));
        var rows = await PgServers.RowsAsync(db.Target, "SELECT id, email, p, g FROM s.t ORDER BY id");
        Assert.Equal([[1, "ANN@X.ORG", 1, 2], [2, "BOB@X.ORG", null, 4]], rows);
    }

    /// <summary>A masker with one rule: s.t.email is upper-cased on the source.</summary>
    private sealed class UpperMasker : IColumnMasker
    {
        public List<MaskColumn> Asked { get; } = [];
        public bool AllRulesChecked { get; private set; }

        public string? ExpressionFor(MaskColumn column)
        {
            Asked.Add(column);
            return column is { Table.Name: "t", Column: "email" } ? "upper(\"email\")" : null;
        }

        public List<MaskColumn> Computed { get; } = [];
        public void ComputedOnTarget(MaskColumn column) => Computed.Add(column);
        public void EnsureAllRulesUsed() => AllRulesChecked = Asked.Any(c => c.Column == "email");
        public Task EnsureCoverageAsync(NpgsqlConnection source, ClonePlan plan, CancellationToken ct) => Task.CompletedTask;
        public Task<string?> ProveAsync(NpgsqlConnection source, NpgsqlConnection target, ClonePlan plan, CancellationToken ct) => Task.FromResult<string?>(null);
    }
}
