using System.Text.Json;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Core.Preflight;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Preflight;

/// <summary>The preflight on real servers: each check's ok and failing case, and a clone refusing to start on blockers.</summary>
public sealed class PreflightTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Schema = """
        CREATE SCHEMA s;
        CREATE TABLE s.customers (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, country text, email text,
            label text GENERATED ALWAYS AS (upper(country)) STORED);
        INSERT INTO s.customers (country, email) SELECT CASE WHEN g % 2 = 0 THEN 'DE' ELSE 'FR' END, 'c' || g || '@x.example' FROM generate_series(1, 40) g;
        CREATE TABLE s.orders (id int, customer_id int REFERENCES s.customers, placed date, PRIMARY KEY (id, placed)) PARTITION BY RANGE (placed);
        CREATE TABLE s.orders_2024 PARTITION OF s.orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        INSERT INTO s.orders SELECT g, 1 + g % 40, date '2024-01-01' + g FROM generate_series(1, 100) g;
        ANALYZE;
        """;

    private static Dictionary<string, List<PreflightCheck>> ById(PreflightReport r) => r.Checks.GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.ToList());

    [Fact]
    public async Task A_clean_schema_clone_passes_and_lists_versions_sizes_care_disk_and_the_subset_rows()
    {
        var db = await fx.Servers.CreateDatabasesAsync("pfok");
        await PgServers.ExecAsync(db.Source, Schema);
        var request = CloneKit.Request(db, CloneOperation.Schema, "s", options: CloneOptions.Parse("""{"subset": {"root": "s.customers", "where": "country = 'DE'"}}"""));

        var report = await PreflightRunner.RunAsync(request, null);

        Assert.Equal(PreflightStatus.Ok, report.Status);
        var checks = ById(report);
        var version = await PgServers.ScalarAsync<string>(db.Source, "SHOW server_version");
        Assert.Equal($"source PostgreSQL {version}, target PostgreSQL {version}", Assert.Single(checks["version"]).Message);
        Assert.Equal($"connected to {request.Target.Describe()}", Assert.Single(checks["connection.target"]).Message);
        Assert.Equal("the target has every extension the clone needs", Assert.Single(checks["extension"]).Message);
        Assert.Equal("no object the clone creates exists on the target", Assert.Single(checks["conflict"]).Message);
        Assert.Equal(PreflightStatus.Ok, Assert.Single(checks["privilege.source"]).Status);
        Assert.Equal(PreflightStatus.Ok, Assert.Single(checks["privilege.superuser"]).Status);
        Assert.Equal(("table \"s\".\"orders\"", "partitioned: created with its partitions; its 1 leaf partition is loaded"),
            (Assert.Single(checks["care.partitioned"]).Object, checks["care.partitioned"][0].Message));
        Assert.Equal("identity column \"id\": values copied as they are, the sequence continues from the source's value", Assert.Single(checks["care.identity"]).Message);
        Assert.Equal("generated column \"label\": not copied, the target computes them", Assert.Single(checks["care.generated"]).Message);
        Assert.Equal([("table \"s\".\"customers\"", "20 rows: root"), ("table \"s\".\"orders_2024\"", "50 rows: child of \"s\".\"customers\"")],
            checks["subset"].Select(c => (c.Object, c.Message)).OrderBy(x => x.Object));
        Assert.Equal(["table \"s\".\"customers\"", "table \"s\".\"orders_2024\""], checks["size"].Select(c => c.Object));
        Assert.StartsWith("about 20 rows, ", checks["size"][0].Message);
        Assert.StartsWith("about ", Assert.Single(checks["duration"]).Message);
        // Both servers run on this machine and the user is a superuser: the free space is read from the file system.
        Assert.Equal(PreflightStatus.Ok, Assert.Single(checks["disk"]).Status);
        Assert.Contains(" free on the target's data directory; the data needs about ", checks["disk"][0].Message);
        Assert.Equal("no mask rules and no masking required", Assert.Single(checks["masking"]).Message);

        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        var first = json.RootElement.GetProperty("checks")[0];
        Assert.Equal(["id", "status", "message", "object"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("connection.source", "ok"), (first.GetProperty("id").GetString(), first.GetProperty("status").GetString()));
        // Nothing changed on the target.
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));
    }

    [Fact]
    public async Task Other_conflict_strategies_are_warnings_that_say_what_will_happen()
    {
        var db = await fx.Servers.CreateDatabasesAsync("pfwarn");
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA s; CREATE TABLE s.t (id int)");
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA s; CREATE TABLE s.t (x text)");

        var replace = await PreflightRunner.RunAsync(CloneKit.Request(db, CloneOperation.Schema, "s", options: CloneOptions.Parse("""{"conflict": "replace"}""")), null);
        var rename = await PreflightRunner.RunAsync(CloneKit.Request(db, CloneOperation.Schema, "s", options: CloneOptions.Parse("""{"conflict": "rename"}""")), null);

        Assert.Equal(new PreflightCheck("conflict", PreflightStatus.Warning, "already exists on the target: dropped with CASCADE and created again (conflict=replace); " +
                                                                        "its column \"x\" that the source's table lacks is dropped with it", "table \"s\".\"t\""),
            Assert.Single(ById(replace)["conflict"]));
        Assert.Equal(new PreflightCheck("conflict", PreflightStatus.Warning, "already exists on the target: moved aside to \"s\".\"t_old\" (conflict=rename)", "table \"s\".\"t\""),
            Assert.Single(ById(rename)["conflict"]));
        Assert.Equal(PreflightStatus.Warning, replace.Status);
    }

    [Fact]
    public async Task Missing_privileges_on_either_side_are_blockers_and_unreadable_disk_space_is_said()
    {
        var db = await fx.Servers.CreateDatabasesAsync("pfpriv");
        var role = $"pf_{Guid.NewGuid():N}"[..20];
        await PgServers.ExecAsync(db.Source, $"""
            CREATE SCHEMA s; CREATE TABLE s.open (id int); CREATE TABLE s.secret (id int);
            CREATE ROLE {role} LOGIN PASSWORD 'pw'; GRANT USAGE ON SCHEMA s TO {role}; GRANT SELECT ON s.open TO {role};
            """);
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {role} LOGIN PASSWORD 'pw'");
        var request = new CloneRequest(CloneOperation.Schema, ServerEndpoint.Parse(ServerRole.Source, As(db.Source, role)),
            ServerEndpoint.Parse(ServerRole.Target, As(db.Target, role)), "s");

        var checks = ById(await PreflightRunner.RunAsync(request, null));

        Assert.Equal(new PreflightCheck("privilege.source", PreflightStatus.Blocker, $"source user {role} has no SELECT privilege", "table \"s\".\"secret\""),
            Assert.Single(checks["privilege.source"]));
        Assert.Equal(new PreflightCheck("privilege.target", PreflightStatus.Blocker,
            $"target user {role} has no CREATE privilege on the database, needed to create schema \"s\"", $"database \"{db.Name}\""),
            Assert.Single(checks["privilege.target"]));
        Assert.Equal(PreflightStatus.Warning, Assert.Single(checks["privilege.superuser"]).Status);
        Assert.Equal(new PreflightCheck("disk", PreflightStatus.Warning,
            "free disk space on the target is not readable (data_directory needs superuser or pg_read_all_settings): make sure about 0 B plus indexes is free"),
            Assert.Single(checks["disk"]));

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request));
        Assert.StartsWith("preflight found 2 blockers: [privilege.source] table \"s\".\"secret\": source user", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));
    }

    [Fact]
    public async Task A_target_that_is_the_source_database_under_another_address_is_refused_unless_cloned_under_another_name()
    {
        var db = await fx.Servers.CreateDatabasesAsync("pfsame");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t SELECT generate_series(1, 5)");
        var csb = new Npgsql.NpgsqlConnectionStringBuilder(db.Source) { Host = "localhost" };
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source);
        var sameTarget = ServerEndpoint.Parse(ServerRole.Target, csb.ConnectionString);
        string Refusal(string remedy) => "preflight found 1 blocker: [connection.same] source and target are the same database " +
            $"({source.Describe()}, {sameTarget.Describe()}): the clone would overwrite what it reads; {remedy}";

        // Replace would drop the table it reads (and wait forever for its own read's lock): refused before anything is written.
        var table = new CloneRequest(CloneOperation.Table, source, sameTarget, "public", "t", CloneOptions.Parse("""{"conflict": "replace"}"""));
        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(table));
        Assert.Equal(Refusal("give the table another name (target_name), or another target database"), e.Message);
        var e2 = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(table with { Operation = CloneOperation.Database, Schema = null, Table = null }));
        Assert.Equal(Refusal("give another target database"), e2.Message);
        Assert.Equal(5L, await PgServers.ScalarAsync<long>(db.Source, "SELECT count(*) FROM public.t"));

        // Beside itself under another name, a copy is what the user asked for.
        var copy = await new CloneEngine().RunAsync(table with { Options = CloneOptions.Parse("""{"target_name": "t_copy"}""") });
        Assert.Equal(5L, Assert.Single(copy.Tables).Rows);
        Assert.Equal((5L, 5L), (await PgServers.ScalarAsync<long>(db.Source, "SELECT count(*) FROM public.t"), await PgServers.ScalarAsync<long>(db.Source, "SELECT count(*) FROM public.t_copy")));
    }

    [Fact]
    public async Task A_table_never_analyzed_has_no_row_estimate_rather_than_0_rows()
    {
        var db = await fx.Servers.CreateDatabasesAsync("pfnoanalyze");
        // Three rows stay under autovacuum's analyze threshold (50 rows): reltuples stays -1.
        await PgServers.ExecAsync(db.Source, "CREATE TABLE public.fresh (id int); INSERT INTO public.fresh VALUES (1), (2), (3)");
        var checks = ById(await PreflightRunner.RunAsync(CloneKit.Request(db, CloneOperation.Table, "public", "fresh"), null));

        Assert.Equal(("table \"public\".\"fresh\"", "rows not estimated (never analyzed), 8.0 kB"), (Assert.Single(checks["size"]).Object, checks["size"][0].Message));
        Assert.Equal("1 table, about 0 rows (1 never analyzed, not counted), 8.0 kB", Assert.Single(checks["size.total"]).Message);
    }

    [Fact]
    public async Task What_a_run_would_leave_out_is_a_blocker_or_with_skip_unsupported_a_warning_naming_each()
    {
        var db = await fx.Servers.CreateDatabasesAsync("pfskip");
        var absent = $"pf_gone_{Guid.NewGuid():N}"[..22];
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {absent}; CREATE TABLE public.t (id int); ALTER TABLE public.t OWNER TO {absent}; SELECT lo_create(4242)");
        var admin = await PgServers.ScalarAsync<string>(db.Target, "SELECT current_user::text");
        var missing = $"1 ownership or privilege setting of role \"{absent}\": it is not on the target (objects stay owned by \"{admin}\")";

        var refused = ById(await PreflightRunner.RunAsync(CloneKit.Request(db, CloneOperation.Database), null));
        var skipping = ById(await PreflightRunner.RunAsync(CloneKit.Request(db, CloneOperation.Database, options: new CloneOptions { SkipUnsupported = true }), null));

        Assert.Equal((PreflightStatus.Blocker, $"{ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe()}: cannot clone {missing} " +
                                                "(nothing was written; clone those roles first with a roles clone, or set \"skip_unsupported\": true to clone without them)"),
            (Assert.Single(refused["plan"]).Status, refused["plan"][0].Message));
        Assert.False(refused.ContainsKey("skipped"));
        Assert.Equal(new PreflightCheck("skipped", PreflightStatus.Warning, missing), Assert.Single(skipping["skipped"]));
        Assert.False(skipping.ContainsKey("plan"));
        // Large objects are the database's: a database clone brings them, a schema clone says it does not.
        Assert.Equal(new PreflightCheck("care.large_objects", PreflightStatus.Ok, "1 large object: cloned with their data, owners, privileges and comments"),
            Assert.Single(skipping["care.large_objects"]));
        var schema = ById(await PreflightRunner.RunAsync(CloneKit.Request(db, CloneOperation.Schema, "public"), null));
        Assert.Equal(new PreflightCheck("care.large_objects", PreflightStatus.Warning, "the source database holds 1 large object (pg_largeobject): " +
                                        "only a database clone copies them, so oid columns referring to them will name none on the target"), Assert.Single(schema["care.large_objects"]));
    }

    [Theory]
    [InlineData("country = 'DE'", null)]
    [InlineData("country >", "syntax error at the end of the filter (is it incomplete?)")]
    [InlineData("nosuchcol = 1", "column \"nosuchcol\" does not exist")]
    [InlineData("pg_sleep(3) IS NOT NULL", "it calls pg_sleep(double precision), which is volatile (may write or act on the server); only immutable and stable functions are allowed")]
    public async Task A_row_filter_is_planned_on_the_source_and_a_wrong_one_is_a_blocker(string where, string? problem)
    {
        var db = await fx.Servers.CreateDatabasesAsync("pfwhere");
        await PgServers.ExecAsync(db.Source, Schema);
        var request = CloneKit.Request(db, CloneOperation.Table, "s", "customers", new CloneOptions { Where = where });

        var check = Assert.Single(ById(await PreflightRunner.RunAsync(request, null))["where"]);

        Assert.Equal(problem is null
                ? new PreflightCheck("where", PreflightStatus.Ok, "the row filters are valid on the source and call no volatile function")
                : new PreflightCheck("where", PreflightStatus.Blocker, $"{request.Source.Describe()}: table \"s\".\"customers\": where filter rejected: {problem}"),
            check with { Error = null });
    }

    [Fact]
    public async Task The_masking_gate_is_a_blocker_when_a_sensitive_column_has_no_rule()
    {
        var db = await fx.Servers.CreateDatabasesAsync("pfmask");
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA s; CREATE TABLE s.people (id int, email text, phone text); INSERT INTO s.people VALUES (1, 'a@b.example', '555 0101')");
        var covered = CloneKit.Request(db, CloneOperation.Schema, "s", options: CloneOptions.Parse("""{"require_masking": true, "mask": {"people": {"email": "email", "phone": "keep_format"}}}"""));
        var uncovered = CloneKit.Request(db, CloneOperation.Schema, "s", options: CloneOptions.Parse("""{"require_masking": true, "mask": {"people": {"email": "email"}}}"""));

        var ok = ById(await PreflightRunner.RunAsync(covered, MaskingFactory.Create(covered, MaskSql.Secret)));
        var blocked = ById(await PreflightRunner.RunAsync(uncovered, MaskingFactory.Create(uncovered, MaskSql.Secret)));

        Assert.Equal(PreflightStatus.Ok, Assert.Single(ok["masking"]).Status);
        // A keyed strategy on a table without a primary key: the masking proof cannot match rows.
        Assert.Equal(new PreflightCheck("care.no_primary_key", PreflightStatus.Warning,
            "no primary key, but keyed mask strategies on \"phone\": the masking proof cannot match its rows to the source", "table \"s\".\"people\""),
            Assert.Single(ok["care.no_primary_key"]));
        Assert.Equal(new PreflightCheck("masking", PreflightStatus.Blocker,
            $"{uncovered.Source.Describe()}: require_masking: 1 sensitive column without a mask rule: \"s\".\"people\".\"phone\" (phone)"),
            Assert.Single(blocked["masking"]) with { Error = null });
    }

    [Fact]
    public async Task Database_create_into_a_database_not_created_yet_is_checked_as_against_an_empty_database_and_creates_nothing()
    {
        var db = await fx.Servers.CreateDatabasesAsync("pfnewdb");
        var schema = $"pf_{Guid.NewGuid():N}";
        await PgServers.ExecAsync(db.Source, $"CREATE SCHEMA {schema}; CREATE TABLE {schema}.t (id int PRIMARY KEY); CREATE TABLE {schema}.\"Odd name\" (id int); ANALYZE");
        // The same table in the target server's maintenance database, where the checks run: not in the new database's way.
        var maintenance = new Npgsql.NpgsqlConnectionStringBuilder(db.Target) { Database = "postgres" }.ConnectionString;
        await PgServers.ExecAsync(maintenance, $"CREATE SCHEMA {schema}; CREATE TABLE {schema}.t (x text)");
        try
        {
            var name = $"{db.Name}_new";
            var request = CloneKit.Request(db, CloneOperation.DatabaseCreate, options: new CloneOptions { TargetName = name });

            var report = await PreflightRunner.RunAsync(request, null);

            Assert.Equal(PreflightStatus.Ok, report.Status);
            var checks = ById(report);
            Assert.Equal(new PreflightCheck("privilege.createdb", PreflightStatus.Ok, "does not exist yet and will be created", $"database \"{name}\""), Assert.Single(checks["privilege.createdb"]));
            Assert.Equal("no object the clone creates exists on the target", Assert.Single(checks["conflict"]).Message);
            Assert.Equal([$"table \"{schema}\".\"Odd name\"", $"table \"{schema}\".\"t\""], checks["size"].Select(c => c.Object));
            Assert.False(await PgServers.ScalarAsync<bool>(db.Target, $"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}')"));
        }
        finally { await PgServers.ExecAsync(maintenance, $"DROP SCHEMA {schema} CASCADE"); }
    }

    [Fact]
    public async Task The_cli_verb_prints_the_checks_as_json_and_exits_2_on_blockers_0_otherwise()
    {
        var db = await fx.Servers.CreateDatabasesAsync("pfcli");
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA s; CREATE TABLE s.t (id int PRIMARY KEY); INSERT INTO s.t VALUES (1), (2)");
        string[] args = ["preflight", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target), "--schema", "s", "--throughput", "10"];

        var ok = await PgCloneCli.RunAsync([.. args, "--json"]);
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA s; CREATE TABLE s.t (id int)");
        var blocked = await PgCloneCli.RunAsync(args);

        Assert.True(ok.ExitCode == 0, ok.Stderr);
        using var json = JsonDocument.Parse(ok.Stdout);
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        Assert.Contains(json.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("id").GetString() == "duration"
            && c.GetProperty("message").GetString()!.Contains("at 10.0 MB/s"));
        Assert.Equal(2, blocked.ExitCode);
        Assert.Contains("blocker  conflict               table \"s\".\"t\": already exists (conflict strategy is error; nothing was changed)\n", blocked.Stdout);
        Assert.Equal("pgclone: preflight: 1 blocker, 0 warnings\n", blocked.Stderr);
    }

    [Fact]
    public void A_source_newer_than_the_target_is_a_warning_with_the_reason()
    {
        var check = Assert.Single(ServerChecks.Versions(new ServerFacts(160002, "16.2", "u", true, "a/1", false, false), new ServerFacts(150006, "15.6", "u", true, "b/1", false, false)));
        Assert.Equal(new PreflightCheck("version", PreflightStatus.Warning,
            "source runs PostgreSQL 16.2, newer than the target's 15.6: syntax, types or options new in 16 may not exist in 15, and such objects fail to create"), check);
    }

    private static string As(string cs, string role) =>
        new Npgsql.NpgsqlConnectionStringBuilder(cs) { Username = role, Password = "pw" }.ConnectionString;
}
