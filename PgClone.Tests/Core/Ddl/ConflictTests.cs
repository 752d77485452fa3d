using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>Each conflict strategy, when the target already holds objects of the names a schema clone creates.</summary>
public sealed class ConflictTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string SourceSql = """
        CREATE SCHEMA s;
        CREATE TABLE s.t (id serial PRIMARY KEY, v text);
        CREATE INDEX t_v_idx ON s.t (v);
        INSERT INTO s.t (v) VALUES ('new1'), ('new2');
        CREATE TABLE s.other (id int PRIMARY KEY);
        INSERT INTO s.other VALUES (1);
        CREATE VIEW s.v AS SELECT id, v FROM s.t;
        CREATE FUNCTION s.f(x int) RETURNS text LANGUAGE sql AS $$SELECT 'new'$$;
        """;

    private const string TargetSql = """
        CREATE SCHEMA s;
        CREATE TABLE s.t (id serial PRIMARY KEY, v text);
        CREATE INDEX t_v_idx ON s.t (v);
        INSERT INTO s.t (v) VALUES ('old');
        CREATE FUNCTION s.f(x int) RETURNS text LANGUAGE sql AS $$SELECT 'old'$$;
        """;

    private async Task<TestDatabases> ArrangeAsync()
    {
        var db = await fx.Servers.CreateDatabasesAsync("conflict");
        await PgServers.ExecAsync(db.Source, SourceSql);
        await PgServers.ExecAsync(db.Target, TargetSql);
        return db;
    }

    private static Task<PgClone.Core.Jobs.CloneResult> CloneAsync(TestDatabases db, ConflictStrategy conflict) =>
        CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Conflict = conflict });

    private static async Task<List<string>> RelationsAsync(string cs) =>
        (await PgServers.RowsAsync(cs, "SELECT c.relname || ':' || c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 's' ORDER BY 1"))
        .Select(r => (string)r[0]!).ToList();

    private static async Task<List<string>> ValuesAsync(string cs, string table) =>
        (await PgServers.RowsAsync(cs, $"SELECT v FROM s.{table} ORDER BY id")).Select(r => (string)r[0]!).ToList();

    [Fact]
    public async Task Error_names_the_existing_object_and_the_target_and_changes_nothing()
    {
        var db = await ArrangeAsync();
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(db, ConflictStrategy.Error));
        // The preflight before the run lists every conflict, not only the first.
        Assert.Equal("preflight found 2 blockers: [conflict] table \"s\".\"t\": already exists (conflict strategy is error; nothing was changed); " +
                     "[conflict] function \"s\".\"f\"(x integer): already exists (conflict strategy is error; nothing was changed) " +
                     "(to go on over what exists, choose the conflict strategy skip, replace or rename)", e.Message);
        Assert.Equal(["t:r", "t_id_seq:S", "t_pkey:i", "t_v_idx:i"], await RelationsAsync(db.Target));
        Assert.Equal(["old"], await ValuesAsync(db.Target, "t"));
    }

    [Fact]
    public async Task A_run_refused_for_many_conflicts_lists_ten_of_a_kind_and_counts_the_rest()
    {
        var db = await fx.Servers.CreateDatabasesAsync("conflict_many");
        const string tables = "DO $$ BEGIN FOR i IN 1..13 LOOP EXECUTE format('CREATE TABLE s.t%s (id int)', lpad(i::text, 2, '0')); END LOOP; END $$";
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA s; " + tables);
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA s; " + tables);

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s"));

        Assert.Equal("preflight found 13 blockers: " + string.Join("; ", Enumerable.Range(1, 10).Select(i =>
                $"[conflict] table \"s\".\"t{i:00}\": already exists (conflict strategy is error; nothing was changed)")) +
            "; [conflict] and 3 more (to go on over what exists, choose the conflict strategy skip, replace or rename)", e.Message);
    }

    [Fact]
    public async Task An_index_name_taken_by_another_table_is_a_conflict_too()
    {
        var db = await fx.Servers.CreateDatabasesAsync("conflict");
        await PgServers.ExecAsync(db.Source, SourceSql);
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA s; CREATE TABLE s.x (v text); CREATE INDEX t_v_idx ON s.x (v)");

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(db, ConflictStrategy.Error));
        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Target, db.Target).Describe()}: index \"s\".\"t_v_idx\": already exists (conflict strategy is error; nothing was changed)", e.Message);
        Assert.Equal(["t_v_idx:i", "x:r"], await RelationsAsync(db.Target));

        await CloneAsync(db, ConflictStrategy.Rename);
        Assert.Equal(["other:r", "other_pkey:i", "t:r", "t_id_seq:S", "t_pkey:i", "t_v_idx:i", "t_v_idx_old:i", "v:v", "x:r"], await RelationsAsync(db.Target));
        Assert.Equal("x", await PgServers.ScalarAsync<string>(db.Target, "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE i.indexrelid = 's.t_v_idx_old'::regclass"));
    }

    [Fact]
    public async Task Skip_leaves_the_existing_table_and_its_rows_and_clones_the_rest()
    {
        var db = await ArrangeAsync();
        var result = await CloneAsync(db, ConflictStrategy.Skip);
        Assert.Equal(["table \"s\".\"t\": already exists on the target (conflict=skip)", "function \"s\".\"f\"(x integer): already exists on the target (conflict=skip)"], result.Skipped);
        Assert.Equal("old", await PgServers.ScalarAsync<string>(db.Target, "SELECT s.f(1)"));
        Assert.Equal(["other:r", "other_pkey:i", "t:r", "t_id_seq:S", "t_pkey:i", "t_v_idx:i", "v:v"], await RelationsAsync(db.Target));
        Assert.Equal(["old"], await ValuesAsync(db.Target, "t"));
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.other"));
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT last_value FROM s.t_id_seq"));
    }

    [Fact]
    public async Task Replace_drops_and_recreates_the_table_with_the_source_rows()
    {
        var db = await ArrangeAsync();
        await CloneAsync(db, ConflictStrategy.Replace);
        Assert.Equal(["other:r", "other_pkey:i", "t:r", "t_id_seq:S", "t_pkey:i", "t_v_idx:i", "v:v"], await RelationsAsync(db.Target));
        Assert.Equal(["new1", "new2"], await ValuesAsync(db.Target, "t"));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT last_value FROM s.t_id_seq"));
        Assert.Equal(["new1", "new2"], await ValuesAsync(db.Target, "v"));
        Assert.Equal("new", await PgServers.ScalarAsync<string>(db.Target, "SELECT s.f(1)"));
    }

    [Fact]
    public async Task Rename_moves_existing_objects_aside_with_their_index_and_sequence_names()
    {
        var db = await ArrangeAsync();
        await CloneAsync(db, ConflictStrategy.Rename);
        Assert.Equal(["other:r", "other_pkey:i", "t:r", "t_id_seq:S", "t_id_seq_old:S", "t_old:r", "t_pkey:i", "t_pkey_old:i", "t_v_idx:i", "t_v_idx_old:i", "v:v"],
            await RelationsAsync(db.Target));
        Assert.Equal(["new1", "new2"], await ValuesAsync(db.Target, "t"));
        Assert.Equal(["old"], await ValuesAsync(db.Target, "t_old"));
        Assert.Equal("new|old", await PgServers.ScalarAsync<string>(db.Target, "SELECT s.f(1) || '|' || s.f_old(1)"));

        // Again: the names taken by the first move are skipped.
        await CloneAsync(db, ConflictStrategy.Rename);
        Assert.Equal([
            "other:r", "other_old:r", "other_pkey:i", "other_pkey_old:i", "t:r", "t_id_seq:S", "t_id_seq_old:S", "t_id_seq_old_2:S",
            "t_old:r", "t_old_2:r", "t_pkey:i", "t_pkey_old:i", "t_pkey_old_2:i", "t_v_idx:i", "t_v_idx_old:i", "t_v_idx_old_2:i", "v:v", "v_old:v",
        ], await RelationsAsync(db.Target));
        Assert.Equal(["new1", "new2"], await ValuesAsync(db.Target, "t"));
        Assert.Equal(["new1", "new2"], await ValuesAsync(db.Target, "t_old_2"));
        Assert.Equal(["old"], await ValuesAsync(db.Target, "t_old"));
        Assert.Equal("PRIMARY KEY (id)", await PgServers.ScalarAsync<string>(db.Target,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 't_pkey_old_2' AND conrelid = 's.t_old_2'::regclass"));
    }
}
