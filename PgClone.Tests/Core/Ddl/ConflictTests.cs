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

    private static string Target(TestDatabases db) => ServerEndpoint.Parse(ServerRole.Target, db.Target).Describe();

    private static Task<PgClone.Core.Jobs.CloneResult> CloneAsync(TestDatabases db, ConflictStrategy conflict) =>
        CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Conflict = conflict });

    private static async Task<List<string>> RelationsAsync(string cs) =>
        (await PgServers.RowsAsync(cs, "SELECT c.relname || ':' || c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 's' ORDER BY 1"))
        .Select(r => (string)r[0]!).ToList();

    /// <summary>A run's notes after the first, which says what the source snapshot covered.</summary>
    private static IEnumerable<string> ConflictNotes(PgClone.Core.Jobs.CloneResult result)
    {
        Assert.StartsWith("source snapshot ", result.Notes[0]);
        return result.Notes.Skip(1);
    }

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

    [Fact]
    public async Task Rename_says_where_each_object_went()
    {
        var db = await ArrangeAsync();
        var first = await CloneAsync(db, ConflictStrategy.Rename);
        Assert.Equal(["table \"s\".\"t\" moved aside to \"s\".\"t_old\", with its indexes and sequences",
                      "function \"s\".\"f\"(x integer) moved aside to \"s\".\"f_old\"(x integer)"], ConflictNotes(first));

        // Again: the names the first run took are passed over, and what it moved aside stays as it is.
        var second = await CloneAsync(db, ConflictStrategy.Rename);
        Assert.Equal([
            "table \"s\".\"other\" moved aside to \"s\".\"other_old\", with its indexes",
            "table \"s\".\"t\" moved aside to \"s\".\"t_old_2\", with its indexes and sequences",
            "function \"s\".\"f\"(x integer) moved aside to \"s\".\"f_old_2\"(x integer)",
            "view \"s\".\"v\" moved aside to \"s\".\"v_old\"",
            "kept on the target, not in the source: table \"s\".\"t_old\"",
        ], ConflictNotes(second));
    }

    [Fact]
    public async Task Replace_names_the_columns_only_the_targets_table_had_and_what_the_target_keeps_of_its_own()
    {
        var db = await ArrangeAsync();
        // Columns someone added by hand on the target (an index on one), and tables and a view the source never had.
        await PgServers.ExecAsync(db.Target, """
            ALTER TABLE s.t ADD COLUMN extra int, ADD COLUMN note text;
            CREATE INDEX t_extra_idx ON s.t (extra);
            CREATE TABLE s.only_here (id int);
            CREATE VIEW s.v2 AS SELECT id FROM s.only_here;
            """);
        var preview = await PgClone.Core.Preflight.PreflightRunner.RunAsync(
            CloneKit.Request(db, CloneOperation.Schema, "s", options: new CloneOptions { Conflict = ConflictStrategy.Replace }), null);
        Assert.Equal("already exists on the target: dropped with CASCADE and created again (conflict=replace); " +
                     "its columns \"extra\", \"note\" that the source's table lacks are dropped with it",
            preview.Checks.Single(c => c.Id == "conflict" && c.Object == "table \"s\".\"t\"").Message);

        var result = await CloneAsync(db, ConflictStrategy.Replace);

        Assert.Equal(["replaced on the target (dropped with CASCADE and created again): table \"s\".\"t\", function \"s\".\"f\"(x integer)",
                      "table \"s\".\"t\": replaced; its columns \"extra\", \"note\" that the source's table lacks are dropped with it",
                      "kept on the target, not in the source: table \"s\".\"only_here\", view \"s\".\"v2\""], ConflictNotes(result));
        Assert.Equal([["id"], ["v"]], await PgServers.RowsAsync(db.Target, "SELECT attname::text FROM pg_attribute WHERE attrelid = 's.t'::regclass AND attnum > 0 ORDER BY attnum"));
        Assert.Equal(["new1", "new2"], await ValuesAsync(db.Target, "t"));
    }

    /// <summary>
    /// What a run that failed part-way leaves (its schema, types and the sequences of tables it never created) is
    /// replaced by the next run asked to replace; skip, which cannot leave such a sequence and create its table, and
    /// replace over a name an unrelated index holds, refuse before anything changes.
    /// </summary>
    [Fact]
    public async Task Replace_takes_over_a_failed_runs_leftover_sequence_and_skip_or_a_foreign_index_refuses_before_any_change()
    {
        var db = await fx.Servers.CreateDatabasesAsync("conflict");
        await PgServers.ExecAsync(db.Source, SourceSql);
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA s; CREATE SEQUENCE s.t_id_seq; SELECT setval('s.t_id_seq', 40)");
        var skip = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(db, ConflictStrategy.Skip));
        Assert.Equal($"{Target(db)}: sequence \"s\".\"t_id_seq\": already exists on the target, and table \"s\".\"t\" brings its " +
                     "sequence under that name: conflict=skip cannot leave it and create table \"s\".\"t\"; drop or rename it on the target, or choose " +
                     "conflict replace or rename (nothing was changed)", skip.Message);
        Assert.Equal(["t_id_seq:S"], await RelationsAsync(db.Target));

        var result = await CloneAsync(db, ConflictStrategy.Replace);
        Assert.Equal(["replaced on the target (dropped with CASCADE and created again): sequence \"s\".\"t_id_seq\""], ConflictNotes(result));
        Assert.Equal(["new1", "new2"], await ValuesAsync(db.Target, "t"));
        // The copy's sequence, owned by its column and where the source's is.
        Assert.Equal([["s.t_id_seq", 2L]], await PgServers.RowsAsync(db.Target, "SELECT pg_get_serial_sequence('s.t', 'id'), last_value FROM s.t_id_seq"));

        // An index of a table the clone does not create holds the name of one it brings: not the clone's to drop.
        var other = await fx.Servers.CreateDatabasesAsync("conflict");
        await PgServers.ExecAsync(other.Source, SourceSql);
        await PgServers.ExecAsync(other.Target, "CREATE SCHEMA s; CREATE TABLE s.mine (v text); CREATE INDEX t_v_idx ON s.mine (v); INSERT INTO s.mine VALUES ('kept')");
        var replace = await Assert.ThrowsAsync<PgCloneException>(() => CloneAsync(other, ConflictStrategy.Replace));
        Assert.Equal($"{Target(other)}: index \"s\".\"t_v_idx\": the name table \"s\".\"t\" brings for its index is taken on the " +
                     "target by index \"s\".\"t_v_idx\", which conflict=replace does not drop (the clone does not create it again); drop or rename it on " +
                     "the target, or choose conflict rename (nothing was changed)", replace.Message);
        Assert.Equal(["mine:r", "t_v_idx:i"], await RelationsAsync(other.Target));
    }

    [Fact]
    public async Task Skip_lists_twenty_of_the_targets_own_tables_it_keeps_and_counts_the_rest()
    {
        var db = await ArrangeAsync();
        await PgServers.ExecAsync(db.Target, "DO $$ BEGIN FOR i IN 1..22 LOOP EXECUTE format('CREATE TABLE s.k%s (id int)', lpad(i::text, 2, '0')); END LOOP; END $$");

        var result = await CloneAsync(db, ConflictStrategy.Skip);

        Assert.Equal(["kept on the target, not in the source: " + string.Join(", ", Enumerable.Range(1, 20).Select(i => $"table \"s\".\"k{i:00}\"")) + " and 2 more"],
            ConflictNotes(result));
    }

    [Fact]
    public async Task Replace_is_refused_before_anything_changes_when_the_drop_would_take_what_the_clone_does_not_create_again()
    {
        var db = await fx.Servers.CreateDatabasesAsync("conflict_cascade");
        const string schema = """
            CREATE SCHEMA a;
            CREATE TYPE a.st AS ENUM ('x', 'y');
            CREATE TABLE a.t (id int PRIMARY KEY, s a.st);
            CREATE FUNCTION a.f(v int) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN v > 0;
            INSERT INTO a.t VALUES (1, 'x');
            """;
        await PgServers.ExecAsync(db.Source, schema);
        await PgServers.ExecAsync(db.Target, schema + """
            -- Another schema's objects (a table's column, a view, a foreign key), and in the cloned schema a table of
            -- its own with a CHECK on a replaced function: each would go with DROP ... CASCADE.
            CREATE SCHEMA b;
            CREATE TABLE b.keep (id int, s a.st);
            INSERT INTO b.keep VALUES (1, 'y');
            CREATE VIEW b.v AS SELECT id FROM a.t;
            CREATE TABLE b.ref (id int REFERENCES a.t);
            CREATE TABLE a.mine (v int CHECK (a.f(v)));
            -- A view of the cloned schema only the target has: the schema clone makes the schema afresh.
            CREATE VIEW a.extra AS SELECT id FROM a.t;
            """);
        var before = await PgServers.RowsAsync(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace IN ('a'::regnamespace, 'b'::regnamespace)");

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "a", options: new CloneOptions { Conflict = ConflictStrategy.Replace }));

        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Target, db.Target).Describe()}: conflict=replace: dropping the target's objects to create them again would also drop " +
                     "4 objects the clone does not create again: column s of table b.keep, constraint mine_v_check on table a.mine, " +
                     "constraint ref_id_fkey on table b.ref, view b.v (nothing was changed; move or drop those first, or choose conflict rename or skip)", e.Message);
        Assert.Equal(before, await PgServers.RowsAsync(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace IN ('a'::regnamespace, 'b'::regnamespace)"));
        Assert.Equal([[1, "y"]], await PgServers.RowsAsync(db.Target, "SELECT id, s::text FROM b.keep"));

        // A functions clone replaces its functions only: a table's CHECK calling one would go with it.
        var functions = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Functions, "a", options: new CloneOptions { Conflict = ConflictStrategy.Replace }));
        Assert.EndsWith("would also drop 1 object the clone does not create again: constraint mine_v_check on table a.mine " +
                        "(nothing was changed; move or drop those first, or choose conflict rename or skip)", functions.Message);

        // Once those are out of the way, replace goes on; the cloned schema's own view (the source has none) goes with
        // the table it reads, and the run says so.
        await PgServers.ExecAsync(db.Target, "DROP SCHEMA b CASCADE; DROP TABLE a.mine");
        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "a", options: new CloneOptions { Conflict = ConflictStrategy.Replace });
        Assert.Equal([[1, "x"]], await PgServers.RowsAsync(db.Target, "SELECT id, s::text FROM a.t"));
        Assert.Contains("view a.extra: the target's own (the source has none), dropped with what conflict=replace replaced", result.Skipped);
    }

    [Fact]
    public async Task An_aggregate_that_exists_is_a_conflict_each_strategy_handles()
    {
        var db = await fx.Servers.CreateDatabasesAsync("conflict_agg");
        const string schema = """
            CREATE SCHEMA s;
            CREATE TYPE s.st AS ENUM ('x', 'y');
            CREATE AGGREGATE s.total(int) (SFUNC = int4pl, STYPE = int);
            CREATE AGGREGATE s.n(*) (SFUNC = int8inc, STYPE = bigint, INITCOND = '0');
            CREATE FUNCTION s.label(a s.st) RETURNS text LANGUAGE sql RETURN a::text;
            """;
        await PgServers.ExecAsync(db.Source, schema);
        await PgServers.ExecAsync(db.Target, schema);
        async Task<List<string>> RoutinesAsync() => (await PgServers.RowsAsync(db.Target,
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 's'::regnamespace ORDER BY 1")).Select(r => (string)r[0]!).ToList();

        var error = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Functions, "s"));
        Assert.Contains("[conflict] aggregate \"s\".\"total\"(integer): already exists (conflict strategy is error; nothing was changed)", error.Message);
        Assert.Contains("[conflict] aggregate \"s\".\"n\"(): already exists", error.Message);

        var skip = await CloneKit.CloneAsync(db, CloneOperation.Functions, "s", options: new CloneOptions { Conflict = ConflictStrategy.Skip });
        Assert.Contains("aggregate \"s\".\"total\"(integer): already exists on the target (conflict=skip)", skip.Skipped);
        Assert.Equal(["s.label(s.st)", "s.n()", "s.total(integer)"], await RoutinesAsync());

        await CloneKit.CloneAsync(db, CloneOperation.Functions, "s", options: new CloneOptions { Conflict = ConflictStrategy.Replace });
        Assert.Equal(["s.label(s.st)", "s.n()", "s.total(integer)"], await RoutinesAsync());
        // A schema clone replaces the type a function takes as well (dropping the type drops the function first).
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Conflict = ConflictStrategy.Replace });
        Assert.Equal(["s.label(s.st)", "s.n()", "s.total(integer)"], await RoutinesAsync());

        // Rename moves the routines aside (a function named by a type of its schema too), then creates the source's.
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Conflict = ConflictStrategy.Rename });
        Assert.Equal(["s.label(s.st)", "s.label_old(s.st_old)", "s.n()", "s.n_old()", "s.total(integer)", "s.total_old(integer)"], await RoutinesAsync());
        Assert.Equal(6, await PgServers.ScalarAsync<int>(db.Target, "SELECT s.total(v) FROM (VALUES (1), (5)) x (v)"));
    }

    [Fact]
    public async Task Replace_recreates_a_schemas_casts_and_rename_under_a_new_schema_name_moves_aside_again_and_again()
    {
        var db = await fx.Servers.CreateDatabasesAsync("conflict_cast");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA ca;
            CREATE TYPE ca.c AS (a int);
            CREATE FUNCTION ca.f(ca.c) RETURNS text LANGUAGE sql IMMUTABLE RETURN ($1).a::text;
            CREATE CAST (ca.c AS text) WITH FUNCTION ca.f(ca.c);
            CREATE FUNCTION ca.g(int) RETURNS int LANGUAGE sql RETURN 1;
            CREATE TABLE ca.t (id int);
            CREATE TYPE ca.span AS RANGE (subtype = int);
            """);
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "ca");
        // The cast goes with the type it is dropped with, and the clone brings it again: no refusal.
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "ca", options: new CloneOptions { Conflict = ConflictStrategy.Replace });
        Assert.Equal("7", await PgServers.ScalarAsync<string>(db.Target, "SELECT ROW(7)::ca.c::text"));

        // A routine moved aside keeps its name free of the one already there: f_old(c_old) and f_old(c_old_2) are two overloads.
        for (var run = 0; run < 3; run++)
            await CloneKit.CloneAsync(db, CloneOperation.Schema, "ca", options: new CloneOptions { TargetName = "ca2", Conflict = ConflictStrategy.Rename });
        Assert.Equal(["ca2.f(ca2.c)", "ca2.f_old(ca2.c_old)", "ca2.f_old(ca2.c_old_2)", "ca2.g(integer)", "ca2.g_old(integer)", "ca2.g_old_2(integer)"],
            (await PgServers.RowsAsync(db.Target, "SELECT oid::regprocedure::text FROM pg_proc WHERE pronamespace = 'ca2'::regnamespace AND proname NOT LIKE 'span%' ORDER BY 1")).Select(r => (string)r[0]!));
        // A range moved aside takes its multirange along, so the new range's can be made.
        Assert.Equal(["span", "span_multirange", "span_multirange_old", "span_multirange_old_2", "span_old", "span_old_2"],
            (await PgServers.RowsAsync(db.Target, "SELECT typname::text FROM pg_type WHERE typnamespace = 'ca2'::regnamespace AND typname LIKE 'span%' AND typtype IN ('r', 'm') ORDER BY 1")).Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task Operators_text_search_objects_conversions_and_casts_that_exist_are_conflicts_too()
    {
        var db = await fx.Servers.CreateDatabasesAsync("conflict_kinds");
        const string schema = """
            CREATE SCHEMA k;
            CREATE FUNCTION k.lt(int, int) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN $1 < $2;
            CREATE OPERATOR k.<<< (LEFTARG = int, RIGHTARG = int, FUNCTION = k.lt);
            CREATE OPERATOR FAMILY k.fam USING btree;
            CREATE CONVERSION k.conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
            CREATE TEXT SEARCH DICTIONARY k.dict (TEMPLATE = simple);
            CREATE TEXT SEARCH CONFIGURATION k.cfg (COPY = simple);
            ALTER TEXT SEARCH CONFIGURATION k.cfg ALTER MAPPING FOR word WITH k.dict;
            CREATE TYPE k.c AS (a int);
            CREATE FUNCTION k.txt(k.c) RETURNS text LANGUAGE sql IMMUTABLE RETURN ($1).a::text;
            CREATE CAST (k.c AS text) WITH FUNCTION k.txt(k.c);
            """;
        await PgServers.ExecAsync(db.Source, schema);
        await PgServers.ExecAsync(db.Target, schema);
        Task<PgClone.Core.Jobs.CloneResult> Clone(ConflictStrategy conflict) => CloneKit.CloneAsync(db, CloneOperation.Schema, "k", options: new CloneOptions { Conflict = conflict });

        var error = await Assert.ThrowsAsync<PgCloneException>(() => Clone(ConflictStrategy.Error));
        foreach (var existing in new[] { "operator \"k\".<<< (integer, integer)", "operator family \"k\".\"fam\" USING \"btree\"", "conversion \"k\".\"conv\"",
                                         "text search dictionary \"k\".\"dict\"", "text search configuration \"k\".\"cfg\"", "cast (k.c AS text)" })
            Assert.Contains($"[conflict] {existing}: already exists (conflict strategy is error; nothing was changed)", error.Message);

        var skip = await Clone(ConflictStrategy.Skip);
        Assert.Contains("operator \"k\".<<< (integer, integer): already exists on the target (conflict=skip)", skip.Skipped);
        Assert.Contains("cast (k.c AS text): already exists on the target (conflict=skip)", skip.Skipped);

        var rename = await Assert.ThrowsAsync<PgCloneException>(() => Clone(ConflictStrategy.Rename));
        Assert.Contains("[conflict] operator \"k\".<<< (integer, integer): already exists, and conflict=rename does not apply to an operator", rename.Message);

        await Clone(ConflictStrategy.Replace);
        Assert.Equal([[true, "7", "'hello':1"]], await PgServers.RowsAsync(db.Target,
            "SELECT 1 OPERATOR(k.<<<) 2, ROW(7)::k.c::text, to_tsvector('k.cfg', 'hello')::text"));
    }
}
