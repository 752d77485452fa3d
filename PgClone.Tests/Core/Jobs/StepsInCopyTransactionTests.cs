using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Tests.Core.Masking;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Jobs;

/// <summary>
/// A small table's own indexes, keys and ANALYZE run in the transaction that creates and loads it (one round trip
/// after its COPY); what waits for another table (a foreign key, and so that table's ANALYZE) stays a step.
/// </summary>
public sealed class StepsInCopyTransactionTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Schema = """
        CREATE TABLE small(id int PRIMARY KEY, v text, e text UNIQUE);
        CREATE INDEX small_v ON small (v);
        CREATE INDEX small_lower_e ON small (lower(e));
        INSERT INTO small SELECT g, 'v' || g % 7, 'E' || g || '@example.com' FROM generate_series(1, 500) g;
        CREATE TABLE parent(id int PRIMARY KEY);
        INSERT INTO parent SELECT generate_series(1, 10);
        CREATE TABLE child(id int PRIMARY KEY, parent_id int REFERENCES parent, v text);
        CREATE INDEX child_v ON child (v);
        INSERT INTO child SELECT g, 1 + g % 10, 'c' || g FROM generate_series(1, 300) g;
        """;

    /// <summary>The target logs each CREATE TABLE, CREATE INDEX and ALTER TABLE with its (top-level) transaction id.</summary>
    private const string DdlLog = """
        CREATE SCHEMA audit;
        CREATE TABLE audit.ddl (seq serial, xid bigint, what text);
        CREATE FUNCTION audit.log() RETURNS event_trigger LANGUAGE plpgsql AS
            $$BEGIN INSERT INTO audit.ddl (xid, what) SELECT txid_current(), command_tag || ' ' || object_identity FROM pg_event_trigger_ddl_commands(); END$$;
        CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'CREATE INDEX', 'ALTER TABLE') EXECUTE FUNCTION audit.log();
        """;

    /// <summary>What each transaction did to the tables named, one line per transaction, sorted.</summary>
    private static async Task<List<string>> TransactionsAsync(string target, params string[] tables) =>
        [.. (await PgServers.RowsAsync(target, $"""
            SELECT string_agg(what, ', ' ORDER BY what) FROM audit.ddl
            WHERE {string.Join(" OR ", tables.Select(t => $"what ~ '^[A-Z ]+ public[.]{t}(_|$)'"))}
            GROUP BY xid ORDER BY 1
            """)).Select(r => (string)r[0]!)];

    private static Task<long> StatisticRowsAsync(string target, string relation) =>
        PgServers.ScalarAsync<long>(target, $"SELECT count(*) FROM pg_statistic WHERE starelid = 'public.{relation}'::regclass");

    private static IReadOnlyList<string> StepsOn(ClonePlan plan, string table) =>
        [.. plan.Indexes.Select((s, i) => (s, Key: JobCheckpoint.Step("index", i))).Where(p => p.s.Table is { } t && t.Name == table).Select(p => p.Key).Order()];

    [Fact]
    public async Task A_small_tables_indexes_keys_and_analyze_commit_with_its_data_and_a_foreign_key_stays_a_step()
    {
        var db = await fx.Servers.CreateDatabasesAsync("ownsteps");
        await PgServers.ExecAsync(db.Source, Schema);
        await PgServers.ExecAsync(db.Target, DdlLog);
        var store = new InMemoryCheckpointStore();
        // One table per transaction here: which tables share one depends on which worker is free first.
        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }), new CloneRunOptions { Checkpoints = store, TablesPerTransaction = 1 });

        // Each key is its own ADD CONSTRAINT here (no unique index built first, then attached: one transaction anyway).
        Assert.Equal(
            ["ALTER TABLE public.small, ALTER TABLE public.small, CREATE INDEX public.small_lower_e, CREATE INDEX public.small_v, CREATE TABLE public.small"],
            await TransactionsAsync(db.Target, "small"));
        Assert.Equal(
            ["ALTER TABLE public.child", "ALTER TABLE public.child, CREATE INDEX public.child_v, CREATE TABLE public.child",
             "ALTER TABLE public.parent, CREATE TABLE public.parent"],
            await TransactionsAsync(db.Target, "child", "parent"));
        const string keys = "SELECT conname, pg_get_constraintdef(oid), pg_get_indexdef(conindid) FROM pg_constraint WHERE contype IN ('p', 'u') AND connamespace = 'public'::regnamespace ORDER BY 1";
        Assert.Equal(await PgServers.RowsAsync(db.Source, keys), await PgServers.RowsAsync(db.Target, keys));
        // ANALYZE ran after the expression index (it has statistics) and before the commit; child's, after its foreign key.
        Assert.Equal(3L, await StatisticRowsAsync(db.Target, "small"));
        Assert.Equal(1L, await StatisticRowsAsync(db.Target, "small_lower_e"));
        Assert.Equal(3L, await StatisticRowsAsync(db.Target, "child"));
        Assert.Equal(await ChecksumAsync(db.Source, "small", "id"), await ChecksumAsync(db.Target, "small", "id"));
        Assert.Equal(await ChecksumAsync(db.Source, "child", "id"), await ChecksumAsync(db.Target, "child", "id"));

        // The checkpoint records every step done, and the table's pending record names the steps committed with it.
        var job = (await store.LoadAsync(result.JobId!, CancellationToken.None))!;
        var smallSteps = StepsOn(job.Plan!, "small");
        Assert.Equal(6, smallSteps.Count);
        Assert.Equal(smallSteps, job.Pending["table:\"public\".\"small\""].With!.Order().ToList());
        Assert.Equal(job.Plan!.Indexes.Count + job.Plan.Constraints.Count,
            job.Steps.Count(s => s.StartsWith("index:", StringComparison.Ordinal) || s.StartsWith("constraint:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Above_the_size_set_a_tables_indexes_are_steps_of_their_own()
    {
        var db = await fx.Servers.CreateDatabasesAsync("ownsteps0");
        await PgServers.ExecAsync(db.Source, Schema);
        await PgServers.ExecAsync(db.Target, DdlLog);
        await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }), new CloneRunOptions { StepsInCopyTransactionUpTo = 0 });

        Assert.Equal(
            ["ALTER TABLE public.small", "ALTER TABLE public.small", "CREATE INDEX public.small_e_key", "CREATE INDEX public.small_lower_e",
             "CREATE INDEX public.small_pkey", "CREATE INDEX public.small_v", "CREATE TABLE public.small"],
            await TransactionsAsync(db.Target, "small"));
        Assert.Equal(1L, await StatisticRowsAsync(db.Target, "small_lower_e"));
    }

    /// <summary>
    /// A table of fewer rows than the target's autovacuum_analyze_threshold (50) is left without statistics, as
    /// autovacuum leaves it (and a restore of pg_dump's output); one of 50 is analyzed: in its copy's transaction, and
    /// as a step of its own above the size set.
    /// </summary>
    [Theory]
    [InlineData(1L << 20)]
    [InlineData(0L)]
    public async Task A_table_below_autovacuums_analyze_threshold_is_left_unanalyzed_as_autovacuum_leaves_it(long stepsInCopyUpTo)
    {
        var db = await fx.Servers.CreateDatabasesAsync($"analyzefrom{stepsInCopyUpTo}");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE under (id int PRIMARY KEY, v text); INSERT INTO under SELECT g, 'u' || g FROM generate_series(1, 49) g;
            CREATE TABLE at (id int PRIMARY KEY, v text); INSERT INTO at SELECT g, 'a' || g FROM generate_series(1, 50) g;
            CREATE TABLE bare (v text); INSERT INTO bare SELECT 'b' || g FROM generate_series(1, 50) g;
            """);
        Assert.Equal(50L, await PgServers.ScalarAsync<long>(db.Target, "SELECT current_setting('autovacuum_analyze_threshold')::int8"));

        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }), new CloneRunOptions { StepsInCopyTransactionUpTo = stepsInCopyUpTo });

        Assert.Equal([49L, 50L, 50L], result.Tables.Select(t => t.Rows).Order().ToList());
        Assert.Equal(0L, await StatisticRowsAsync(db.Target, "under"));
        Assert.Equal(2L, await StatisticRowsAsync(db.Target, "at"));
        Assert.Equal(1L, await StatisticRowsAsync(db.Target, "bare"));
        Assert.Equal(await ChecksumAsync(db.Source, "under", "id"), await ChecksumAsync(db.Target, "under", "id"));
    }

    [Fact]
    public async Task An_analyze_the_server_refuses_for_the_data_leaves_the_table_without_statistics_and_notes_it()
    {
        var db = await fx.Servers.CreateDatabasesAsync("analyzerefused");
        // PostgreSQL 15's range statistics take bounds as double precision: 1e1000 is beyond it (the source cannot
        // ANALYZE the table either), and a restore of pg_dump's output, which runs no ANALYZE, keeps its rows.
        await PgServers.ExecAsync(db.Source, Schema + "CREATE TABLE ranges (id int PRIMARY KEY, r numrange); INSERT INTO ranges VALUES (1, '[-1e1000,1e1000]'); " +
            "INSERT INTO ranges SELECT g, numrange(g, g + 1) FROM generate_series(2, 60) g;");

        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }), new CloneRunOptions { Preflight = false });

        Assert.Equal(60, result.Tables.Single(t => t.Table.Name == "ranges").Rows);
        Assert.Equal(await ChecksumAsync(db.Source, "ranges", "id"), await ChecksumAsync(db.Target, "ranges", "id"));
        var note = result.Notes.Single(n => n.StartsWith("ANALYZE ", StringComparison.Ordinal));
        Assert.Equal($"ANALYZE \"public\".\"ranges\": no statistics gathered: \"2{new string('0', 98)}…{new string('0', 17)}\" is out of range for type double precision", note);
        Assert.Equal(0, await StatisticRowsAsync(db.Target, "ranges"));
        Assert.True(await StatisticRowsAsync(db.Target, "small") > 0);
    }

    [Fact]
    public async Task A_step_failing_in_the_copys_transaction_keeps_the_data_and_fails_the_run_naming_the_index()
    {
        var db = await fx.Servers.CreateDatabasesAsync("ownstepsfail");
        // An index whose (falsely immutable) function refuses to run on the target database.
        await PgServers.ExecAsync(db.Source, Schema + """
            CREATE FUNCTION public.refused_on_target(t text) RETURNS text IMMUTABLE LANGUAGE plpgsql AS
                $$BEGIN IF current_setting('pgclone_test.refuse', true) = 'on' THEN RAISE EXCEPTION 'refused on the target'; END IF; RETURN t; END$$;
            CREATE INDEX small_refused ON small (public.refused_on_target(v));
            """);
        var target = new Npgsql.NpgsqlConnectionStringBuilder(db.Target).Database!;
        await PgServers.ExecAsync(db.Target, $"ALTER DATABASE \"{target}\" SET pgclone_test.refuse = on");
        var store = new InMemoryCheckpointStore();
        var jobId = CloneRunOptions.NewJobId();
        var request = Request(db, new CloneOptions { Parallel = 2 });
        var e = await Assert.ThrowsAsync<PgCloneException>(() =>
            new CloneEngine().RunAsync(request, new CloneRunOptions { JobId = jobId, Checkpoints = store, Preflight = false }));

        Assert.Equal($"{request.Target.Describe()}: index \"small_refused\" on \"public\".\"small\": refused on the target", e.Message);
        Assert.Equal(await ChecksumAsync(db.Source, "small", "id"), await ChecksumAsync(db.Target, "small", "id"));
        var job = (await store.LoadAsync(jobId, CancellationToken.None))!;
        Assert.Contains("\"public\".\"small\"", job.Tables.Keys);
        var refused = job.Plan!.Indexes.Select((s, i) => (s, Key: JobCheckpoint.Step("index", i))).Single(p => p.s.Sql.Contains("small_refused", StringComparison.Ordinal));
        Assert.DoesNotContain(refused.Key, job.Steps);
        Assert.Null(job.Pending["table:\"public\".\"small\""].With);
    }

    [Fact]
    public async Task A_session_ended_in_the_copys_transaction_fails_the_run_with_the_servers_reason_and_loses_nothing()
    {
        var db = await fx.Servers.CreateDatabasesAsync("ownstepskill");
        // An index whose function ends its own session on the target, in the middle of the small table's batch.
        await PgServers.ExecAsync(db.Source, Schema + """
            CREATE FUNCTION public.ends_session(t text) RETURNS text IMMUTABLE LANGUAGE plpgsql AS
                $$BEGIN IF current_setting('pgclone_test.refuse', true) = 'on' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN t; END$$;
            CREATE INDEX small_ends ON small (public.ends_session(v));
            """);
        var target = new Npgsql.NpgsqlConnectionStringBuilder(db.Target).Database!;
        await PgServers.ExecAsync(db.Target, $"ALTER DATABASE \"{target}\" SET pgclone_test.refuse = on");
        var request = Request(db, new CloneOptions { Parallel = 2 });
        var e = await Assert.ThrowsAsync<PgCloneException>(() =>
            new CloneEngine().RunAsync(request, new CloneRunOptions { Checkpoints = new InMemoryCheckpointStore(), Preflight = false }));

        Assert.Equal($"{request.Target.Describe()}: table \"public\".\"small\": terminating connection due to administrator command", e.Message);
        // The transaction that created and loaded small rolled back whole.
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 'small'"));
    }

    /// <summary>Fails every record after the small table's commit: its steps are then known only from its pending record.</summary>
    private sealed class LoseRecordsAfterSmall(InMemoryCheckpointStore inner) : ICheckpointStore
    {
        private int _armed;
        public Task BeginAsync(JobCheckpoint job, CancellationToken ct) => inner.BeginAsync(job, ct);
        public Task SavePlanAsync(string jobId, ClonePlan plan, CancellationToken ct) => inner.SavePlanAsync(jobId, plan, ct);
        public Task TableCopiedAsync(string jobId, TableCheckpoint table, CancellationToken ct) => LoseAsync() ?? inner.TableCopiedAsync(jobId, table, ct);
        public Task StepDoneAsync(string jobId, string step, CancellationToken ct) => LoseAsync() ?? inner.StepDoneAsync(jobId, step, ct);
        public Task StepPendingAsync(string jobId, PendingStep step, CancellationToken ct)
        {
            if (step.Step == "table:\"public\".\"small\"" && step.With is { Count: > 0 }) Volatile.Write(ref _armed, 1);
            return inner.StepPendingAsync(jobId, step, ct);
        }
        public Task FinishAsync(string jobId, JobStatus status, string? error, CancellationToken ct) => inner.FinishAsync(jobId, status, error, ct);
        public Task<JobCheckpoint?> LoadAsync(string jobId, CancellationToken ct) => inner.LoadAsync(jobId, ct);
        public Task<JobCheckpoint?> LatestAsync(CancellationToken ct) => inner.LatestAsync(ct);

        private Task? LoseAsync() => Volatile.Read(ref _armed) == 1 ? Task.FromException(new IOException("checkpoint disk gone")) : null;
    }

    [Fact]
    public async Task A_resume_counts_the_steps_committed_with_a_tables_data_from_its_pending_record()
    {
        var db = await fx.Servers.CreateDatabasesAsync("ownstepsresume");
        await PgServers.ExecAsync(db.Source, Schema);
        var store = new InMemoryCheckpointStore();
        var request = Request(db, new CloneOptions { Parallel = 2 });
        var jobId = CloneRunOptions.NewJobId();
        var e = await Assert.ThrowsAsync<PgCloneException>(() =>
            new CloneEngine().RunAsync(request, new CloneRunOptions { JobId = jobId, Checkpoints = new LoseRecordsAfterSmall(store) }));
        Assert.Contains("checkpoint disk gone", e.Message, StringComparison.Ordinal);
        var failed = (await store.LoadAsync(jobId, CancellationToken.None))!;
        var smallSteps = StepsOn(failed.Plan!, "small");
        Assert.DoesNotContain(smallSteps, failed.Steps.Contains);
        // Renamed on the target: a resume that built small_v again would bring it back under its own name.
        await PgServers.ExecAsync(db.Target, "ALTER INDEX small_v RENAME TO small_v_kept");

        var result = await new CloneEngine().ResumeAsync(failed, new CloneRunOptions { Checkpoints = store });
        var resumed = (await store.LoadAsync(result.JobId!, CancellationToken.None))!;
        Assert.All(smallSteps, k => Assert.Contains(k, resumed.Steps));
        Assert.Equal(["small_e_key", "small_lower_e", "small_pkey", "small_v_kept"],
            (await PgServers.RowsAsync(db.Target, "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'public.small'::regclass ORDER BY 1")).Select(r => (string)r[0]!));
        Assert.Equal(await ChecksumAsync(db.Source, "small", "id"), await ChecksumAsync(db.Target, "small", "id"));
        Assert.Equal(await ChecksumAsync(db.Source, "child", "id"), await ChecksumAsync(db.Target, "child", "id"));
    }

    /// <summary>Tables of 2 to 3 pages (largest first in the load), each with a key, an index and its rows.</summary>
    private static string SmallTables(int count) => string.Concat(Enumerable.Range(1, count).Select(i => $"""
        CREATE TABLE s{i:00} (id int PRIMARY KEY, v text); CREATE INDEX s{i:00}_v ON s{i:00} (v);
        INSERT INTO s{i:00} SELECT g, repeat('x', 20) || g FROM generate_series(1, {180 + 120 * (i % 3)}) g;
        """));

    /// <summary>The tables of each transaction that created tables, by their CREATE TABLE, one line per transaction, sorted.</summary>
    private static async Task<List<string>> CreatedTogetherAsync(string target) =>
        [.. (await PgServers.RowsAsync(target, """
            SELECT string_agg(substr(what, length('CREATE TABLE public.') + 1), ' ' ORDER BY what) FROM audit.ddl
            WHERE what LIKE 'CREATE TABLE public.%' GROUP BY xid ORDER BY 1
            """)).Select(r => (string)r[0]!)];

    /// <summary>An event trigger of the target doing <paramref name="action"/> when the CREATE TABLE of <paramref name="table"/> ends.</summary>
    private static string OnCreating(string table, string name, string action) => $"""
        CREATE FUNCTION audit.{name}() RETURNS event_trigger LANGUAGE plpgsql AS
            $$BEGIN IF EXISTS (SELECT FROM pg_event_trigger_ddl_commands() WHERE object_identity = 'public.{table}') THEN {action}; END IF; END$$;
        CREATE EVENT TRIGGER {name} ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION audit.{name}();
        """;

    /// <summary>Tables s01 to s<paramref name="count"/> were created in one committed transaction, each with the source's rows.</summary>
    private static async Task AssertCreatedTogetherWithTheirRowsAsync(TestDatabases db, int count)
    {
        Assert.Equal([string.Join(' ', Enumerable.Range(1, count).Select(i => $"s{i:00}").Order())], await CreatedTogetherAsync(db.Target));
        foreach (var i in Enumerable.Range(1, count))
            Assert.Equal(await ChecksumAsync(db.Source, $"s{i:00}", "id"), await ChecksumAsync(db.Target, $"s{i:00}", "id"));
    }

    [Fact]
    public async Task Small_tables_a_worker_creates_share_its_transaction_up_to_the_number_set_each_with_its_own_steps()
    {
        var db = await fx.Servers.CreateDatabasesAsync("sharedtx");
        await PgServers.ExecAsync(db.Source, SmallTables(20));
        await PgServers.ExecAsync(db.Target, DdlLog);
        var store = new InMemoryCheckpointStore();
        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 1 }),
            new CloneRunOptions { Checkpoints = store, TablesPerTransaction = 8, TablesShareTransactionFor = TimeSpan.FromMinutes(1) });

        var together = await CreatedTogetherAsync(db.Target);
        Assert.Equal([8, 8, 4], together.Select(t => t.Split(' ').Length).OrderDescending().ToList());
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"s{i:00}").Order(), together.SelectMany(t => t.Split(' ')).Order());
        // Each table's key and index went in with it: no transaction of their own.
        Assert.Equal(3, (await PgServers.RowsAsync(db.Target, "SELECT DISTINCT xid FROM audit.ddl WHERE what ~ '^(CREATE|ALTER) [A-Z]+ public[.]s'")).Count);
        Assert.Equal(20, result.Tables.Count);
        foreach (var i in Enumerable.Range(1, 20))
            Assert.Equal(await ChecksumAsync(db.Source, $"s{i:00}", "id"), await ChecksumAsync(db.Target, $"s{i:00}", "id"));
        const string keys = "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid::regclass::text LIKE 's%' ORDER BY 1";
        Assert.Equal(await PgServers.RowsAsync(db.Source, keys), await PgServers.RowsAsync(db.Target, keys));
        // The checkpoint had each table pending under its transaction's id before the commit, then recorded it done.
        var job = (await store.LoadAsync(result.JobId!, CancellationToken.None))!;
        Assert.Equal(20, job.Tables.Count);
        var pending = job.Pending.Values.Where(p => p.Table is not null).ToList();
        Assert.Equal(20, pending.Count);
        Assert.Equal(3, pending.Select(p => p.TransactionId).Distinct().Count());
        // Its key (built, then attached) and its index.
        Assert.All(pending, p => Assert.Equal(3, p.With!.Count));
    }

    [Fact]
    public async Task A_transaction_open_for_longer_than_the_time_set_takes_no_more_tables()
    {
        var db = await fx.Servers.CreateDatabasesAsync("sharedtxtime");
        await PgServers.ExecAsync(db.Source, SmallTables(5));
        await PgServers.ExecAsync(db.Target, DdlLog);
        await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 1 }), new CloneRunOptions { TablesShareTransactionFor = TimeSpan.Zero });

        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"s{i:00}").Order(), await CreatedTogetherAsync(db.Target));
    }

    [Fact]
    public async Task A_table_failing_in_a_shared_transaction_is_rolled_back_alone_and_the_tables_before_it_commit()
    {
        var db = await fx.Servers.CreateDatabasesAsync("sharedtxfail");
        // The smallest table (one page, the others two or three), loaded last: the target refuses to create it.
        await PgServers.ExecAsync(db.Source, SmallTables(6) + "CREATE TABLE refused (id int PRIMARY KEY); INSERT INTO refused VALUES (1);");
        await PgServers.ExecAsync(db.Target, DdlLog + OnCreating("refused", "refuse", "RAISE EXCEPTION 'no table named refused here'"));
        var request = Request(db, new CloneOptions { Parallel = 1 });
        var e = await Assert.ThrowsAsync<PgCloneException>(() =>
            new CloneEngine().RunAsync(request, new CloneRunOptions { Preflight = false, TablesShareTransactionFor = TimeSpan.FromMinutes(1) }));

        Assert.Equal($"{request.Target.Describe()}: table \"public\".\"refused\": no table named refused here", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 'refused'"));
        // The six loaded before it in the same transaction committed, whole.
        await AssertCreatedTogetherWithTheirRowsAsync(db, 6);
    }

    [Fact]
    public async Task A_run_cancelled_with_a_shared_transaction_open_commits_the_tables_it_holds_whole_and_not_the_one_being_loaded()
    {
        var db = await fx.Servers.CreateDatabasesAsync("sharedtxcancel");
        await PgServers.ExecAsync(db.Source, SmallTables(4) + "CREATE TABLE gated (id int PRIMARY KEY); INSERT INTO gated VALUES (1);");
        // Creating the smallest table, loaded last, waits for an advisory lock the test holds.
        await PgServers.ExecAsync(db.Target, DdlLog + OnCreating("gated", "gate", "PERFORM pg_advisory_xact_lock_shared(4712)"));
        await using var gate = new Npgsql.NpgsqlConnection(db.Target);
        await gate.OpenAsync();
        await using (var close = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(4712)", gate)) await close.ExecuteNonQueryAsync();
        var jobId = CloneRunOptions.NewJobId();
        using var cts = new CancellationTokenSource();
        var run = new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 1 }),
            new CloneRunOptions { JobId = jobId, Preflight = false, TablesShareTransactionFor = TimeSpan.FromMinutes(1) }, cts.Token);
        while (!(await PgServers.RowsAsync(db.Target, $"SELECT 1 FROM pg_stat_activity WHERE application_name LIKE '%{jobId}%' AND wait_event = 'advisory'")).Any())
            await Task.Delay(50);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));
        await using (var open = new Npgsql.NpgsqlCommand("SELECT pg_advisory_unlock(4712)", gate)) await open.ExecuteNonQueryAsync();

        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 'gated'"));
        await AssertCreatedTogetherWithTheirRowsAsync(db, 4);
    }

    [Fact]
    public async Task An_engine_without_a_masker_refuses_mask_rules_before_copying_anything()
    {
        var db = await fx.Servers.CreateDatabasesAsync("nomasker");
        await PgServers.ExecAsync(db.Source, Schema);
        var options = new CloneOptions { Mask = JsonNode.Parse("""{"small": {"e": "email"}}""")!.AsObject() };
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(Request(db, options)));

        Assert.Equal("the request has mask rules, but this engine has no masker to apply them: nothing was copied (build it with MaskingFactory)", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
    }
}
