using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>What each operation brings: structure only, functions only, one table with what it needs.</summary>
public sealed class ScopeTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Structure_only_creates_every_object_without_rows_and_keeps_sequence_values()
    {
        var db = await fx.Servers.CreateDatabasesAsync("structure");
        await CloneKit.LoadAsync(db.Source, "rich.sql");

        await CloneKit.CloneAsync(db, CloneOperation.Schema, "rich", options: new CloneOptions { IncludeData = false });

        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source, "--schema=rich"), await CloneKit.DumpAsync(db.Target, "--schema=rich"));
        var source = await CloneKit.ChecksumsAsync(db.Source, "rich");
        var target = await CloneKit.ChecksumsAsync(db.Target, "rich");
        Assert.Equal(source.Keys, target.Keys);
        foreach (var (name, sum) in target)
        {
            if (name.EndsWith("_seq")) Assert.Equal(source[name], sum);
            else if (!name.Contains("mv_")) Assert.StartsWith("0:", sum);
        }
        Assert.Equal("150:true", target["rich.ticket_seq"]);
        Assert.Equal("14:true", target["rich.people_id_seq"]);
        Assert.Equal("not populated", target["rich.mv_empty"]);
        Assert.StartsWith("0:", target["rich.mv_orders"]);
    }

    /// <summary>pg_dump -n dumps ALTER DEFAULT PRIVILEGES ... IN SCHEMA with the schema: a schema clone carries them, under its new name too.</summary>
    [Fact]
    public async Task A_schema_clone_carries_the_default_privileges_in_the_schema_and_not_the_others()
    {
        var db = await fx.Servers.CreateDatabasesAsync("schemadefacl");
        var reader = $"dp_reader_{Guid.NewGuid():N}"[..18];
        foreach (var admin in new[] { fx.Servers.SourceAdmin, fx.Servers.TargetAdmin }) await PgServers.ExecAsync(admin, $"CREATE ROLE {reader}");
        await PgServers.ExecAsync(db.Source, $"""
            CREATE SCHEMA s; CREATE TABLE s.t (id int); CREATE SCHEMA other;
            ALTER DEFAULT PRIVILEGES IN SCHEMA s GRANT SELECT ON TABLES TO {reader};
            ALTER DEFAULT PRIVILEGES IN SCHEMA s GRANT USAGE ON SEQUENCES TO {reader};
            ALTER DEFAULT PRIVILEGES IN SCHEMA other GRANT SELECT ON TABLES TO {reader};
            ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO {reader};
            """);
        const string entries = "SELECT coalesce(defaclnamespace::regnamespace::text, '-') || ' ' || defaclobjtype::text || ' ' || defaclacl::text FROM pg_default_acl ORDER BY 1";

        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s");
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { TargetName = "s2" });

        Assert.Equal([$"s S {{{reader}=U/postgres}}", $"s r {{{reader}=r/postgres}}", $"s2 S {{{reader}=U/postgres}}", $"s2 r {{{reader}=r/postgres}}"],
            (await PgServers.RowsAsync(db.Target, entries)).Select(r => (string)r[0]!).ToList());
    }

    /// <summary>
    /// GitLab's layout: partitioned tables in public, their partitions in a schema of their own. A clone of public alone
    /// would copy none of their rows (pg_dump -n public neither): refused before writing, naming each partition; with
    /// skip_unsupported the tables come empty and the partitions are listed.
    /// </summary>
    [Fact]
    public async Task A_partition_in_a_schema_the_clone_does_not_cover_refuses_it_before_writing()
    {
        var db = await fx.Servers.CreateDatabasesAsync("partselsewhere");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA app; CREATE SCHEMA parts;
            CREATE TABLE app.ev (id bigint, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
            CREATE TABLE parts.ev_2023 PARTITION OF app.ev FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
            CREATE TABLE parts.ev_default PARTITION OF app.ev DEFAULT;
            CREATE TABLE app.plain (id int PRIMARY KEY); INSERT INTO app.plain VALUES (1);
            INSERT INTO app.ev VALUES (1, '2023-05-01'), (2, '2020-01-01');
            """);

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "app"));
        var table = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "app", "ev"));

        const string said = "partition \"parts\".\"ev_2023\" of \"app\".\"ev\": it is in schema \"parts\", which this clone does not cover, so its rows would not be copied; " +
                            "partition \"parts\".\"ev_default\" of \"app\".\"ev\": it is in schema \"parts\", which this clone does not cover, so its rows would not be copied";
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        Assert.Equal($"{source}: cannot clone {said} (nothing was written; clone schema \"parts\" too, or the whole database, or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(refused.Message, table.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"));
        var skipped = await CloneKit.CloneAsync(db, CloneOperation.Schema, "app", options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal(said.Split("; "), skipped.Skipped);
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM app.plain"));
    }

    [Fact]
    public async Task Switching_off_indexes_constraints_triggers_and_matviews_leaves_them_out()
    {
        var db = await fx.Servers.CreateDatabasesAsync("flags");
        await CloneKit.LoadAsync(db.Source, "rich.sql");

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "rich",
            options: new CloneOptions { Indexes = false, Constraints = false, Triggers = false, Matviews = false });

        Assert.Equal([
            "materialized view \"rich\".\"a_mv_on_mv\": matviews option is off",
            "view \"rich\".\"b_on_mv\": depends on a materialized view that is not cloned",
            "materialized view \"rich\".\"mv_empty\": matviews option is off",
            "materialized view \"rich\".\"mv_orders\": matviews option is off",
        ], result.Skipped);
        const string counts = """
            SELECT (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'rich'::regnamespace) || '|' ||
                   (SELECT count(*) FROM pg_constraint WHERE connamespace = 'rich'::regnamespace AND contypid = 0) || '|' ||
                   (SELECT count(*) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE c.relnamespace = 'rich'::regnamespace) || '|' ||
                   (SELECT count(*) FROM pg_class WHERE relnamespace = 'rich'::regnamespace AND relkind = 'm') || '|' ||
                   (SELECT count(*) FROM pg_class WHERE relnamespace = 'rich'::regnamespace AND relkind IN ('r', 'p', 'v'))
            """;
        var source = (await PgServers.ScalarAsync<string>(db.Source, counts)).Split('|');
        Assert.Equal(["0", "0", "0", "0", (int.Parse(source[4]) - 1).ToString()], (await PgServers.ScalarAsync<string>(db.Target, counts)).Split('|'));
        Assert.Equal(3L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM rich.people"));
    }

    [Fact]
    public async Task Policies_keep_the_roles_the_target_has_and_one_for_none_of_them_is_listed()
    {
        var db = await fx.Servers.CreateDatabasesAsync("policies");
        var present = $"pgc_here_{Guid.NewGuid():N}"[..24];
        var absent = $"pgc_gone_{Guid.NewGuid():N}"[..24];
        await PgServers.ExecAsync(db.Source, $"""
            CREATE ROLE {present}; CREATE ROLE {absent};
            CREATE SCHEMA p; CREATE TABLE p.t (id int, owner text);
            INSERT INTO p.t VALUES (1, 'a'), (2, 'b');
            ALTER TABLE p.t ENABLE ROW LEVEL SECURITY;
            CREATE POLICY everyone ON p.t USING (true);
            CREATE POLICY "only a" ON p.t AS RESTRICTIVE FOR SELECT TO {present}, {absent} USING (owner = 'a');
            CREATE POLICY gone ON p.t FOR UPDATE TO {absent} USING (true);
            COMMENT ON POLICY "only a" ON p.t IS 'restricts';
            COMMENT ON POLICY gone ON p.t IS 'for no one here';
            GRANT USAGE ON SCHEMA p TO {present}; GRANT SELECT ON p.t TO {present};
            """);
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {present}");

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "p");

        Assert.Equal([
            $"policy \"gone\" on \"p\".\"t\": role \"{absent}\" is not on the target (it would apply to no role there)",
            $"policy \"only a\" on \"p\".\"t\": role \"{absent}\" is not on the target (created for \"{present}\" only)"],
            result.Skipped.Order());
        const string policies = """
            SELECT polname || ':' || polpermissive || ':' || array_to_string(ARRAY(SELECT coalesce(pg_get_userbyid(NULLIF(r, 0)), 'PUBLIC') FROM unnest(polroles) r), ',')
                   || ':' || coalesce(obj_description(p.oid, 'pg_policy'), '')
            FROM pg_policy p WHERE polrelid = 'p.t'::regclass ORDER BY 1
            """;
        Assert.Equal(["everyone:true:PUBLIC:", $"only a:false:{present}:restricts"], (await PgServers.RowsAsync(db.Target, policies)).Select(r => (string)r[0]!));
        // The restriction still holds for the role the target has: it reads only the rows the source let it read.
        await using var conn = new NpgsqlConnection(db.Target);
        await conn.OpenAsync();
        await using (var role = new NpgsqlCommand($"SET ROLE {present}", conn)) await role.ExecuteNonQueryAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM p.t", conn);
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Owners_follow_the_source_when_their_role_is_on_the_target()
    {
        var db = await fx.Servers.CreateDatabasesAsync("owners");
        var role = $"pgc_owner_{Guid.NewGuid():N}"[..26];
        var absent = $"pgc_absent_{Guid.NewGuid():N}"[..26];
        await PgServers.ExecAsync(db.Source, $"""
            CREATE ROLE {role}; CREATE ROLE {absent};
            CREATE SCHEMA o AUTHORIZATION {role};
            CREATE TABLE o.t (id serial PRIMARY KEY); ALTER TABLE o.t OWNER TO {role};
            CREATE VIEW o.v AS SELECT 1 AS x; ALTER VIEW o.v OWNER TO {role};
            CREATE FUNCTION o.f() RETURNS int LANGUAGE sql AS 'SELECT 1'; ALTER FUNCTION o.f() OWNER TO {role};
            CREATE TYPE o.e AS ENUM ('a'); ALTER TYPE o.e OWNER TO {role};
            CREATE SEQUENCE o.s; ALTER SEQUENCE o.s OWNER TO {role};
            CREATE TABLE o.u (id int); ALTER TABLE o.u OWNER TO {absent};
            GRANT SELECT, INSERT ON o.t TO {role} WITH GRANT OPTION; GRANT SELECT ON o.v TO PUBLIC; GRANT USAGE ON SCHEMA o TO PUBLIC;
            REVOKE EXECUTE ON FUNCTION o.f() FROM PUBLIC; GRANT USAGE ON SEQUENCE o.t_id_seq TO {absent}; GRANT UPDATE ON o.u TO {role};
            """);
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {role}");
        var admin = await PgServers.ScalarAsync<string>(db.Target, "SELECT current_user::text");

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "o");

        Assert.Equal([$"2 ownership or privilege settings of role \"{absent}\": it is not on the target (objects stay owned by \"{admin}\")"], result.Skipped);
        const string acls = """
            SELECT relname || ':' || coalesce(relacl::text, '') FROM pg_class WHERE relnamespace = 'o'::regnamespace AND relkind <> 'i'
            UNION ALL SELECT proname || ':' || coalesce(proacl::text, '') FROM pg_proc WHERE pronamespace = 'o'::regnamespace
            UNION ALL SELECT nspname || ':' || coalesce(nspacl::text, '') FROM pg_namespace WHERE nspname = 'o'
            ORDER BY 1
            """;
        var sourceAcls = (await PgServers.RowsAsync(db.Source, acls)).Select(r => ((string)r[0]!).Replace(absent, "x")).ToList();
        var targetAcls = (await PgServers.RowsAsync(db.Target, acls)).Select(r => (string)r[0]!).ToList();
        Assert.Equal(sourceAcls.Where(a => !a.StartsWith("t_id_seq") && !a.StartsWith("u:")), targetAcls.Where(a => !a.StartsWith("t_id_seq") && !a.StartsWith("u:")));
        Assert.Contains(targetAcls, a => a.StartsWith("f:{") && !a.Contains("{=") && !a.Contains(",="));
        const string owners = """
            SELECT relname || ':' || pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace = 'o'::regnamespace
            UNION ALL SELECT typname || ':' || pg_get_userbyid(typowner) FROM pg_type WHERE typnamespace = 'o'::regnamespace AND typname = 'e'
            UNION ALL SELECT proname || ':' || pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'o'::regnamespace
            UNION ALL SELECT nspname || ':' || pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'o'
            ORDER BY 1
            """;
        Assert.Equal([$"e:{role}", $"f:{role}", $"o:{role}", $"s:{role}", $"t:{role}", $"t_id_seq:{role}", $"t_pkey:{role}", $"u:{admin}", $"v:{role}"],
            (await PgServers.RowsAsync(db.Target, owners)).Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task A_database_clone_needing_roles_the_target_lacks_refuses_before_writing_unless_told_to_skip_them()
    {
        var db = await fx.Servers.CreateDatabasesAsync("absent_roles");
        var absent = $"pgc_gone_{Guid.NewGuid():N}"[..24];
        await PgServers.ExecAsync(db.Source, $"""
            CREATE ROLE {absent};
            CREATE TABLE public.t (id int); INSERT INTO public.t VALUES (1), (2);
            ALTER TABLE public.t OWNER TO {absent}; CREATE TABLE public.u (id int); GRANT SELECT ON public.u TO {absent};
            ALTER TABLE public.t ENABLE ROW LEVEL SECURITY; CREATE POLICY only_gone ON public.t TO {absent} USING (id = 1);
            ALTER DEFAULT PRIVILEGES FOR ROLE {absent} GRANT SELECT ON TABLES TO PUBLIC;
            SELECT lo_create(7301); ALTER LARGE OBJECT 7301 OWNER TO {absent};
            """);
        var admin = await PgServers.ScalarAsync<string>(db.Target, "SELECT current_user::text");
        var skipped = new[]
        {
            $"large object 7301: owner role \"{absent}\" is not on the target",
            $"policy \"only_gone\" on \"public\".\"t\": role \"{absent}\" is not on the target (it would apply to no role there)",
            $"2 ownership or privilege settings of role \"{absent}\": it is not on the target (objects stay owned by \"{admin}\")",
            $"default privileges of role \"{absent}\": role \"{absent}\" is not on the target",
        };

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Database));

        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe()}: cannot clone {string.Join("; ", skipped)} " +
                     "(nothing was written; clone those roles first with a roles clone, or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace) + (SELECT count(*) FROM pg_largeobject_metadata)"));

        var result = await CloneKit.CloneAsync(db, CloneOperation.Database, options: new CloneOptions { SkipUnsupported = true });

        Assert.Equal(skipped, result.Skipped);
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM public.t"));
        Assert.Equal(admin, await PgServers.ScalarAsync<string>(db.Target, "SELECT pg_get_userbyid(lomowner)::text FROM pg_largeobject_metadata WHERE oid = 7301"));
    }

    [Fact]
    public async Task A_database_clone_by_a_user_who_is_not_a_superuser_refuses_owners_and_grantors_it_is_not_a_member_of()
    {
        var db = await fx.Servers.CreateDatabasesAsync("not_superuser");
        var p = $"pgc_ns{Guid.NewGuid():N}"[..14];
        await PgServers.ExecAsync(db.Source, $"""
            CREATE ROLE {p}owner; CREATE ROLE {p}granter; CREATE ROLE {p}reader;
            CREATE TABLE public.t (id int); INSERT INTO public.t VALUES (1), (2); ALTER TABLE public.t OWNER TO {p}owner;
            GRANT SELECT ON public.t TO {p}granter WITH GRANT OPTION;
            SET ROLE {p}granter; GRANT SELECT ON public.t TO {p}reader; RESET ROLE;
            ALTER DEFAULT PRIVILEGES FOR ROLE {p}owner GRANT SELECT ON TABLES TO {p}reader;
            """);
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {p}owner; CREATE ROLE {p}granter; CREATE ROLE {p}reader");
        var request = await AsOwnerOfTheTargetAsync(db, $"{p}cloner", CloneKit.Request(db, CloneOperation.Database));
        var notMember = $"is on the target, but \"{p}cloner\" is not a member of it";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request));

        Assert.Equal($"{request.Source.Describe()}: cannot clone 1 ownership or privilege setting of role \"{p}granter\": it {notMember} (objects stay owned by \"{p}cloner\"); " +
                     $"1 ownership or privilege setting of role \"{p}owner\": it {notMember} (objects stay owned by \"{p}cloner\"); " +
                     $"default privileges of role \"{p}owner\": role \"{p}owner\" {notMember} (nothing was written; clone those roles first with a roles clone and " +
                     $"grant them to \"{p}cloner\", or clone as a superuser, or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));

        // As for a restore of pg_dump's output by such a user, the new owner also needs CREATE on the table's schema.
        await PgServers.ExecAsync(db.Target, $"GRANT {p}owner, {p}granter TO {p}cloner; GRANT CREATE ON SCHEMA public TO {p}owner");
        var result = await new CloneEngine().RunAsync(request);

        Assert.Empty(result.Skipped);
        const string acl = "SELECT pg_get_userbyid(relowner)::text || ' ' || relacl::text FROM pg_class WHERE oid = 'public.t'::regclass " +
                           "UNION ALL SELECT defaclacl::text FROM pg_default_acl";
        Assert.Equal(await PgServers.RowsAsync(db.Source, acl), await PgServers.RowsAsync(db.Target, acl));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM public.t"));
    }

    [Fact]
    public async Task A_database_clone_by_a_user_who_is_not_a_superuser_refuses_owners_without_create_on_their_schema_and_grants_schemas_first()
    {
        var db = await fx.Servers.CreateDatabasesAsync("owner_create");
        var p = $"pgc_oc{Guid.NewGuid():N}"[..14];
        await PgServers.ExecAsync(db.Source, $"""
            CREATE ROLE {p}app; CREATE ROLE {p}admin;
            CREATE SCHEMA "App Data" AUTHORIZATION {p}admin; GRANT CREATE, USAGE ON SCHEMA "App Data" TO {p}app;
            CREATE TABLE "App Data".t (id int); INSERT INTO "App Data".t VALUES (1), (2); ALTER TABLE "App Data".t OWNER TO {p}app;
            CREATE TABLE public.legacy (id int); INSERT INTO public.legacy VALUES (3); ALTER TABLE public.legacy OWNER TO {p}app;
            """);
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {p}app; CREATE ROLE {p}admin");
        var request = await AsOwnerOfTheTargetAsync(db, $"{p}cloner", CloneKit.Request(db, CloneOperation.Database));
        await PgServers.ExecAsync(db.Target, $"GRANT {p}app, {p}admin TO {p}cloner");
        // A superuser gave public.legacy to a role with no CREATE on public (PostgreSQL 15 grants it to none).
        var gap = $"1 ownership setting of role \"{p}app\" in schema \"public\": it has no CREATE privilege on that schema, and only a superuser " +
                  $"can give it objects there (objects stay owned by \"{p}cloner\")";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request));

        Assert.Equal($"{request.Source.Describe()}: cannot clone {gap} (nothing was written; clone as a superuser (and the roles named here first, " +
                     "with a roles clone), or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));

        var result = await new CloneEngine().RunAsync(request with { Options = new CloneOptions { SkipUnsupported = true } });

        // The schema's grant to the app role comes before the table is given to it.
        Assert.Equal([gap], result.Skipped);
        const string owners = "SELECT string_agg(c.oid::regclass::text || ' ' || pg_get_userbyid(c.relowner), ', ' ORDER BY c.oid::regclass::text) FROM pg_class c " +
                              "WHERE c.relnamespace IN ('public'::regnamespace, '\"App Data\"'::regnamespace)";
        Assert.Equal($"\"App Data\".t {p}app, legacy {p}cloner", await PgServers.ScalarAsync<string>(db.Target, owners));
        const string schema = "SELECT pg_get_userbyid(nspowner) || ' ' || nspacl::text FROM pg_namespace WHERE nspname = 'App Data'";
        Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, schema), await PgServers.ScalarAsync<string>(db.Target, schema));
        Assert.Equal(3L, await PgServers.ScalarAsync<long>(db.Target, "SELECT (SELECT count(*) FROM \"App Data\".t) + (SELECT count(*) FROM public.legacy)"));
    }

    /// <summary>The request run by a new login role that is not a superuser but owns the target database.</summary>
    private static async Task<CloneRequest> AsOwnerOfTheTargetAsync(TestDatabases db, string cloner, CloneRequest request)
    {
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {cloner} LOGIN PASSWORD 'cloner-pw'; ALTER DATABASE {db.Name} OWNER TO {cloner}");
        return request with { Target = ServerEndpoint.Parse(ServerRole.Target,
            new NpgsqlConnectionStringBuilder(db.Target) { Username = cloner, Password = "cloner-pw", Pooling = false }.ConnectionString) };
    }

    [Fact]
    public async Task A_database_clone_by_a_user_who_is_not_a_superuser_refuses_what_only_a_superuser_can_create_or_leaves_it_out()
    {
        var db = await fx.Servers.CreateDatabasesAsync("superuser_kinds");
        var cloner = $"pgc_su{Guid.NewGuid():N}"[..14] + "cloner";
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE public.t (id int); INSERT INTO public.t VALUES (1), (2);
            CREATE FOREIGN DATA WRAPPER "Plain W"; CREATE SERVER "Far" FOREIGN DATA WRAPPER "Plain W"; CREATE FOREIGN TABLE public.remote (a int) SERVER "Far";
            CREATE FUNCTION public.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
            CREATE EVENT TRIGGER "Watch" ON ddl_command_end EXECUTE FUNCTION public.on_ddl();
            CREATE FUNCTION public.my_abs(int) RETURNS int LANGUAGE internal IMMUTABLE STRICT AS 'int4abs';
            CREATE VIEW public.absolute AS SELECT public.my_abs(id) AS a FROM public.t;
            CREATE TYPE public.later;
            CREATE PUBLICATION "Everything" FOR ALL TABLES;
            REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC;
            """);
        var other = cloner.Replace("cloner", "other");
        var settings = $"CREATE ROLE {other}; ALTER DATABASE {db.Name} SET work_mem = '5MB'; ALTER DATABASE {db.Name} SET log_min_duration_statement = 100;" +
                       $"ALTER ROLE {other} IN DATABASE {db.Name} SET work_mem = '8MB'";
        await PgServers.ExecAsync(db.Source, settings);
        await PgServers.ExecAsync(db.Target, $"CREATE ROLE {other}");
        var request = await AsOwnerOfTheTargetAsync(db, cloner, CloneKit.Request(db, CloneOperation.Database));
        string[] superuserOnly =
        [
            "foreign data wrapper \"Plain W\"", "event trigger \"Watch\"", "publication \"Everything\"", "type \"public\".\"later\"",
            "function \"public\".\"my_abs\"(integer)",
        ];
        var needs = superuserOnly.Select(o => $"{o}: creating it needs a superuser on the target (\"{cloner}\" is not one)").ToList();

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request));

        Assert.Equal($"{request.Source.Describe()}: cannot clone {string.Join("; ", needs)} " +
                     "(nothing was written; clone as a superuser, or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));

        var result = await new CloneEngine().RunAsync(request with { Options = new CloneOptions { SkipUnsupported = true } });

        Assert.Equal([.. needs,
            "view \"public\".\"absolute\": depends on function \"public\".\"my_abs\"(integer), which is not cloned",
            "table \"public\".\"remote\": depends on foreign data wrapper \"Plain W\", which is not cloned",
            "server \"Far\": depends on foreign data wrapper \"Plain W\", which is not cloned",
            "language \"plpgsql\": its privileges were changed on the source, and only a superuser can change those of a member of extension \"plpgsql\"",
            $"setting log_min_duration_statement of database \"{db.Name}\": only a superuser, or a role granted SET on log_min_duration_statement, can set it, and \"{cloner}\" is neither",
            $"setting work_mem of role \"{other}\" in database \"{db.Name}\": only a superuser or a role with CREATEROLE can set it for another role, and \"{cloner}\" is not one"],
            result.Skipped.Where(s => !s.Contains(" ownership or privilege setting") && !s.StartsWith("default privileges ") && !s.Contains(" owner role ")));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM public.t"));
        Assert.Equal("on_ddl", await PgServers.ScalarAsync<string>(db.Target,
            "SELECT string_agg(proname, ',') FROM pg_proc WHERE pronamespace = 'public'::regnamespace"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target,
            "SELECT (SELECT count(*) FROM pg_foreign_data_wrapper) + (SELECT count(*) FROM pg_event_trigger) + (SELECT count(*) FROM pg_publication)"));
        Assert.Equal("{work_mem=5MB}", await PgServers.ScalarAsync<string>(db.Target,
            "SELECT string_agg(setconfig::text, ';') FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"));
    }

    [Fact]
    public async Task A_clone_by_a_user_who_is_not_a_superuser_refuses_an_extension_only_a_superuser_can_create_until_one_has()
    {
        var db = await fx.Servers.CreateDatabasesAsync("untrusted_ext");
        var cloner = $"pgc_ux{Guid.NewGuid():N}"[..14] + "cloner";
        await PgServers.ExecAsync(db.Source, "CREATE EXTENSION pg_visibility; CREATE EXTENSION hstore; CREATE TABLE public.t (h hstore); INSERT INTO public.t VALUES ('a=>1')");
        var request = await AsOwnerOfTheTargetAsync(db, cloner, CloneKit.Request(db, CloneOperation.Database));

        var admin = await PgServers.ScalarAsync<string>(db.Source, "SELECT current_user::text");

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request));

        // The plan's other blocker: the table's owner, the source's superuser, whom the cloning user cannot give it to.
        Assert.Equal("preflight found 2 blockers: [extension] extension \"pg_visibility\": is not a trusted extension: only a superuser can create it, " +
                     $"and \"{cloner}\" is not one; have one create it in the target database first; [plan] {request.Source.Describe()}: cannot clone " +
                     $"1 ownership or privilege setting of role \"{admin}\": it is on the target, but \"{cloner}\" is not a member of it (objects stay owned by \"{cloner}\") " +
                     $"(nothing was written; clone those roles first with a roles clone and grant them to \"{cloner}\", or clone as a superuser, " +
                     "or set \"skip_unsupported\": true to clone without them)", refused.Message);
        const string extensions = "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension";
        Assert.Equal("plpgsql", await PgServers.ScalarAsync<string>(db.Target, extensions));

        await PgServers.ExecAsync(db.Target, "CREATE EXTENSION pg_visibility");
        await new CloneEngine().RunAsync(request with { Options = new CloneOptions { SkipUnsupported = true } });

        Assert.Equal("hstore,pg_visibility,plpgsql", await PgServers.ScalarAsync<string>(db.Target, extensions));
        Assert.Equal("\"a\"=>\"1\"", await PgServers.ScalarAsync<string>(db.Target, "SELECT h::text FROM public.t"));
    }

    [Fact]
    public async Task A_schema_clone_refuses_tables_on_an_access_method_or_a_foreign_server_the_target_lacks_or_leaves_them_out()
    {
        var db = await fx.Servers.CreateDatabasesAsync("db_wide");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s; CREATE TABLE s.t (id int); INSERT INTO s.t VALUES (1), (2);
            CREATE ACCESS METHOD "heap 2" TYPE TABLE HANDLER heap_tableam_handler; CREATE TABLE s.am_t (a int) USING "heap 2";
            CREATE FOREIGN DATA WRAPPER w; CREATE SERVER "Srv" FOREIGN DATA WRAPPER w; CREATE FOREIGN TABLE s.ft (a int) SERVER "Srv";
            CREATE VIEW s.v AS SELECT a FROM s.ft;
            """);
        string[] missing =
        [
            "table \"s\".\"am_t\": its access method \"heap 2\" is not on the target (a database clone brings it)",
            "foreign table \"s\".\"ft\": its server \"Srv\" is not on the target (a database clone brings it)",
        ];

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s"));

        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe()}: cannot clone {string.Join("; ", missing)} " +
                     "(nothing was written; set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { SkipUnsupported = true });

        Assert.Equal([.. missing, "view \"s\".\"v\": depends on table \"s\".\"ft\", which is not cloned"], result.Skipped);
        Assert.Equal("t", await PgServers.ScalarAsync<string>(db.Target, "SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 's'::regnamespace AND relkind <> 'i'"));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.t"));
    }

    /// <summary>Objects outside the cloned schema that the reg* values of the next tests name.</summary>
    private const string OtherObjects = """
        CREATE SCHEMA other;
        CREATE TABLE other."Far" (x int); CREATE FUNCTION other.f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';

        """;

    [Fact]
    public async Task A_clone_refuses_tables_whose_reg_values_name_what_the_target_will_lack_before_writing_or_leaves_them_out()
    {
        var db = await fx.Servers.CreateDatabasesAsync("reg_values");
        await PgServers.ExecAsync(db.Source, OtherObjects + """
            CREATE SCHEMA s;
            CREATE TABLE s.t (id int PRIMARY KEY); INSERT INTO s.t VALUES (1), (2);
            CREATE DOMAIN s.rels AS regclass[];
            CREATE TABLE s.refs (id int, r regclass, p regprocedure, rs s.rels);
            INSERT INTO s.refs VALUES (1, 's.t', 'other.f(int)', '{"other.\"Far\"", s.t}'), (2, 'pg_class', 'lower(text)', NULL);
            CREATE TABLE s.local_refs (r regclass); INSERT INTO s.local_refs VALUES ('s.t'), ('s.refs');
            CREATE VIEW s.v AS SELECT id FROM s.refs;
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        const string lacks = "which the target lacks and the clone does not bring";
        var refs = $"table \"s\".\"refs\": values of its column \"p\" name function other.f(integer), {lacks}; " +
                   $"values of its column \"rs\" name relation other.\"Far\", {lacks}";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s"));

        Assert.Equal($"{source}: cannot clone {refs} (nothing was written; clone what they name first, or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));

        // Leaving refs out strands local_refs' value naming it: left out in turn.
        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { SkipUnsupported = true });

        Assert.Equal([refs, "view \"s\".\"v\": depends on table \"s\".\"refs\", which is not cloned",
            $"table \"s\".\"local_refs\": values of its column \"r\" name relation s.refs, {lacks}"], result.Skipped);
        Assert.Equal("t", await PgServers.ScalarAsync<string>(db.Target, "SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 's'::regnamespace AND relkind IN ('r', 'v')"));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.t"));

        // A table clone: the filter narrows the rows read (built-in objects only), and skipping never leaves out the table asked for.
        await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "refs", new CloneOptions { Where = "id = 2" });
        Assert.Equal("2|pg_class|lower(text)|", await PgServers.ScalarAsync<string>(db.Target, "SELECT concat_ws('|', id, r, p, coalesce(rs::text, '')) FROM s.refs"));
        refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "refs",
            new CloneOptions { SkipUnsupported = true, Conflict = ConflictStrategy.Replace }));
        Assert.Equal($"{source}: cannot clone {refs} (nothing was written; skip_unsupported leaves out only what the table needs, not the table itself)", refused.Message);
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.refs"));

        // Once the target has what they name, every value arrives by name.
        await PgServers.ExecAsync(db.Target, "DROP SCHEMA s CASCADE; " + OtherObjects);
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s");
        const string values = "SELECT string_agg(concat_ws('|', id, r, p, rs), ';' ORDER BY id) FROM s.refs";
        Assert.Equal("1|s.t|other.f(integer)|{\"other.\\\"Far\\\"\",s.t};2|pg_class|lower(text)", await PgServers.ScalarAsync<string>(db.Target, values));
        Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, values), await PgServers.ScalarAsync<string>(db.Target, values));
    }

    [Fact]
    public async Task A_schema_or_table_clone_needing_an_object_of_another_schema_the_target_lacks_refuses_before_writing()
    {
        var db = await fx.Servers.CreateDatabasesAsync("outside_deps");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA common;
            CREATE DOMAIN common."Flag" AS boolean NOT NULL;
            CREATE SEQUENCE common.ids;
            CREATE TABLE common.lookup (id int PRIMARY KEY);
            CREATE SCHEMA sales;
            CREATE TABLE sales.orders (id int DEFAULT nextval('common.ids') PRIMARY KEY, online common."Flag");
            INSERT INTO sales.orders (online) VALUES (true), (false);
            CREATE TABLE sales.notes (id int PRIMARY KEY, body text);
            INSERT INTO sales.notes VALUES (1, 'kept');
            CREATE VIEW sales.lookups AS SELECT id FROM common.lookup;
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        const string lacks = "which the target lacks and the clone does not bring";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "sales"));
        Assert.Equal($"{source}: cannot clone table \"sales\".\"orders\": needs type common.\"Flag\" and relation common.ids, {lacks}; " +
                     $"view \"sales\".\"lookups\": needs relation common.lookup, {lacks} " +
                     "(nothing was written; clone schema \"common\" first, or the whole database, or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'sales'"));
        var table = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "sales", "orders"));
        Assert.StartsWith($"{source}: cannot clone table \"sales\".\"orders\": needs type common.\"Flag\" and relation common.ids, {lacks} (nothing was written; ", table.Message);

        // Left out with skip_unsupported, the rest arrives.
        var skipped = await CloneKit.CloneAsync(db, CloneOperation.Schema, "sales", options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal([$"table \"sales\".\"orders\": needs type common.\"Flag\" and relation common.ids, {lacks}", $"view \"sales\".\"lookups\": needs relation common.lookup, {lacks}"],
            skipped.Skipped);
        Assert.Equal([["sales.notes"]], await PgServers.RowsAsync(db.Target, "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relnamespace = 'sales'::regnamespace AND c.relkind IN ('r', 'v')"));

        // Once the target has them, the clone needs nothing more.
        await PgServers.ExecAsync(db.Target, """
            DROP SCHEMA sales CASCADE;
            CREATE SCHEMA common; CREATE DOMAIN common."Flag" AS boolean NOT NULL; CREATE SEQUENCE common.ids; CREATE TABLE common.lookup (id int PRIMARY KEY);
            """);
        var done = await CloneKit.CloneAsync(db, CloneOperation.Schema, "sales");
        Assert.Equal(2L, done.Tables.Single(t => t.Table.Name == "orders").Rows);
    }

    [Fact]
    public async Task A_rule_writing_to_a_relation_the_clone_does_not_bring_and_the_target_lacks_is_refused_before_writing()
    {
        // The rule's CREATE failed after its table had been created and loaded ("relation \"other.log\" does not exist").
        var db = await fx.Servers.CreateDatabasesAsync("rule_deps");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA other; CREATE TABLE other.log (x int);
            CREATE SCHEMA app; CREATE TABLE app.t (x int); CREATE TABLE app."T 2" (x int);
            INSERT INTO app.t VALUES (1), (2);
            CREATE RULE r1 AS ON INSERT TO app.t DO ALSO INSERT INTO other.log VALUES (new.x);
            CREATE RULE r2 AS ON UPDATE TO app.t DO INSTEAD INSERT INTO app."T 2" VALUES (new.x);
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        const string lacks = "which the target lacks and the clone does not bring";
        const string r1 = $"rule \"r1\" on \"app\".\"t\": needs relation other.log, {lacks}";
        const string r2 = $"rule \"r2\" on \"app\".\"t\": needs relation \"app\".\"T 2\", {lacks}";

        var schema = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "app"));
        Assert.Equal($"{source}: cannot clone {r1} (nothing was written; clone schema \"other\" first, or the whole database, or set \"skip_unsupported\": true to clone without them)", schema.Message);
        var table = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "app", "t"));
        Assert.Equal($"{source}: cannot clone {r1}; {r2} (nothing was written; clone schema \"app\", \"other\" first, or the whole database, or set \"skip_unsupported\": true to clone without them)", table.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"));

        var skipped = await CloneKit.CloneAsync(db, CloneOperation.Table, "app", "t", new CloneOptions { SkipUnsupported = true });
        Assert.Equal([r1, r2], skipped.Skipped);
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM app.t"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_rewrite WHERE ev_class = 'app.t'::regclass"));

        // With what they write to on the target, both rules arrive.
        await PgServers.ExecAsync(db.Target, """CREATE SCHEMA other; CREATE TABLE other.log (x int); CREATE TABLE app."T 2" (x int);""");
        await CloneKit.CloneAsync(db, CloneOperation.Table, "app", "t", new CloneOptions { Conflict = ConflictStrategy.Replace });
        Assert.Equal([["r1"], ["r2"]], await PgServers.RowsAsync(db.Target, "SELECT rulename::text FROM pg_rewrite WHERE ev_class = 'app.t'::regclass ORDER BY 1"));
    }

    [Fact]
    public async Task A_table_clone_needing_another_table_of_its_schema_for_a_policy_or_a_row_type_is_refused_before_writing()
    {
        // Each failed after the table had been created: the policy's CREATE ("relation \"app.other\" does not exist"), the
        // tables' ("type \"app.other\" does not exist").
        var db = await fx.Servers.CreateDatabasesAsync("table_left_behind");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA app;
            CREATE TABLE app.other (id int PRIMARY KEY, name text);
            CREATE VIEW app."Other view" AS SELECT id FROM app.other;
            CREATE TABLE app.guarded (id int PRIMARY KEY);
            ALTER TABLE app.guarded ENABLE ROW LEVEL SECURITY;
            CREATE POLICY seen ON app.guarded USING (EXISTS (SELECT FROM app.other o WHERE o.id = guarded.id));
            CREATE TABLE app.holder (id int, o app.other, v app."Other view");
            INSERT INTO app.guarded VALUES (1), (2);
            INSERT INTO app.holder VALUES (1, ROW(1, 'one'), ROW(1));
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        const string lacks = "which the target lacks and the clone does not bring";
        const string policy = $"policy \"seen\" on \"app\".\"guarded\": needs relation \"app\".\"other\", {lacks}";
        const string remedy = "(nothing was written; clone schema \"app\" first, or the whole database, or set \"skip_unsupported\": true to clone without them)";

        var guarded = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "app", "guarded"));
        Assert.Equal($"{source}: cannot clone {policy} {remedy}", guarded.Message);
        const string holder = $"table \"app\".\"holder\": needs relation \"app\".\"other\" and relation \"app\".\"Other view\", {lacks}";
        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "app", "holder"));
        Assert.Equal($"{source}: cannot clone {holder} {remedy}", refused.Message);
        refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "app", "holder", new CloneOptions { SkipUnsupported = true }));
        Assert.Equal($"{source}: cannot clone {holder} (nothing was written; skip_unsupported leaves out only what the table needs, not the table itself)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"));

        // Without the policy, the table is cloned and says so; with what they need on the target, both arrive whole.
        Assert.Equal([policy], (await CloneKit.CloneAsync(db, CloneOperation.Table, "app", "guarded", new CloneOptions { SkipUnsupported = true })).Skipped);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_policy"));
        await CloneKit.CloneAsync(db, CloneOperation.Table, "app", "other");
        await PgServers.ExecAsync(db.Target, """CREATE VIEW app."Other view" AS SELECT id FROM app.other""");
        await CloneKit.CloneAsync(db, CloneOperation.Table, "app", "guarded", new CloneOptions { Conflict = ConflictStrategy.Replace });
        Assert.Equal([["seen"]], await PgServers.RowsAsync(db.Target, "SELECT polname::text FROM pg_policy"));
        await CloneKit.CloneAsync(db, CloneOperation.Table, "app", "holder");
        Assert.Equal("(1,one) (1)", await PgServers.ScalarAsync<string>(db.Target, "SELECT o::text || ' ' || v::text FROM app.holder"));
    }

    [Fact]
    public async Task Triggers_needing_functions_of_another_schema_the_target_lacks_are_refused_before_writing_and_a_table_clone_brings_its_schemas()
    {
        // The trigger's CREATE failed after the table had been created and loaded ("schema \"util\" does not exist").
        var db = await fx.Servers.CreateDatabasesAsync("trigger_deps");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA util;
            CREATE FUNCTION util.stamp() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
            CREATE FUNCTION util.positive(int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 > 0';
            CREATE SCHEMA app;
            CREATE FUNCTION app.keep() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
            CREATE FUNCTION app."only when"(int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 < 100';
            CREATE TABLE app.t (id int);
            CREATE TRIGGER stamped BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION util.stamp();
            CREATE TRIGGER "when positive" BEFORE UPDATE ON app.t FOR EACH ROW WHEN (util.positive(NEW.id)) EXECUTE FUNCTION app.keep();
            CREATE TRIGGER own BEFORE DELETE ON app.t FOR EACH ROW WHEN (app."only when"(OLD.id)) EXECUTE FUNCTION app.keep();
            INSERT INTO app.t VALUES (1), (2);
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        const string lacks = "which the target lacks and the clone does not bring";
        const string stamped = $"trigger \"stamped\" on \"app\".\"t\": needs function util.stamp(), {lacks}";
        const string positive = $"trigger \"when positive\" on \"app\".\"t\": needs function util.positive(integer), {lacks}";

        foreach (var operation in new[] { CloneOperation.Schema, CloneOperation.Table })
        {
            var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, operation, "app", operation == CloneOperation.Table ? "t" : null));
            Assert.Equal($"{source}: cannot clone {stamped}; {positive} (nothing was written; clone schema \"util\" first, or the whole database, " +
                         "or set \"skip_unsupported\": true to clone without them)", refused.Message);
            Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"));
        }

        // Left out, they are listed; the trigger whose WHEN clause calls a function of the table's schema comes with that function.
        Assert.Equal([stamped, positive], (await CloneKit.CloneAsync(db, CloneOperation.Table, "app", "t", new CloneOptions { SkipUnsupported = true })).Skipped);
        Assert.Equal([["CREATE TRIGGER own BEFORE DELETE ON app.t FOR EACH ROW WHEN (app.\"only when\"(old.id)) EXECUTE FUNCTION app.keep()"]],
            await PgServers.RowsAsync(db.Target, "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'app.t'::regclass"));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM app.t"));
    }

    [Fact]
    public async Task Statistics_on_a_table_of_another_schema_come_with_a_clone_of_their_own_schema_or_refuse_it_before_writing()
    {
        // A statistics object's schema is its own, not its table's: a clone of its schema left it out and exited 0.
        var db = await fx.Servers.CreateDatabasesAsync("outside_statistics");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA app; CREATE SCHEMA "Stats x"; CREATE SCHEMA util;
            CREATE FUNCTION util.twice(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';
            CREATE TABLE app.t (id int, a int, b int);
            CREATE STATISTICS "Stats x"."a b" (dependencies, ndistinct) ON a, b FROM app.t;
            ALTER STATISTICS "Stats x"."a b" SET STATISTICS 50;
            COMMENT ON STATISTICS "Stats x"."a b" IS 'pairs';
            CREATE STATISTICS app.doubled ON util.twice(a), b FROM app.t;
            INSERT INTO app.t SELECT g, g % 10, g % 7 FROM generate_series(1, 100) g;
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        const string lacks = "which the target lacks and the clone does not bring";
        const string pairs = $"statistics \"Stats x\".\"a b\": needs relation app.t, {lacks}";
        const string doubled = $"statistics \"app\".\"doubled\": needs function util.twice(integer), {lacks}";
        const string statistics = "SELECT stxnamespace::regnamespace::text, stxname::text, stxstattarget::text, stxrelid::regclass::text, " +
                                  "obj_description(oid, 'pg_statistic_ext'), pg_get_statisticsobjdef(oid) FROM pg_statistic_ext ORDER BY 1, 2";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "Stats x"));
        Assert.Equal($"{source}: cannot clone {pairs} (nothing was written; clone schema \"app\" first, or the whole database, " +
                     "or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'Stats x'"));
        Assert.Equal([pairs], (await CloneKit.CloneAsync(db, CloneOperation.Schema, "Stats x", options: new CloneOptions { SkipUnsupported = true })).Skipped);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_statistic_ext"));

        // A table clone's statistics calling a function of a schema the target lacks: refused as its index would be.
        refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "app", "t"));
        Assert.Equal($"{source}: cannot clone {doubled} (nothing was written; clone schema \"util\" first, or the whole database, " +
                     "or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"));
        Assert.Equal([doubled], (await CloneKit.CloneAsync(db, CloneOperation.Table, "app", "t", new CloneOptions { SkipUnsupported = true })).Skipped);

        // With its table there, the statistics object arrives whole, under the schema's new name too.
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "Stats x", options: new CloneOptions { Conflict = ConflictStrategy.Replace });
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "Stats x", options: new CloneOptions { TargetName = "Stats 2" });
        const string definition = "(ndistinct, dependencies) ON a, b FROM app.t";
        Assert.Equal([["\"Stats 2\"", "a b", "50", "app.t", "pairs", $"CREATE STATISTICS \"Stats 2\".\"a b\" {definition}"],
                      ["\"Stats x\"", "a b", "50", "app.t", "pairs", $"CREATE STATISTICS \"Stats x\".\"a b\" {definition}"]],
            await PgServers.RowsAsync(db.Target, statistics));
        Assert.Equal([["\"Stats x\"", "a b", "50", "app.t", "pairs", $"CREATE STATISTICS \"Stats x\".\"a b\" {definition}"]],
            await PgServers.RowsAsync(db.Source, statistics.Replace("ORDER BY", "WHERE stxname = 'a b' ORDER BY")));
    }

    [Fact]
    public async Task A_collation_of_pg_catalog_the_target_server_lacks_refuses_the_run_before_writing()
    {
        // initdb imports pg_catalog's collations from its machine's locales and ICU, so a target on another system can lack
        // one: the CREATE TABLE failed in the middle of the run.
        var db = await fx.Servers.CreateDatabasesAsync("system_collation");
        await PgServers.ExecAsync(db.Source, """
            CREATE DOMAIN public.german AS text COLLATE "de-x-icu";
            CREATE TABLE public.kept (id int PRIMARY KEY, b text COLLATE "C.utf8", c text COLLATE "ucs_basic");
            CREATE TABLE public."Names" (id int, name text COLLATE "de-x-icu", g public.german);
            CREATE INDEX "Names fr" ON public."Names" (name COLLATE "fr-x-icu");
            INSERT INTO public.kept VALUES (1, 'x'); INSERT INTO public."Names" VALUES (1, 'Ä', 'ö');
            """);
        await PgServers.ExecAsync(db.Target, """DROP COLLATION pg_catalog."de-x-icu"; DROP COLLATION pg_catalog."fr-x-icu" """);
        const string lacks = "which the target lacks and the clone does not bring";
        string[] missing = [$"index \"public\".\"Names fr\": needs collation \"fr-x-icu\", {lacks}", $"table \"public\".\"Names\": needs collation \"de-x-icu\", {lacks}",
                            $"domain \"public\".\"german\": needs collation \"de-x-icu\", {lacks}"];
        const string remedy = "(nothing was written; add the locale to the target server's system and run pg_import_system_collations('pg_catalog'), " +
                              "or create the collation there, or set \"skip_unsupported\": true to clone without them)";

        foreach (var (operation, table) in new[] { (CloneOperation.Database, (string?)null), (CloneOperation.Schema, null), (CloneOperation.Table, "Names") })
        {
            var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, operation, operation == CloneOperation.Database ? null : "public", table));
            Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe()}: cannot clone {string.Join("; ", missing)} {remedy}", refused.Message);
            Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
        }

        // Left out and listed, with what the target has collations for cloned whole.
        var result = await CloneKit.CloneAsync(db, CloneOperation.Database, options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal(missing, result.Skipped);
        Assert.Equal([["kept", "1"]], await PgServers.RowsAsync(db.Target, "SELECT 'kept', count(*)::text FROM public.kept"));
        Assert.Equal("\"C.utf8\"", await PgServers.ScalarAsync<string>(db.Target, "SELECT attcollation::regcollation::text FROM pg_attribute WHERE attrelid = 'public.kept'::regclass AND attname = 'b'"));
    }

    [Fact]
    public async Task A_text_search_dictionary_whose_file_the_target_server_lacks_refuses_the_run_unless_skipped()
    {
        // A dictionary's CREATE reads its files from the server's tsearch_data directory: one the target's lacked failed mid-run.
        var db = await fx.Servers.CreateDatabasesAsync("tsearch_files");
        var dir = Path.Combine(await PgServers.ScalarAsync<string>(db.Source, "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'"), "tsearch_data");
        var name = $"pgclone_{Guid.NewGuid():N}";
        string[] files = [Path.Combine(dir, name + ".syn"), Path.Combine(dir, name + ".stop")];
        async Task WriteFilesAsync()
        {
            await File.WriteAllTextAsync(files[0], "postgresql pgsql\n");
            await File.WriteAllTextAsync(files[1], "foo\n");
        }
        const string vectors = "SELECT string_agg(tsv::text, '; ' ORDER BY id) FROM s.docs";
        try
        {
            await WriteFilesAsync();
            await PgServers.ExecAsync(db.Source, $"""
                CREATE SCHEMA s;
                CREATE TEXT SEARCH DICTIONARY s.syn (TEMPLATE = synonym, SYNONYMS = {name});
                CREATE TEXT SEARCH DICTIONARY s.stop (TEMPLATE = simple, STOPWORDS = {name}, ACCEPT = false);
                CREATE TEXT SEARCH DICTIONARY s.eng (TEMPLATE = simple, STOPWORDS = english);
                CREATE TEXT SEARCH CONFIGURATION s.cfg (COPY = english);
                ALTER TEXT SEARCH CONFIGURATION s.cfg ALTER MAPPING FOR asciiword WITH s.syn, s.stop, english_stem;
                CREATE TABLE s.docs (id int, body text, tsv tsvector GENERATED ALWAYS AS (to_tsvector('s.cfg', body)) STORED);
                CREATE TABLE s.plain (id int);
                INSERT INTO s.docs (id, body) VALUES (1, 'postgresql foo rocks');
                """);
        }
        finally { foreach (var f in files) File.Delete(f); }
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        var stop = $"text search dictionary \"s\".\"stop\": its file tsearch_data/{name}.stop is not on the target server";
        var syn = $"text search dictionary \"s\".\"syn\": its file tsearch_data/{name}.syn is not on the target server";

        foreach (var (operation, table) in new[] { (CloneOperation.Database, (string?)null), (CloneOperation.Schema, null), (CloneOperation.Table, "docs") })
        {
            var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, operation, operation == CloneOperation.Database ? null : "s", table));
            Assert.Equal($"{source}: cannot clone {stop}; {syn} (nothing was written; set \"skip_unsupported\": true to clone without them)", refused.Message);
            Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));
        }
        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal([stop, syn, "table \"s\".\"docs\": depends on text search dictionary \"s\".\"stop\", which is not cloned",
                      "text search configuration \"s\".\"cfg\": depends on text search dictionary \"s\".\"stop\", which is not cloned"], result.Skipped);
        Assert.Equal("eng plain", await PgServers.ScalarAsync<string>(db.Target,
            "SELECT (SELECT string_agg(dictname, ',') FROM pg_ts_dict WHERE dictnamespace = 's'::regnamespace) || ' ' || (SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 's'::regnamespace)"));

        // With the files on the target server, everything arrives and computes as on the source.
        try
        {
            await WriteFilesAsync();
            Assert.Empty((await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { Conflict = ConflictStrategy.Replace })).Skipped);
            Assert.Equal("'pgsql':1 'rock':3", await PgServers.ScalarAsync<string>(db.Target, vectors));
            Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, vectors), await PgServers.ScalarAsync<string>(db.Target, vectors));
        }
        finally { foreach (var f in files) File.Delete(f); }
    }

    [Fact]
    public async Task A_schema_clone_reading_columns_that_an_older_table_of_another_schema_on_the_target_lacks_is_refused_before_writing()
    {
        // The view's CREATE failed after the schema's tables were in ("column t.Added col does not exist"), its foreign key's after the rows.
        var db = await fx.Servers.CreateDatabasesAsync("outside_columns");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY, name text, "Added col" int, UNIQUE (id, "Added col"));
            INSERT INTO app.t VALUES (1, 'one', 10);
            CREATE SCHEMA rep;
            CREATE TABLE rep.facts (id int, t_id int, added int, CONSTRAINT to_t FOREIGN KEY (t_id, added) REFERENCES app.t (id, "Added col"));
            CREATE VIEW rep.names AS SELECT id, name FROM app.t;
            CREATE VIEW rep.added AS SELECT id, "Added col" FROM app.t;
            INSERT INTO rep.facts VALUES (1, 1, 10);
            """);
        // The target's app.t is an older version of the table, without the column.
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY, name text); INSERT INTO app.t VALUES (1, 'one')");
        const string lacks = "which the target lacks and the clone does not bring";
        const string added = $"view \"rep\".\"added\": needs column app.t.\"Added col\", {lacks}";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "rep"));
        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe()}: cannot clone {added} (nothing was written; clone schema \"app\" first, " +
                     "or the whole database, or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'rep'"));

        // Left out, with the foreign key on the column, both listed; what reads only the columns the target has is cloned.
        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "rep", options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal([added, $"foreign key \"to_t\" on \"rep\".\"facts\": references app.\"t_id_Added col_key\", column app.t.\"Added col\", {lacks}"], result.Skipped);
        Assert.Equal("facts,names 1", await PgServers.ScalarAsync<string>(db.Target,
            "SELECT (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'rep'::regnamespace) || ' ' || (SELECT count(*) FROM rep.facts)"));

        // Once the target's table has the column, everything arrives.
        await PgServers.ExecAsync(db.Target, """ALTER TABLE app.t ADD COLUMN "Added col" int, ADD UNIQUE (id, "Added col"); UPDATE app.t SET "Added col" = 10""");
        Assert.Empty((await CloneKit.CloneAsync(db, CloneOperation.Schema, "rep", options: new CloneOptions { Conflict = ConflictStrategy.Replace })).Skipped);
        Assert.Equal("added,facts,names to_t", await PgServers.ScalarAsync<string>(db.Target,
            "SELECT (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'rep'::regnamespace AND relkind IN ('r', 'v')) || ' ' || (SELECT string_agg(conname, ',') FROM pg_constraint WHERE connamespace = 'rep'::regnamespace)"));
    }

    [Fact]
    public async Task A_composite_type_of_another_schema_the_target_lacks_is_named_as_a_type()
    {
        var db = await fx.Servers.CreateDatabasesAsync("outside_composite");
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA b; CREATE TYPE b.money_amt AS (amount numeric, currency text); CREATE SCHEMA a; CREATE TABLE a.t (id int, m b.money_amt)");

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "a"));

        Assert.Contains("cannot clone table \"a\".\"t\": needs type b.money_amt, which the target lacks and the clone does not bring", refused.Message);
    }

    [Fact]
    public async Task A_functions_clone_needing_a_table_row_type_the_target_lacks_is_refused_before_writing()
    {
        var db = await fx.Servers.CreateDatabasesAsync("fn_rowtype");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA app; CREATE TABLE app."Item" (id int, name text);
            CREATE FUNCTION app.label(i app."Item") RETURNS text LANGUAGE sql AS 'SELECT i.name';
            CREATE FUNCTION app.plain(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        const string label = "function \"app\".\"label\"(i app.\"Item\"): needs relation \"app\".\"Item\", which the target lacks and the clone does not bring";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Functions, "app"));
        Assert.Equal($"{source}: cannot clone {label} (nothing was written; clone schema \"app\" first, or the whole database, " +
                     "or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"));
        Assert.Equal([label], (await CloneKit.CloneAsync(db, CloneOperation.Functions, "app", options: new CloneOptions { SkipUnsupported = true })).Skipped);
        Assert.Equal([["plain"]], await PgServers.RowsAsync(db.Target, "SELECT proname::text FROM pg_proc WHERE pronamespace = 'app'::regnamespace"));

        await PgServers.ExecAsync(db.Target, """CREATE TABLE app."Item" (id int, name text);""");
        await CloneKit.CloneAsync(db, CloneOperation.Functions, "app", options: new CloneOptions { Conflict = ConflictStrategy.Replace });
        Assert.Equal([["label"], ["plain"]], await PgServers.RowsAsync(db.Target, "SELECT proname::text FROM pg_proc WHERE pronamespace = 'app'::regnamespace ORDER BY 1"));
    }

    [Fact]
    public async Task Aggregates_operators_and_text_search_objects_needing_another_schema_the_target_lacks_are_refused_before_writing()
    {
        // Only tables, views, types, functions and sequences were checked: CREATE AGGREGATE failed in the middle of the run.
        var db = await fx.Servers.CreateDatabasesAsync("kind_deps");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA other;
            CREATE FUNCTION other.add(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
            CREATE TEXT SEARCH TEMPLATE other.simple_tmpl (LEXIZE = dsimple_lexize, INIT = dsimple_init);
            CREATE SCHEMA app;
            CREATE AGGREGATE app.total(int) (SFUNC = other.add, STYPE = int);
            CREATE OPERATOR app.### (LEFTARG = int, RIGHTARG = int, FUNCTION = other.add);
            CREATE TEXT SEARCH DICTIONARY app.dict (TEMPLATE = other.simple_tmpl);
            CREATE VIEW app.sums AS SELECT app.total(x) AS s FROM (VALUES (1), (2)) v (x);
            CREATE TABLE app.t (x int); INSERT INTO app.t VALUES (1);
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();

        const string lacks = "which the target lacks and the clone does not bring";
        string[] needs =
        [
            $"text search dictionary \"app\".\"dict\": needs text search template other.simple_tmpl, {lacks}",
            $"aggregate \"app\".\"total\"(integer): needs function other.add(integer,integer), {lacks}",
            $"operator \"app\".### (integer, integer): needs function other.add(integer,integer), {lacks}",
        ];

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "app"));
        Assert.Equal($"{source}: cannot clone {string.Join("; ", needs)} (nothing was written; clone schema \"other\" first, or the whole database, " +
                     "or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"));

        // Left out with what uses them (the view over the aggregate), the rest arrives.
        var skipped = await CloneKit.CloneAsync(db, CloneOperation.Schema, "app", options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal([.. needs, "view \"app\".\"sums\": depends on aggregate \"app\".\"total\"(integer), which is not cloned"], skipped.Skipped);
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM app.t"));

        // An index on an operator class of another schema, the same.
        await PgServers.ExecAsync(db.Source, """
            CREATE OPERATOR CLASS other."int USING ops" FOR TYPE int USING btree AS OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(int, int);
            CREATE SCHEMA idx; CREATE TABLE idx.t (x int); CREATE INDEX t_x ON idx.t (x other."int USING ops");
            """);
        var index = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "idx"));
        const string opclass = $"index \"idx\".\"t_x\": needs operator class other.\"int USING ops\" USING btree, {lacks}";
        Assert.Equal($"{source}: cannot clone {opclass} (nothing was written; clone schema \"other\" first, or the whole database, " +
                     "or set \"skip_unsupported\": true to clone without them)", index.Message);
        Assert.Equal([opclass], (await CloneKit.CloneAsync(db, CloneOperation.Schema, "idx", options: new CloneOptions { SkipUnsupported = true })).Skipped);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_index WHERE indrelid = 'idx.t'::regclass"));
    }

    [Fact]
    public async Task A_needed_function_or_operator_whose_argument_type_the_target_lacks_is_named_not_a_server_error()
    {
        // PostgreSQL 15's to_regprocedure and to_regoperator raise "type ... does not exist" for a missing argument
        // type: the planning failed with that line (a schema of PostgreSQL's regression database, cloned alone).
        var db = await fx.Servers.CreateDatabasesAsync("outside_args");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA common;
            CREATE TYPE common.pair AS (a int, b int);
            CREATE FUNCTION common.total(common.pair[]) RETURNS int LANGUAGE sql AS 'SELECT 1';
            CREATE FUNCTION common.same(common.pair, common.pair) RETURNS boolean LANGUAGE sql AS 'SELECT true';
            CREATE OPERATOR common.=== (LEFTARG = common.pair, RIGHTARG = common.pair, FUNCTION = common.same);
            CREATE SCHEMA app;
            CREATE VIEW app.totals AS SELECT common.total(ARRAY[ROW(1, 2)::common.pair]) AS t;
            CREATE VIEW app.equal AS SELECT ROW(1, 2)::common.pair OPERATOR(common.===) ROW(1, 2)::common.pair AS e;
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "app"));

        const string lacks = "which the target lacks and the clone does not bring";
        Assert.Equal($"{source}: cannot clone view \"app\".\"totals\": needs type common.pair and function common.total(common.pair[]), {lacks}; " +
                     $"view \"app\".\"equal\": needs operator common.===(common.pair,common.pair) and type common.pair, {lacks} " +
                     "(nothing was written; clone schema \"common\" first, or the whole database, or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"));

        // The target having the type and the function but not the operator: only the operator's view is left out.
        await PgServers.ExecAsync(db.Target, """
            CREATE SCHEMA common;
            CREATE TYPE common.pair AS (a int, b int);
            CREATE FUNCTION common.total(common.pair[]) RETURNS int LANGUAGE sql AS 'SELECT 1';
            """);
        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "app", options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal([$"view \"app\".\"equal\": needs operator common.===(common.pair,common.pair), {lacks}"], result.Skipped);
        Assert.Equal(1, await PgServers.ScalarAsync<int>(db.Target, "SELECT t FROM app.totals"));
    }

    [Fact]
    public async Task A_clone_finds_reg_values_inside_composites_ranges_and_multiranges_before_writing()
    {
        var db = await fx.Servers.CreateDatabasesAsync("reg_nested");
        await PgServers.ExecAsync(db.Source, OtherObjects + """
            CREATE SCHEMA s;
            CREATE TABLE s.t (id int);
            CREATE TYPE s.pair AS ("Rel" regclass, procs regprocedure[]);
            CREATE DOMAIN s.dpair AS s.pair;
            CREATE TYPE s.rels AS RANGE (subtype = regclass);
            CREATE TABLE s.nested (id int, v int, p s.pair, dp s.dpair[], r s.rels, mr s.rels_multirange);
            INSERT INTO s.nested VALUES
              (1, 1, ROW('s.t', '{other.f(int), lower(text)}'), NULL, NULL, NULL),
              (2, 2, NULL, ARRAY[ROW('other."Far"', NULL)::s.dpair], NULL, NULL),
              (3, 3, NULL, NULL, s.rels('other."Far"', 's.t'), s.rels_multirange(s.rels('other."Far"', 'other."Far"', '[]'), s.rels('s.t', 's.t', '[]')));
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        const string lacks = "which the target lacks and the clone does not bring";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s"));

        Assert.Equal($"{source}: cannot clone table \"s\".\"nested\": values of its column \"dp\" name relation other.\"Far\", {lacks}; " +
                     $"values of its column \"mr\" name relation other.\"Far\", {lacks}; values of its column \"p\" name function other.f(integer), {lacks}; values of its column \"r\" name relation other.\"Far\", {lacks} " +
                     "(nothing was written; clone what they name first, or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"));

        // A table clone reads only the filtered rows (the filter's "v" is the table's column, not a step of the read).
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA s; CREATE TYPE s.rels AS RANGE (subtype = regclass)");
        refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "nested", new CloneOptions { Where = "v = 3" }));
        Assert.Equal($"{source}: cannot clone table \"s\".\"nested\": values of its column \"mr\" name relation other.\"Far\" and relation s.t, {lacks}; " +
                     $"values of its column \"r\" name relation other.\"Far\" and relation s.t, {lacks} " +
                     "(nothing was written; clone what they name first, or set \"skip_unsupported\": true to clone without them)", refused.Message);

        // Once the target has what they name, every value arrives by name.
        await PgServers.ExecAsync(db.Target, "DROP SCHEMA s CASCADE; " + OtherObjects);
        await CloneKit.CloneAsync(db, CloneOperation.Schema, "s");
        const string values = "SELECT string_agg(concat_ws('|', id, p, dp, r, mr), ';' ORDER BY id) FROM s.nested";
        Assert.Equal(""""1|(s.t,"{other.f(integer),lower(text)}");2|{"(\"other.\"\"Far\"\"\",)"};3|["other.""Far""",s.t)|{["other.""Far""","other.""Far"""],[s.t,s.t]}"""",
            await PgServers.ScalarAsync<string>(db.Target, values));
        Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, values), await PgServers.ScalarAsync<string>(db.Target, values));
    }

    [Fact]
    public async Task A_database_clone_without_materialized_views_refuses_a_table_whose_regclass_values_name_one()
    {
        var db = await fx.Servers.CreateDatabasesAsync("reg_matview");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE public.t (id int); CREATE MATERIALIZED VIEW public."Totals" AS SELECT count(*) FROM public.t;
            CREATE TABLE public.refresh_order (view regclass); INSERT INTO public.refresh_order VALUES ('"Totals"'), ('t');
            """);

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Database, options: new CloneOptions { Matviews = false }));

        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe()}: cannot clone table \"public\".\"refresh_order\": values of its column \"view\" " +
                     "name relation public.\"Totals\", which the target lacks and the clone does not bring (nothing was written; clone what they name first, " +
                     "or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
        await CloneKit.CloneAsync(db, CloneOperation.Database);
        Assert.Equal("\"Totals\",t", await PgServers.ScalarAsync<string>(db.Target, "SELECT string_agg(view::text, ',' ORDER BY view::text) FROM public.refresh_order"));
    }

    [Fact]
    public async Task Functions_clone_brings_only_the_functions_and_procedures_of_the_schema_and_the_types_they_need()
    {
        var db = await fx.Servers.CreateDatabasesAsync("functions");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA f;
            CREATE TABLE f.t (id int);
            CREATE VIEW f.v AS SELECT 1 AS one;
            CREATE FUNCTION f.count_t() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM f.t';
            CREATE FUNCTION f.plus(a int, b int DEFAULT 1) RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN a + b; END$$;
            CREATE TYPE f.color AS ENUM ('red', 'green');
            CREATE FUNCTION f.first_color() RETURNS f.color LANGUAGE sql AS $$ SELECT 'red'::f.color $$;
            CREATE PROCEDURE f."Bump It"(INOUT x int) LANGUAGE sql AS $$ SELECT x + 1 $$;
            COMMENT ON FUNCTION f.plus(int, int) IS 'adds';
            """);

        await CloneKit.CloneAsync(db, CloneOperation.Functions, "f");

        const string functions = "SELECT p.proname || '|' || pg_get_functiondef(p.oid) || '|' || coalesce(obj_description(p.oid, 'pg_proc'), '') FROM pg_proc p WHERE p.pronamespace = 'f'::regnamespace ORDER BY 1";
        var expected = await PgServers.RowsAsync(db.Source, functions);
        Assert.Equal(4, expected.Count);
        Assert.Equal(expected, await PgServers.RowsAsync(db.Target, functions));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'f'::regnamespace"));
        Assert.Equal(3, await PgServers.ScalarAsync<int>(db.Target, "SELECT f.plus(2)"));
        Assert.Equal("red", await PgServers.ScalarAsync<string>(db.Target, "SELECT f.first_color()::text"));
    }

    [Fact]
    public async Task Schema_clone_leaves_out_a_foreign_key_to_another_schemas_table_the_target_lacks_and_keeps_one_to_a_table_it_has()
    {
        var db = await fx.Servers.CreateDatabasesAsync("schemafk");
        const string other = "CREATE SCHEMA b; CREATE TABLE b.p (id int PRIMARY KEY); CREATE TABLE b.q (id int PRIMARY KEY); INSERT INTO b.p VALUES (1); INSERT INTO b.q VALUES (1);";
        await PgServers.ExecAsync(db.Source, other + "CREATE SCHEMA a; CREATE TABLE a.c (id int PRIMARY KEY, p int REFERENCES b.p, q int REFERENCES b.q); INSERT INTO a.c VALUES (1, 1, 1)");
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA b; CREATE TABLE b.q (id int PRIMARY KEY); INSERT INTO b.q VALUES (1)");

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "a");

        Assert.Equal(["foreign key \"c_p_fkey\" on \"a\".\"c\": references b.p, b.p_pkey, which the target lacks and the clone does not bring"], result.Skipped);
        Assert.Equal(["c_q_fkey"], (await PgServers.RowsAsync(db.Target, "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = 'a.c'::regclass")).Select(r => (string)r[0]!));
        Assert.Equal([[1, 1, 1]], await PgServers.RowsAsync(db.Target, "SELECT * FROM a.c"));
    }

    [Fact]
    public async Task Table_clone_leaves_out_a_foreign_key_to_a_table_the_target_lacks_and_keeps_the_self_reference()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tablefk");
        await CloneKit.LoadAsync(db.Source, "rich.sql");

        var result = await CloneKit.CloneAsync(db, CloneOperation.Table, "rich", "orders");

        Assert.Equal(["foreign key \"orders_person_id_fkey\" on \"rich\".\"orders\": references \"rich\".\"people\", which is neither cloned nor on the target"], result.Skipped);
        Assert.Equal(["orders_parent_id_fkey"], (await PgServers.RowsAsync(db.Target, "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = 'rich.orders'::regclass")).Select(r => (string)r[0]!));
        var source = await CloneKit.ChecksumsAsync(db.Source, "rich");
        var target = await CloneKit.ChecksumsAsync(db.Target, "rich");
        Assert.Equal(source["rich.orders"], target["rich.orders"]);
        Assert.Equal(source["rich.orders_id_seq"], target["rich.orders_id_seq"]);
        Assert.Equal(["orders_all", "orders_mine"], (await PgServers.RowsAsync(db.Target, "SELECT polname FROM pg_policy ORDER BY 1")).Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task Table_clone_brings_the_types_functions_sequences_and_extension_the_table_needs()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tableneeds");
        await CloneKit.LoadAsync(db.Source, "rich.sql");

        var result = await CloneKit.CloneAsync(db, CloneOperation.Table, "rich", "people");

        Assert.Empty(result.Skipped);
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source, "--table=rich.people"), await CloneKit.DumpAsync(db.Target, "--table=rich.people"));
        var source = await CloneKit.ChecksumsAsync(db.Source, "rich");
        var target = await CloneKit.ChecksumsAsync(db.Target, "rich");
        Assert.Equal(["rich.people", "rich.people_id_seq", "rich.ticket_seq"], target.Keys);
        foreach (var (name, sum) in target) Assert.Equal(source[name], sum);
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'"));
    }

    [Fact]
    public async Task Table_clone_brings_the_functions_its_indexes_exclusions_policies_rules_and_statistics_call()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tableobjfuncs");
        await PgServers.ExecAsync(db.Source, """
            CREATE EXTENSION btree_gist;
            CREATE SCHEMA "Odd s";
            CREATE FUNCTION "Odd s".norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower($1)';
            CREATE FUNCTION "Odd s".live(integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 > 0';
            CREATE FUNCTION "Odd s".slot(integer) RETURNS int4range LANGUAGE sql IMMUTABLE AS 'SELECT int4range($1, $1 + 10)';
            CREATE FUNCTION "Odd s".mine(text) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT $1 = current_user';
            CREATE FUNCTION "Odd s".bucket(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 / 100';
            CREATE FUNCTION "Odd s".logged(integer) RETURNS integer LANGUAGE sql VOLATILE AS 'SELECT $1';
            CREATE FUNCTION "Odd s".unused() RETURNS integer LANGUAGE sql AS 'SELECT 1';
            CREATE TABLE "Odd s"."T" (id integer PRIMARY KEY, name text, room integer, owner text,
                EXCLUDE USING gist (room WITH =, ("Odd s".slot(id)) WITH &&));
            CREATE UNIQUE INDEX t_name ON "Odd s"."T" ("Odd s".norm(name));
            CREATE INDEX t_live ON "Odd s"."T" (room) WHERE "Odd s".live(id);
            ALTER TABLE "Odd s"."T" ENABLE ROW LEVEL SECURITY;
            CREATE POLICY own ON "Odd s"."T" USING ("Odd s".mine(owner));
            CREATE STATISTICS "Odd s".t_stats ON ("Odd s".bucket(id)), room FROM "Odd s"."T";
            CREATE RULE no_delete AS ON DELETE TO "Odd s"."T" WHERE "Odd s".logged(old.id) < 0 DO INSTEAD NOTHING;
            INSERT INTO "Odd s"."T" SELECT g, 'Name ' || g, g, 'u' || g FROM generate_series(1, 300) g;
            """);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Table, "Odd s", "T");

        Assert.Empty(result.Skipped);
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source, "--table=\"Odd s\".\"T\""), await CloneKit.DumpAsync(db.Target, "--table=\"Odd s\".\"T\""));
        Assert.Equal(["bucket", "live", "logged", "mine", "norm", "slot"],
            (await PgServers.RowsAsync(db.Target, "SELECT proname FROM pg_proc WHERE pronamespace = '\"Odd s\"'::regnamespace ORDER BY 1")).Select(r => (string)r[0]!));
        Assert.Equal(300L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM \"Odd s\".\"T\""));
    }

    [Fact]
    public async Task Table_clone_brings_the_functions_called_in_the_bodies_of_those_it_brings()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tablebodies");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE FUNCTION s.padded(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT btrim(t) <> t $$;
            CREATE FUNCTION s.padded(t text, c text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT btrim(t, c) <> t $$;
            CREATE FUNCTION s."Trimmed"(t text) RETURNS boolean LANGUAGE sql IMMUTABLE SET search_path = s AS $$ SELECT NOT padded(t) $$;
            CREATE FUNCTION s.deep(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT i + 1';
            CREATE TABLE s.other (x integer);
            CREATE FUNCTION s.of_other(o s.other) RETURNS integer LANGUAGE sql AS 'SELECT o.x';
            -- of_other needs a table the clone does not bring: not taken on its name alone (that branch never runs here).
            CREATE FUNCTION s.positive(i integer) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
              BEGIN IF i < 0 THEN PERFORM s.of_other(NULL); END IF; RETURN s.deep(i) > 1; END $$;
            CREATE FUNCTION s.unrelated() RETURNS integer LANGUAGE sql AS 'SELECT 1';
            CREATE DOMAIN s.name_text AS text CHECK (s."Trimmed"(VALUE));
            CREATE TABLE s.t (id integer PRIMARY KEY CHECK (s.positive(id)), name s.name_text);
            INSERT INTO s.t SELECT g, 'n' || g FROM generate_series(1, 10) g;
            """);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t");

        Assert.Equal(10, Assert.Single(result.Tables).Rows);
        Assert.Equal(["Trimmed", "deep", "padded", "padded", "positive"],
            (await PgServers.RowsAsync(db.Target, "SELECT proname FROM pg_proc WHERE pronamespace = 's'::regnamespace ORDER BY proname COLLATE \"C\"")).Select(r => (string)r[0]!));
    }

    /// <summary>
    /// Odoo's f_unaccent calls unaccent() in a body kept as text, where PostgreSQL records no dependency on the
    /// extension; an index on it failed after the rows were in. A bare call of a name pg_catalog has too (citext's
    /// replace) does not bring an extension.
    /// </summary>
    [Theory]
    [InlineData(CloneOperation.Table)]
    [InlineData(CloneOperation.Schema)]
    public async Task A_scoped_clone_brings_the_extensions_whose_functions_the_bodies_call(CloneOperation operation)
    {
        var db = await fx.Servers.CreateDatabasesAsync($"bodyext{(int)operation}");
        await PgServers.ExecAsync(db.Source, """
            CREATE EXTENSION unaccent; CREATE EXTENSION citext; CREATE SCHEMA "App s";
            CREATE FUNCTION "App s".f_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $f$;
            CREATE FUNCTION "App s".swapped(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $f$ BEGIN RETURN replace(t, 'a', 'b'); END $f$;
            CREATE TABLE "App s".t (x text CHECK ("App s".swapped(x) IS NOT NULL));
            CREATE INDEX t_x ON "App s".t ("App s".f_unaccent(x));
            INSERT INTO "App s".t VALUES ('Élan'), ('café');
            """);

        var result = await CloneKit.CloneAsync(db, operation, "App s", operation == CloneOperation.Table ? "t" : null);

        Assert.Equal(2, Assert.Single(result.Tables).Rows);
        Assert.Equal(["plpgsql", "unaccent"], (await PgServers.RowsAsync(db.Target, "SELECT extname FROM pg_extension ORDER BY 1")).Select(r => (string)r[0]!));
        Assert.Equal("cafe,Elan", await PgServers.ScalarAsync<string>(db.Target, "SELECT string_agg(\"App s\".f_unaccent(x), ',' ORDER BY x) FROM \"App s\".t"));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source, "--schema=\"App s\""), await CloneKit.DumpAsync(db.Target, "--schema=\"App s\""));
    }

    /// <summary>
    /// A function the load runs (here an index's) whose body calls one of a schema the clone does not bring: refused
    /// before anything is written when the target lacks it. One only the application calls is cloned as pg_dump -n
    /// clones it.
    /// </summary>
    [Fact]
    public async Task A_schema_clone_refuses_a_function_its_load_runs_that_calls_one_of_another_schema_the_target_lacks()
    {
        var db = await fx.Servers.CreateDatabasesAsync("bodyoutside");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA util; CREATE SCHEMA app;
            CREATE FUNCTION util.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(t)';
            CREATE FUNCTION util.audit(t text) RETURNS void LANGUAGE sql AS 'SELECT';
            CREATE FUNCTION app.key(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $f$ BEGIN RETURN util.norm(t); END $f$;
            CREATE FUNCTION app.log(t text) RETURNS void LANGUAGE sql AS $f$ SELECT util.audit(t) $f$;
            CREATE TABLE app.t (x text);
            CREATE INDEX t_key ON app.t (app.key(x));
            INSERT INTO app.t VALUES ('A'), ('b');
            """);

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "app"));
        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe()}: cannot clone function \"app\".\"key\"(t text): needs function util.norm(text), " +
                     "which the target lacks and the clone does not bring (nothing was written; clone schema \"util\" first, or the whole database, or set " +
                     "\"skip_unsupported\": true to clone without them)", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"));

        var skipped = await CloneKit.CloneAsync(db, CloneOperation.Schema, "app", options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal(["function \"app\".\"key\"(t text): needs function util.norm(text), which the target lacks and the clone does not bring",
                      "index \"app\".\"t_key\": depends on function \"app\".\"key\"(t text), which is not cloned"], skipped.Skipped);
        Assert.Equal("log", await PgServers.ScalarAsync<string>(db.Target, "SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'app'::regnamespace"));
        await PgServers.ExecAsync(db.Target, "DROP SCHEMA app CASCADE");

        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA util; CREATE FUNCTION util.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(t)'");
        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "app");
        Assert.Equal(2, Assert.Single(result.Tables).Rows);
        Assert.Equal("key,log t_key", await PgServers.ScalarAsync<string>(db.Target,
            "SELECT (SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'app'::regnamespace) || ' ' || (SELECT string_agg(indexrelname, ',') FROM pg_stat_user_indexes WHERE schemaname = 'app')"));
    }

    /// <summary>
    /// A table clone brings the operator classes, families, operators and text search objects of its schema that its
    /// indexes, columns and triggers use (MusicBrainz's partial_date_ops: the index's CREATE failed after the rows were in),
    /// created when the target lacks them and reused when it has them. One needing what the target lacks in another
    /// schema refuses the clone before writing; with skip_unsupported it is left out with the index on it, both listed.
    /// </summary>
    [Fact]
    public async Task Table_clone_brings_the_operator_classes_and_text_search_objects_of_its_schema_its_indexes_and_columns_use()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tableopclass");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s; CREATE SCHEMA util;
            CREATE FUNCTION s.rev_cmp(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT btint4cmp($2, $1)';
            CREATE OPERATOR CLASS s.rev_ops FOR TYPE int4 USING btree AS
                OPERATOR 1 >, OPERATOR 2 >=, OPERATOR 3 =, OPERATOR 4 <=, OPERATOR 5 <, FUNCTION 1 s.rev_cmp(int, int);
            COMMENT ON OPERATOR CLASS s.rev_ops USING btree IS 'reversed';
            CREATE FUNCTION s.eq_ci(text, text) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT lower($1) = lower($2)';
            CREATE OPERATOR s.=== (LEFTARG = text, RIGHTARG = text, FUNCTION = s.eq_ci, COMMUTATOR = OPERATOR(s.===));
            CREATE FUNCTION s.ci_hash(text) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT hashtext(lower($1))';
            CREATE OPERATOR FAMILY s."CI family" USING hash;
            CREATE OPERATOR CLASS s.ci_ops FOR TYPE text USING hash FAMILY s."CI family" AS OPERATOR 1 s.===, FUNCTION 1 s.ci_hash(text);
            CREATE TEXT SEARCH DICTIONARY s."My dict" (TEMPLATE = simple, STOPWORDS = english);
            CREATE TEXT SEARCH CONFIGURATION s.cfg (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION s.cfg ALTER MAPPING FOR asciiword WITH s."My dict";
            CREATE TABLE s.t (id int, name text, body text, tsv tsvector GENERATED ALWAYS AS (to_tsvector('s.cfg', body)) STORED);
            CREATE INDEX t_rev ON s.t (id s.rev_ops);
            CREATE INDEX t_ci ON s.t USING hash (name s.ci_ops);
            CREATE INDEX t_fts ON s.t USING gin (to_tsvector('s.cfg'::regconfig, name));
            CREATE FUNCTION s.ne_ci(text, text) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT lower($1) <> lower($2)';
            CREATE OPERATOR s.!== (LEFTARG = text, RIGHTARG = text, FUNCTION = s.ne_ci);
            CREATE FUNCTION s.keep() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
            CREATE TRIGGER "renamed" BEFORE UPDATE ON s.t FOR EACH ROW WHEN (NEW.name OPERATOR(s.!==) OLD.name) EXECUTE FUNCTION s.keep();
            INSERT INTO s.t (id, name, body) SELECT g, 'Name ' || g, 'The quick foxes ' || g FROM generate_series(1, 5) g;
            CREATE FUNCTION util.rev_cmp(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT btint4cmp($2, $1)';
            CREATE OPERATOR CLASS s.util_ops FOR TYPE int4 USING btree AS
                OPERATOR 1 >, OPERATOR 2 >=, OPERATOR 3 =, OPERATOR 4 <=, OPERATOR 5 <, FUNCTION 1 util.rev_cmp(int, int);
            CREATE TABLE s.u (id int);
            CREATE INDEX u_rev ON s.u (id s.util_ops);
            INSERT INTO s.u SELECT generate_series(1, 5);
            """);
        const string kinds = """
            SELECT (SELECT string_agg(opcname || ' ' || amname || coalesce(' ' || obj_description(c.oid, 'pg_opclass'), ''), ', ' ORDER BY opcname)
                      FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod WHERE opcnamespace = 's'::regnamespace)
                || ' | ' || (SELECT string_agg(opfname, ', ' ORDER BY opfname) FROM pg_opfamily WHERE opfnamespace = 's'::regnamespace)
                || ' | ' || (SELECT string_agg(oprname || ' ' || oprcom::regoper::text, ', ' ORDER BY oprname) FROM pg_operator WHERE oprnamespace = 's'::regnamespace)
                || ' | ' || (SELECT string_agg(dictname, ', ') FROM pg_ts_dict WHERE dictnamespace = 's'::regnamespace)
                || ' | ' || (SELECT string_agg(cfgname, ', ') FROM pg_ts_config WHERE cfgnamespace = 's'::regnamespace)
            """;
        const string indexes = "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 's.t'::regclass ORDER BY 1";
        const string triggers = "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 's.t'::regclass";
        const string found = "SET enable_seqscan = off; SELECT string_agg(id::text, ',' ORDER BY id) FROM s.t WHERE name OPERATOR(s.===) 'NAME 2' OR id > 4";
        const string vectors = "SELECT string_agg(tsv::text || ' ' || to_tsvector('s.cfg', name)::text, '; ' ORDER BY id) FROM s.t";

        foreach (var run in new[] { new CloneOptions(), new CloneOptions { Conflict = ConflictStrategy.Replace } })
        {
            // Created on the first run; reused, not created again, on the second.
            Assert.Empty((await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t", run)).Skipped);
            Assert.Equal("ci_ops hash, rev_ops btree reversed | CI family, rev_ops | !== 0, === s.=== | My dict | cfg", await PgServers.ScalarAsync<string>(db.Target, kinds));
            Assert.Equal(await PgServers.RowsAsync(db.Source, indexes), await PgServers.RowsAsync(db.Target, indexes));
            Assert.Equal(await PgServers.RowsAsync(db.Source, triggers), await PgServers.RowsAsync(db.Target, triggers));
            Assert.Equal("2,5", await PgServers.ScalarAsync<string>(db.Target, found));
            Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, vectors), await PgServers.ScalarAsync<string>(db.Target, vectors));
        }

        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        const string utilOps = "operator class \"s\".\"util_ops\" USING \"btree\": needs function util.rev_cmp(integer,integer), which the target lacks and the clone does not bring";
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "u"));
        Assert.Equal($"{source}: cannot clone {utilOps} (nothing was written; clone schema \"util\" first, or the whole database, or set " +
                     "\"skip_unsupported\": true to clone without them)", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 'u'"));

        var skipped = await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "u", new CloneOptions { SkipUnsupported = true });
        Assert.Equal([utilOps, "index \"s\".\"u_rev\": depends on operator class \"s\".\"util_ops\" USING \"btree\", which is not cloned"], skipped.Skipped);
        Assert.Equal(5L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.u"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_index WHERE indrelid = 's.u'::regclass"));
    }

    [Fact]
    public async Task Table_clone_brings_the_collations_of_its_schema_its_columns_indexes_and_domains_use()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tablecollation");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA "Odd s";
            CREATE COLLATION "Odd s"."case insensitive" (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
            CREATE COLLATION "Odd s".numeric (provider = icu, locale = 'en-u-kn-true');
            CREATE COLLATION "Odd s".unused (provider = libc, lc_collate = 'C', lc_ctype = 'C');
            CREATE COLLATION "Odd s"."for the index" (provider = libc, lc_collate = 'C', lc_ctype = 'C');
            CREATE DOMAIN "Odd s".code AS text COLLATE "Odd s".numeric;
            CREATE TABLE "Odd s".t (id int PRIMARY KEY, name text COLLATE "Odd s"."case insensitive" UNIQUE, code "Odd s".code, tag text);
            CREATE INDEX t_tag ON "Odd s".t (tag COLLATE "Odd s"."for the index");
            INSERT INTO "Odd s".t VALUES (1, 'Alice', 'a10', 'x'), (2, 'bob', 'a9', 'y');
            """);

        Assert.Empty((await CloneKit.CloneAsync(db, CloneOperation.Table, "Odd s", "t")).Skipped);

        const string Collations = """SELECT string_agg(collname, ', ' ORDER BY collname) FROM pg_collation WHERE collnamespace = '"Odd s"'::regnamespace""";
        Assert.Equal("case insensitive, for the index, numeric", await PgServers.ScalarAsync<string>(db.Target, Collations));
        // They compare as on the source: equal regardless of case, and numbers within text in their order.
        Assert.Equal(1, await PgServers.ScalarAsync<int>(db.Target, """SELECT id FROM "Odd s".t WHERE name = 'ALICE'"""));
        Assert.Equal("a9 a10", await PgServers.ScalarAsync<string>(db.Target, """SELECT string_agg(code, ' ' ORDER BY code) FROM "Odd s".t"""));
        const string Index = """SELECT pg_get_indexdef('"Odd s".t_tag'::regclass)""";
        Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, Index), await PgServers.ScalarAsync<string>(db.Target, Index));

        // Again over the clone: the collations there are used, as the types are, not taken for conflicts.
        Assert.Empty((await CloneKit.CloneAsync(db, CloneOperation.Table, "Odd s", "t", new CloneOptions { Conflict = ConflictStrategy.Replace })).Skipped);
        Assert.Equal("case insensitive, for the index, numeric", await PgServers.ScalarAsync<string>(db.Target, Collations));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, """SELECT count(*) FROM "Odd s".t"""));
    }

    [Fact]
    public async Task Table_clone_leaves_out_and_lists_a_constraint_trigger_whose_FROM_table_it_does_not_bring()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tablefromtrig");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE other (id int PRIMARY KEY);
            CREATE TABLE t (id int PRIMARY KEY);
            CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
            CREATE CONSTRAINT TRIGGER ct AFTER INSERT ON t FROM other FOR EACH ROW EXECUTE FUNCTION trg();
            CREATE CONSTRAINT TRIGGER own AFTER INSERT ON t FROM t FOR EACH ROW EXECUTE FUNCTION trg();
            INSERT INTO t VALUES (1), (2);
            """);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Table, "public", "t");

        Assert.Equal(["trigger \"ct\" on \"public\".\"t\": its FROM names table \"public\".\"other\", which the target lacks and the clone does not bring"], result.Skipped);
        Assert.Equal("2 own", await PgServers.ScalarAsync<string>(db.Target, "SELECT (SELECT count(*) FROM t) || ' ' || string_agg(tgname, ',') FROM pg_trigger WHERE tgrelid = 't'::regclass AND NOT tgisinternal"));

        // Once the target has the other table, the trigger comes along.
        await PgServers.ExecAsync(db.Target, "DROP TABLE t; DROP FUNCTION trg(); CREATE TABLE other (id int PRIMARY KEY)");
        Assert.Empty((await CloneKit.CloneAsync(db, CloneOperation.Table, "public", "t")).Skipped);
        Assert.Equal("ct,own", await PgServers.ScalarAsync<string>(db.Target, "SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 't'::regclass AND NOT tgisinternal"));
    }
}
