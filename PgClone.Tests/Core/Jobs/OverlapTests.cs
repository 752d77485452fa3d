using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Jobs;

/// <summary>Indexes and constraints overlap the load: each starts once the tables it needs are in, not after all data.</summary>
public sealed class OverlapTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_loaded_tables_index_is_built_while_a_slow_table_still_copies_and_a_foreign_key_waits_for_its_referenced_key()
    {
        var db = await fx.Servers.CreateDatabasesAsync("overlap");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE big(id int); INSERT INTO big SELECT generate_series(1, 2000);
            CREATE TABLE small(id int, big_id int); INSERT INTO small SELECT g, g FROM generate_series(1, 50) g;
            """);
        // The target logs, with the time, each index and ALTER TABLE (event trigger) and the end of big's COPY (statement trigger).
        var plan = new ClonePlan
        {
            PreData =
            [
                Create("big", "id int"), Create("small", "id int, big_id int"),
                new DdlStatement("table", "\"public\".\"log\"", "CREATE TABLE public.log (seq serial, what text)"),
                new DdlStatement("function", "log_ddl", "CREATE FUNCTION public.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO public.log(what) SELECT command_tag || ' ' || object_identity FROM pg_event_trigger_ddl_commands(); END$$"),
                new DdlStatement("event trigger", "log_ddl", "CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE INDEX', 'ALTER TABLE') EXECUTE FUNCTION public.log_ddl()"),
                new DdlStatement("function", "log_big", "CREATE FUNCTION public.log_big() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO public.log(what) VALUES ('big loaded'); RETURN NULL; END$$"),
                new DdlStatement("trigger", "big_loaded", "CREATE TRIGGER big_loaded AFTER INSERT ON public.big FOR EACH STATEMENT EXECUTE FUNCTION public.log_big()"),
            ],
            // big reads slowly (about 4 s); small is tiny.
            Tables = [Table("big", ["id"], 1 << 20, expressions: ["\"id\" + length(pg_sleep(0.002)::text)"]), Table("small", ["id", "big_id"])],
            Indexes =
            [
                new DdlStatement("index", "small_id", "CREATE INDEX small_id ON public.small (id)") { Table = new QualifiedName("public", "small") },
                new DdlStatement("constraint", "big_pkey", "ALTER TABLE public.big ADD CONSTRAINT big_pkey PRIMARY KEY (id)") { Table = new QualifiedName("public", "big") },
            ],
            Constraints =
            [
                new DdlStatement("constraint", "small_fk", "ALTER TABLE ONLY public.small ADD CONSTRAINT small_fk FOREIGN KEY (big_id) REFERENCES public.big (id)")
                    { Table = new QualifiedName("public", "small"), References = new QualifiedName("public", "big") },
            ],
        };
        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }), new CloneRunOptions { Planner = Fixed(plan) });

        Assert.Equal([2000L, 50], result.Tables.Select(t => t.Rows));
        var log = (await PgServers.RowsAsync(db.Target, "SELECT what FROM public.log ORDER BY seq")).Select(r => (string)r[0]!).ToList();
        // small's index before big is in; the foreign key after big's key, which it references.
        Assert.Equal(["CREATE INDEX public.small_id", "big loaded", "ALTER TABLE public.big", "ALTER TABLE public.small"], log);
    }

    [Fact]
    public async Task The_lead_table_with_a_slow_index_is_loaded_by_every_worker_at_once_so_its_build_starts_first()
    {
        var db = await fx.Servers.CreateDatabasesAsync("overlap_lead");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE docs(id int, doc jsonb); INSERT INTO docs SELECT g, jsonb_build_object('n', g) FROM generate_series(1, 20000) g;
            CREATE TABLE plain(id int, note text); INSERT INTO plain SELECT g, repeat('x', 50) FROM generate_series(1, 20000) g;
            """);
        QualifiedName docs = new("public", "docs"), plain = new("public", "plain");
        // Each COPY into a table logs, as it starts, the session that runs it (a statement trigger fires once per COPY).
        var plan = new ClonePlan
        {
            PreData =
            [
                Create("docs", "id int, doc jsonb"), Create("plain", "id int, note text"),
                new DdlStatement("table", "\"public\".\"log\"", "CREATE TABLE public.log (seq serial, tbl text, pid int)"),
                new DdlStatement("function", "log_copy", "CREATE FUNCTION public.log_copy() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO public.log(tbl, pid) VALUES (TG_TABLE_NAME, pg_backend_pid()); RETURN NULL; END$$"),
                new DdlStatement("trigger", "docs_copied", "CREATE TRIGGER docs_copied BEFORE INSERT ON public.docs FOR EACH STATEMENT EXECUTE FUNCTION public.log_copy()"),
                new DdlStatement("trigger", "plain_copied", "CREATE TRIGGER plain_copied BEFORE INSERT ON public.plain FOR EACH STATEMENT EXECUTE FUNCTION public.log_copy()"),
            ],
            // plain is estimated larger, but docs' GIN build makes docs the lead (and the run's critical path).
            Tables = [Table("docs", ["id", "doc"], 1 << 20, key: "id"), Table("plain", ["id", "note"], 3 << 19, key: "id")],
            Indexes =
            [
                new DdlStatement("index", "docs_doc", "CREATE INDEX docs_doc ON public.docs USING gin (doc)") { Table = docs },
                new DdlStatement("index", "plain_id", "CREATE INDEX plain_id ON public.plain (id)") { Table = plain },
            ],
        };
        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }),
            new CloneRunOptions { Planner = Fixed(plan), SpreadTablesLargerThan = 1000 });

        Assert.Equal([20000L, 20000], result.Tables.OrderBy(t => t.Table.Name).Select(t => t.Rows));
        var log = await PgServers.RowsAsync(db.Target, "SELECT tbl, count(*), count(DISTINCT pid) FROM public.log GROUP BY tbl ORDER BY tbl");
        // docs in one range per worker, from both workers; plain (no slow index) whole, once.
        Assert.Equal([("docs", 2L, 2L), ("plain", 1L, 1L)], log.Select(r => ((string)r[0]!, (long)r[1]!, (long)r[2]!)));
        // docs' ranges are handed out first: the first COPY to start is one of them. (Whether the second worker starts
        // its range before the first worker, done with a range this small, starts plain is a matter of timing.)
        Assert.Equal("docs", await PgServers.ScalarAsync<string>(db.Target, "SELECT tbl FROM public.log ORDER BY seq LIMIT 1"));
        Assert.Equal(await ChecksumAsync(db.Source, "docs", "id"), await ChecksumAsync(db.Target, "docs", "id"));
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_indexes WHERE indexname = 'docs_doc'"));
    }

    /// <summary>Pre-data making each CREATE INDEX log, as it starts, its statement and the session's parallel workers.</summary>
    private static readonly DdlStatement[] WorkersLog =
    [
        new DdlStatement("table", "\"public\".\"log\"", "CREATE TABLE public.log (seq serial, what text, workers text)"),
        new DdlStatement("function", "log_start", "CREATE FUNCTION public.log_start() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO public.log(what, workers) VALUES (current_query(), current_setting('max_parallel_maintenance_workers')); END$$"),
        new DdlStatement("event trigger", "log_ddl", "CREATE EVENT TRIGGER log_ddl ON ddl_command_start WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION public.log_start()"),
    ];

    /// <summary>What <see cref="WorkersLog"/> logged, in the order the builds started.</summary>
    private static async Task<List<(string What, string Workers)>> WorkersLoggedAsync(string target) =>
        [.. (await PgServers.RowsAsync(target, "SELECT what, workers FROM public.log ORDER BY seq")).Select(r => ((string)r[0]!, (string)r[1]!))];

    [Fact]
    public async Task Builds_beside_the_jobs_other_work_get_no_parallel_workers_however_they_rank()
    {
        var db = await fx.Servers.CreateDatabasesAsync("overlap_workers");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE docs(id int, doc jsonb); INSERT INTO docs SELECT g, jsonb_build_object('n', g) FROM generate_series(1, 300) g;
            CREATE TABLE plain(id int); INSERT INTO plain SELECT generate_series(1, 300);
            """);
        QualifiedName docs = new("public", "docs"), plain = new("public", "plain");
        var plan = new ClonePlan
        {
            PreData =
            [
                Create("docs", "id int, doc jsonb"), Create("plain", "id int"),
                .. WorkersLog,
                // About 5 ms a row: the GIN build lasts while the B-tree on docs is built beside it.
                new DdlStatement("function", "slow_doc", "CREATE FUNCTION public.slow_doc(jsonb) RETURNS jsonb IMMUTABLE LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.005); RETURN $1; END$$"),
            ],
            // docs reads slowly (about 1 s): plain's index is built while it copies.
            Tables = [Table("docs", ["id", "doc"], expressions: ["\"id\" + length(pg_sleep(0.003)::text)", "\"doc\""]), Table("plain", ["id"])],
            Indexes =
            [
                new DdlStatement("index", "docs_doc", "CREATE INDEX docs_doc ON public.docs USING gin ((public.slow_doc(doc)))") { Table = docs },
                new DdlStatement("index", "docs_id", "CREATE INDEX docs_id ON public.docs (id)") { Table = docs },
                new DdlStatement("index", "plain_id", "CREATE INDEX plain_id ON public.plain (id)") { Table = plain },
            ],
        };
        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }),
            new CloneRunOptions { Planner = Fixed(plan), MaxParallelMaintenanceWorkers = 3 });

        Assert.Equal([300L, 300], result.Tables.OrderBy(t => t.Table.Name).Select(t => t.Rows));
        // plain's build runs beside docs' copy; docs' two builds start together on two sessions (either may log first),
        // each beside the other: no build runs with a session of the job idle.
        var log = await WorkersLoggedAsync(db.Target);
        Assert.Equal(("CREATE INDEX plain_id ON public.plain (id)", "0"), log[0]);
        Assert.Equal(
        [
            ("CREATE INDEX docs_doc ON public.docs USING gin ((public.slow_doc(doc)))", "0"),
            ("CREATE INDEX docs_id ON public.docs (id)", "0"),
        ], log.Skip(1).Order());
    }

    [Fact]
    public async Task Of_a_tables_btrees_the_largest_starts_first_with_the_idle_sessions_workers_and_one_built_beside_it_gets_none()
    {
        var db = await fx.Servers.CreateDatabasesAsync("overlap_larger");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE docs(id int, tag text); INSERT INTO docs SELECT g, 't' || g FROM generate_series(1, 300) g;");
        QualifiedName docs = new("public", "docs");
        var plan = new ClonePlan
        {
            PreData =
            [
                Create("docs", "id int, tag text"),
                .. WorkersLog,
                // About 3 ms a row: the larger build lasts while the smaller one is handed out.
                new DdlStatement("function", "slow_id", "CREATE FUNCTION public.slow_id(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.003); RETURN $1; END$$"),
            ],
            Tables = [Table("docs", ["id", "tag"])],
            // Listed smaller first: the order they start in is the sizes'.
            Indexes =
            [
                new DdlStatement("index", "docs_tag", "CREATE INDEX docs_tag ON public.docs (tag)") { Table = docs, EstimatedBytes = 16384 },
                new DdlStatement("index", "docs_slow", "CREATE INDEX docs_slow ON public.docs ((public.slow_id(id)))") { Table = docs, EstimatedBytes = 1 << 20 },
            ],
        };
        // Three sessions: when the larger build is handed out, the smaller is ready for a second, and the third is idle.
        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 3 }),
            new CloneRunOptions { Planner = Fixed(plan), MaxParallelMaintenanceWorkers = 3 });

        Assert.Equal(300L, result.Tables.Single().Rows);
        // Both start at once on two sessions: either may log first.
        var log = (await WorkersLoggedAsync(db.Target)).Order().ToList();
        Assert.Equal(
        [
            ("CREATE INDEX docs_slow ON public.docs ((public.slow_id(id)))", "1"),
            ("CREATE INDEX docs_tag ON public.docs (tag)", "0"),
        ], log);
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_indexes WHERE tablename = 'docs'"));
    }

    [Fact]
    public async Task A_build_with_nothing_else_of_the_job_to_run_gets_every_parallel_worker()
    {
        var db = await fx.Servers.CreateDatabasesAsync("overlap_alone");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE docs(id int); INSERT INTO docs SELECT generate_series(1, 300);");
        var plan = new ClonePlan
        {
            PreData = [Create("docs", "id int"), .. WorkersLog],
            Tables = [Table("docs", ["id"])],
            Indexes = [new DdlStatement("index", "docs_id", "CREATE INDEX docs_id ON public.docs (id)") { Table = new QualifiedName("public", "docs") }],
        };
        // Two sessions, one copy and one build: the build runs with the other session idle, as PostgreSQL runs one alone.
        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }),
            new CloneRunOptions { Planner = Fixed(plan), MaxParallelMaintenanceWorkers = 3 });

        Assert.Equal(300L, result.Tables.Single().Rows);
        Assert.Equal([("CREATE INDEX docs_id ON public.docs (id)", "3")], await WorkersLoggedAsync(db.Target));
    }

    [Fact]
    public async Task A_tables_key_is_built_before_its_plain_indexes_so_no_worker_waits_for_the_key_lock()
    {
        var db = await fx.Servers.CreateDatabasesAsync("overlap_keys");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int, doc jsonb); INSERT INTO t SELECT g, jsonb_build_object('n', g) FROM generate_series(1, 20000) g");
        var t = new QualifiedName("public", "t");
        var plan = new ClonePlan
        {
            PreData =
            [
                Create("t", "id int, doc jsonb"),
                new DdlStatement("table", "\"public\".\"log\"", "CREATE TABLE public.log (seq serial, what text)"),
                // The sequence numbers the statements as they start, before any of them waits for a lock.
                new DdlStatement("function", "log_start", "CREATE FUNCTION public.log_start() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO public.log(what) VALUES (tg_tag); END$$"),
                new DdlStatement("event trigger", "log_ddl", "CREATE EVENT TRIGGER log_ddl ON ddl_command_start WHEN TAG IN ('CREATE INDEX', 'ALTER TABLE') EXECUTE FUNCTION public.log_start()"),
            ],
            Tables = [Table("t", ["id", "doc"])],
            // The GIN build is the slow kind, which the scheduler would otherwise start first, beside the key.
            Indexes =
            [
                new DdlStatement("index", "t_doc", "CREATE INDEX t_doc ON public.t USING gin (doc)") { Table = t },
                new DdlStatement("index", "t_id", "CREATE INDEX t_id ON public.t (id)") { Table = t },
                new DdlStatement("constraint", "t_pkey", "ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id)") { Table = t },
            ],
        };
        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }), new CloneRunOptions { Planner = Fixed(plan) });

        Assert.Equal([20000L], result.Tables.Select(r => r.Rows));
        var log = (await PgServers.RowsAsync(db.Target, "SELECT what FROM public.log ORDER BY seq")).Select(r => (string)r[0]!).ToList();
        // Started in this order: the key alone, then both plain indexes.
        Assert.Equal("ALTER TABLE", log[0]);
        Assert.Equal(["CREATE INDEX", "CREATE INDEX"], log[1..]);
    }

    /// <param name="ownStepsUpTo">0: the table's builds are steps of their own (as a table above 4 MB's); the
    /// default: they run in its copy's transaction, where each such key is its own ADD CONSTRAINT instead.</param>
    [Theory]
    [InlineData(0L)]
    [InlineData(4L << 20)]
    public async Task A_plain_tables_keys_are_built_as_unique_indexes_beside_its_other_builds_and_attached_after_them(long ownStepsUpTo)
    {
        var db = await fx.Servers.CreateDatabasesAsync($"overlap_usingindex{ownStepsUpTo}");
        await PgServers.ExecAsync(db.Source, """"
            CREATE SCHEMA "s k";
            CREATE TABLE "s k"."T ""q""" (id int PRIMARY KEY WITH (fillfactor = 70), code text, doc jsonb, at int,
                CONSTRAINT "code ""u""" UNIQUE NULLS NOT DISTINCT (code) INCLUDE (at),
                CONSTRAINT late UNIQUE (at) DEFERRABLE INITIALLY DEFERRED);
            INSERT INTO "s k"."T ""q""" SELECT g, 'c' || g, jsonb_build_object('n', g), g FROM generate_series(1, 20000) g;
            CREATE INDEX "T doc" ON "s k"."T ""q""" USING gin (doc);
            CREATE TABLE "s k".p (id int, r int, PRIMARY KEY (id, r)) PARTITION BY RANGE (r);
            CREATE TABLE "s k".p1 PARTITION OF "s k".p FOR VALUES FROM (0) TO (10);
            INSERT INTO "s k".p SELECT g, g % 10 FROM generate_series(1, 100) g;
            """");
        // The target numbers each CREATE INDEX and ALTER TABLE as it starts (before it waits for any lock).
        await PgServers.ExecAsync(db.Target, """
            CREATE TABLE public.log (seq serial, what text);
            CREATE FUNCTION public.log_start() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO public.log(what) VALUES (current_query()); END$$;
            CREATE EVENT TRIGGER log_ddl ON ddl_command_start WHEN TAG IN ('CREATE INDEX', 'ALTER TABLE') EXECUTE FUNCTION public.log_start();
            """);
        var request = Request(db, new CloneOptions { Parallel = 2 }) with { Schema = "s k" };
        var result = await new CloneEngine().RunAsync(request, new CloneRunOptions { StepsInCopyTransactionUpTo = ownStepsUpTo });

        Assert.Equal([20000L, 100], result.Tables.OrderBy(t => t.Table.Name, StringComparer.Ordinal).Select(r => r.Rows));
        var log = (await PgServers.RowsAsync(db.Target, "SELECT what FROM public.log ORDER BY seq")).Select(r => (string)r[0]!).ToList();
        var table = "\"s k\".\"T \"\"q\"\"\"";
        string[] builds =
        [
            $"CREATE INDEX \"T doc\" ON {table} USING gin (doc)",
            $"CREATE UNIQUE INDEX \"T \"\"q\"\"_pkey\" ON {table} USING btree (id) WITH (fillfactor='70')",
            $"CREATE UNIQUE INDEX \"code \"\"u\"\"\" ON {table} USING btree (code) INCLUDE (at) NULLS NOT DISTINCT",
        ];
        string[] attaches =
        [
            $"ALTER TABLE ONLY {table} ADD CONSTRAINT \"T \"\"q\"\"_pkey\" PRIMARY KEY USING INDEX \"T \"\"q\"\"_pkey\"",
            $"ALTER TABLE ONLY {table} ADD CONSTRAINT \"code \"\"u\"\"\" UNIQUE USING INDEX \"code \"\"u\"\"\"",
        ];
        // A deferrable key has no unique index to build beforehand; a partitioned table's key is built per partition and attached.
        var late = $"ALTER TABLE ONLY {table} ADD CONSTRAINT \"late\" UNIQUE (at) DEFERRABLE INITIALLY DEFERRED";
        var onTable = log.Where(l => l.Contains(table, StringComparison.Ordinal)).ToList();
        if (ownStepsUpTo == 0)
            Assert.Equal([late, .. builds.Order(), .. attaches.Order()], [onTable[0], .. onTable[1..4].Order(), .. onTable[4..].Order()]);
        else
        {
            string[] added = [$"ALTER TABLE ONLY {table} ADD CONSTRAINT \"T \"\"q\"\"_pkey\" PRIMARY KEY (id) WITH (fillfactor='70')",
                             $"ALTER TABLE ONLY {table} ADD CONSTRAINT \"code \"\"u\"\"\" UNIQUE NULLS NOT DISTINCT (code) INCLUDE (at)"];
            Assert.Equal([late, .. added.Append(builds[0]).Order()], [onTable[0], .. onTable[1..].Order()]);
        }
        Assert.Contains("ALTER TABLE ONLY \"s k\".\"p\" ADD CONSTRAINT \"p_pkey\" PRIMARY KEY (id, r)", log);
        // The keys are the source's, and their indexes too.
        const string keys = """
            SELECT c.conname, pg_get_constraintdef(c.oid), pg_get_indexdef(c.conindid), i.indisprimary, i.indimmediate
            FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid
            WHERE c.connamespace = '"s k"'::regnamespace AND c.contype IN ('p', 'u') ORDER BY 1
            """;
        Assert.Equal(await PgServers.RowsAsync(db.Source, keys), await PgServers.RowsAsync(db.Target, keys));
    }
}
