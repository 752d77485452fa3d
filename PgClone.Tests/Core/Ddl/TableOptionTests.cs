using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>A table clone narrowed by columns and where, and a copy of a table under another name.</summary>
public sealed class TableOptionTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Fixture = """
        CREATE SCHEMA s;
        CREATE TABLE s.t (id int PRIMARY KEY, a text NOT NULL, b int CONSTRAINT t_b_check CHECK (b > 0), c text, CONSTRAINT t_b_c_key UNIQUE (b, c));
        CREATE INDEX t_c_idx ON s.t (c);
        CREATE INDEX t_lower_a ON s.t (lower(a));
        INSERT INTO s.t VALUES (1, 'x', 1, 'p'), (2, 'y; drop', 2, 'q'), (3, 'z', 3, NULL);
        """;

    private async Task<TestDatabases> ArrangeAsync(string sql = Fixture)
    {
        var db = await fx.Servers.CreateDatabasesAsync("tableopt");
        await PgServers.ExecAsync(db.Source, sql);
        return db;
    }

    private static async Task<List<string>> ColumnAsync(string cs, string sql) =>
        (await PgServers.RowsAsync(cs, sql)).Select(r => Convert.ToString(r[0], System.Globalization.CultureInfo.InvariantCulture)!).ToList();

    [Fact]
    public async Task Columns_clone_only_those_columns_and_list_what_uses_the_others_as_skipped()
    {
        var db = await ArrangeAsync();
        var result = await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t", new CloneOptions { Columns = ["id", "a"] });

        Assert.Equal([
            "check constraint \"t_b_check\" on table \"s\".\"t\": uses column \"b\", which is not cloned",
            "constraint \"t_b_c_key\" on table \"s\".\"t\": uses column \"b\", which is not cloned",
            "index \"t_c_idx\" on table \"s\".\"t\": uses column \"c\", which is not cloned",
        ], result.Skipped);
        Assert.Equal(["id", "a"], await ColumnAsync(db.Target, "SELECT attname FROM pg_attribute WHERE attrelid = 's.t'::regclass AND attnum > 0 ORDER BY attnum"));
        Assert.Equal(["t_lower_a", "t_pkey"], await ColumnAsync(db.Target, "SELECT relname FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE i.indrelid = 's.t'::regclass ORDER BY 1"));
        Assert.Equal(["1|x", "2|y; drop", "3|z"], await ColumnAsync(db.Target, "SELECT id || '|' || a FROM s.t ORDER BY id"));
    }

    [Fact]
    public async Task A_serial_column_left_out_leaves_its_sequence_behind()
    {
        var db = await ArrangeAsync("CREATE SCHEMA s; CREATE TABLE s.t (id int PRIMARY KEY, n serial); INSERT INTO s.t VALUES (1), (2)");
        await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t", new CloneOptions { Columns = ["id"] });
        Assert.Equal(["t:r", "t_pkey:i"], await ColumnAsync(db.Target, "SELECT relname || ':' || relkind::text FROM pg_class WHERE relnamespace = 's'::regnamespace ORDER BY 1"));
    }

    [Fact]
    public async Task A_column_that_does_not_exist_is_a_clear_error()
    {
        var db = await ArrangeAsync();
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t", new CloneOptions { Columns = ["id", "nope"] }));
        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe()}: table \"s\".\"t\": column \"nope\" does not exist", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));
    }

    [Fact]
    public async Task Where_filters_the_rows_copied_and_keeps_keywords_inside_literals()
    {
        var db = await ArrangeAsync();
        await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t", new CloneOptions { Where = "b >= 2 AND a <> 'x; drop table s.t'" });
        Assert.Equal(["2", "3"], await ColumnAsync(db.Target, "SELECT id FROM s.t ORDER BY id"));
        Assert.Equal(3L, await PgServers.ScalarAsync<long>(db.Source, "SELECT count(*) FROM s.t"));
    }

    [Theory]
    [InlineData("1=1; DROP TABLE s.t", "';' is not allowed")]
    [InlineData("id = 1) TO STDOUT (FORMAT csv", "unbalanced parentheses")]
    [InlineData("(id = 1", "unbalanced parentheses")]
    [InlineData("true -- comment", "comments are not allowed")]
    [InlineData("true /* comment */", "comments are not allowed")]
    [InlineData("id IN (SELECT 1) OR id = 2 UNION DELETE FROM s.t", "keyword \"delete\" is not allowed")]
    [InlineData("Truncate_me IS NULL OR TRUNCATE", "keyword \"truncate\" is not allowed")]
    [InlineData("a = 'unterminated", "unterminated string literal")]
    [InlineData("a = $x$ never closed", "unterminated dollar-quoted string")]
    [InlineData("set_config('a', 'b', false) IS NULL OR SET", "keyword \"set\" is not allowed")]
    public async Task Hostile_where_filters_are_rejected_and_nothing_changes(string where, string reason)
    {
        var db = await ArrangeAsync();
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t", new CloneOptions { Where = where }));
        Assert.Equal($"where filter rejected: {reason}", e.Message);
        Assert.Equal(3L, await PgServers.ScalarAsync<long>(db.Source, "SELECT count(*) FROM s.t"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));
    }

    [Fact]
    public async Task Target_name_of_a_partitioned_table_renames_its_partitions_and_their_indexes()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tableopt");
        await CloneKit.LoadAsync(db.Source, "rich.sql");
        await CloneKit.CloneAsync(db, CloneOperation.Table, "rich", "events");
        await CloneKit.CloneAsync(db, CloneOperation.Table, "rich", "events", new CloneOptions { TargetName = "ev" });

        const string relations = "SELECT c.relname || ':' || c.relkind::text FROM pg_class c WHERE c.relnamespace = 'rich'::regnamespace AND c.relname LIKE 'ev\\_%' OR c.relname = 'ev' ORDER BY 1";
        Assert.Equal([
            "ev:p", "ev_2023:r", "ev_2023_kind_idx:i", "ev_2023_pkey:i", "ev_2024:p", "ev_2024_kind_idx:I", "ev_2024_low:r", "ev_2024_low_kind_idx:i", "ev_2024_low_pkey:i",
            "ev_2024_other:r", "ev_2024_other_kind_idx:i", "ev_2024_other_pkey:i", "ev_2024_pkey:I", "ev_default:r", "ev_default_kind_idx:i", "ev_default_pkey:i", "ev_kind:I", "ev_pkey:I",
        ], await ColumnAsync(db.Target, relations));
        Assert.Equal(await ColumnAsync(db.Target, "SELECT count(*) || ':' || sum(id) FROM rich.events"), await ColumnAsync(db.Target, "SELECT count(*) || ':' || sum(id) FROM rich.ev"));
        Assert.Equal(["4:10"], await ColumnAsync(db.Target, "SELECT count(*) || ':' || sum(id) FROM rich.ev"));
        Assert.Equal(["1"], await ColumnAsync(db.Target, "SELECT count(*) FROM rich.ev_2024_low"));
        Assert.Equal(["true"], await ColumnAsync(db.Target, "SELECT bool_and(indisvalid)::text FROM pg_index WHERE indrelid IN (SELECT oid FROM pg_class WHERE relname LIKE 'ev%')"));
    }

    [Fact]
    public async Task A_partition_whose_parent_is_not_on_the_target_is_a_clear_error()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tableopt");
        await CloneKit.LoadAsync(db.Source, "rich.sql");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "rich", "events_2023"));
        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Target, db.Target).Describe()}: table \"rich\".\"events_2023\": is a partition of \"rich\".\"events\", which is not on the target; clone that table first", e.Message);
    }

    [Fact]
    public async Task Target_name_puts_a_copy_beside_the_original_with_its_own_index_constraint_and_sequence_names()
    {
        var db = await ArrangeAsync("""
            CREATE SCHEMA s;
            CREATE TABLE s.t (id serial PRIMARY KEY, parent int REFERENCES s.t(id), code text UNIQUE, n int CHECK (n > 0));
            CREATE INDEX t_n_idx ON s.t (n);
            CREATE INDEX by_code ON s.t (lower(code));
            CREATE FUNCTION s.tg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.n := coalesce(NEW.n, 1); RETURN NEW; END$$;
            CREATE TRIGGER t_fill BEFORE INSERT ON s.t FOR EACH ROW EXECUTE FUNCTION s.tg();
            INSERT INTO s.t (parent, code, n) VALUES (NULL, 'a', 1), (1, 'b', 2);
            """);
        await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t");
        await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t", new CloneOptions { TargetName = "t copy" });

        Assert.Equal([
            "t copy_code_key|UNIQUE (code)", "t copy_n_check|CHECK ((n > 0))", "t copy_parent_fkey|FOREIGN KEY (parent) REFERENCES s.\"t copy\"(id)", "t copy_pkey|PRIMARY KEY (id)",
        ], await ColumnAsync(db.Target, "SELECT conname || '|' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 's.\"t copy\"'::regclass ORDER BY 1"));
        Assert.Equal(["t copy_by_code", "t copy_code_key", "t copy_n_idx", "t copy_pkey"],
            await ColumnAsync(db.Target, "SELECT c.relname FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE i.indrelid = 's.\"t copy\"'::regclass ORDER BY 1"));
        Assert.Equal(["by_code", "t_code_key", "t_n_idx", "t_pkey"],
            await ColumnAsync(db.Target, "SELECT c.relname FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE i.indrelid = 's.t'::regclass ORDER BY 1"));
        Assert.Equal(["nextval('s.\"t copy_id_seq\"'::regclass)", "nextval('s.t_id_seq'::regclass)"],
            await ColumnAsync(db.Target, "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid IN ('s.t'::regclass, 's.\"t copy\"'::regclass) ORDER BY 1"));
        Assert.Equal(["t_fill"], await ColumnAsync(db.Target, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 's.\"t copy\"'::regclass"));
        await PgServers.ExecAsync(db.Target, "INSERT INTO s.\"t copy\" (parent, code) VALUES (2, 'c')");
        Assert.Equal(["1||a|1", "2|1|b|2", "3|2|c|1"], await ColumnAsync(db.Target, "SELECT concat_ws('|', id, coalesce(parent::text, ''), code, n) FROM s.\"t copy\" ORDER BY id"));
        Assert.Equal(["1||a|1", "2|1|b|2"], await ColumnAsync(db.Target, "SELECT concat_ws('|', id, coalesce(parent::text, ''), code, n) FROM s.t ORDER BY id"));
    }
}
