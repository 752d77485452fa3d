using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Core.Roles;
using PgClone.Core.Verification;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>
/// A database holding at least one of every object kind pg_dump 15 emits (allkinds.sql, beside rich.sql's tables,
/// types and functions) clones to a database that dumps exactly like it, holds the same rows (reg* values naming
/// the same objects, tables of generated columns keeping their rows), and whose drift diff reports kind by kind.
/// </summary>
public sealed class AllKindsTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Kinds = "Kinds ü";

    [Fact]
    public async Task Database_clone_of_every_kind_dumps_identically_and_holds_the_same_rows()
    {
        var db = await fx.Servers.CreateDatabasesAsync("allkinds");
        await CloneKit.LoadAsync(db.Source, "rich.sql");
        await CloneKit.LoadAsync(db.Source, "allkinds.sql");
        // Schema public with another owner, fewer privileges and a comment; database-level settings; grants made
        // by a holder of the grant option, not the owner (pg_dump makes them as that grantor); changed privileges on system objects.
        const string roles = """
            DO $$ BEGIN CREATE ROLE "Public Owner"; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE "Kinds Lead"; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE "Kinds Reader"; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            """;
        await Task.WhenAll(PgServers.ExecAsync(fx.Servers.SourceAdmin, roles), PgServers.ExecAsync(fx.Servers.TargetAdmin, roles));
        await PgServers.ExecAsync(db.Source, $"""
            ALTER SCHEMA public OWNER TO "Public Owner";
            REVOKE USAGE ON SCHEMA public FROM PUBLIC;
            GRANT USAGE ON SCHEMA "Kinds ü" TO "Kinds Lead";
            GRANT SELECT, UPDATE ON "Kinds ü".items TO "Kinds Lead" WITH GRANT OPTION;
            GRANT INSERT (name) ON "Kinds ü".items TO "Kinds Lead" WITH GRANT OPTION;
            SET ROLE "Kinds Lead";
            GRANT SELECT ON "Kinds ü".items TO "Kinds Reader";
            GRANT INSERT (name) ON "Kinds ü".items TO "Kinds Reader";
            RESET ROLE;
            ALTER DATABASE {Sql.Ident(db.Name)} SET search_path TO "$user", public, "Kinds ü";
            ALTER DATABASE {Sql.Ident(db.Name)} SET work_mem TO '64MB';
            GRANT SELECT (rolname) ON pg_catalog.pg_authid TO "Kinds Reader";
            GRANT EXECUTE ON FUNCTION pg_catalog.pg_ls_dir(text) TO "Kinds Lead";
            REVOKE EXECUTE ON FUNCTION pg_catalog.pg_backend_pid() FROM PUBLIC;
            REVOKE USAGE ON LANGUAGE sql FROM PUBLIC;
            GRANT SELECT ON information_schema.sql_features TO "Kinds Reader";
            ALTER STATISTICS "Kinds ü"."Guarded Stats" OWNER TO "Kinds Lead";
            ALTER COLLATION "Kinds ü"."Case Free" OWNER TO "Kinds Lead";
            CREATE POLICY "Both Roles" ON "Kinds ü".guarded TO "Kinds Reader", "Kinds Lead" USING (true);
            ALTER LARGE OBJECT 424243 OWNER TO "Kinds Lead";
            SET ROLE "Kinds Lead";
            GRANT SELECT ON LARGE OBJECT 424243 TO "Kinds Reader" WITH GRANT OPTION;
            SET ROLE "Kinds Reader";
            GRANT SELECT ON LARGE OBJECT 424243 TO PUBLIC;
            RESET ROLE;
            """);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Empty(result.Skipped);
        var source = await CloneKit.DumpAsync(db.Source);
        foreach (var expected in new[]
        {
            "CREATE AGGREGATE \"Kinds ü\".\"Sum Ints\"(integer)", "MINVFUNC = \"Kinds ü\".sub_state", "HYPOTHETICAL", "FINALFUNC_EXTRA",
            "SERIALFUNC = numeric_avg_serialize", "SORTOP = OPERATOR(pg_catalog.>)", "CREATE AGGREGATE \"Kinds ü\".my_count(*)",
            "CREATE OPERATOR \"Kinds ü\".=~=", "CREATE OPERATOR \"Kinds ü\".!!", "CREATE OPERATOR FAMILY \"Kinds ü\".\"Fam ily\" USING hash",
            "ALTER OPERATOR FAMILY \"Kinds ü\".\"Fam ily\" USING hash ADD", "CREATE OPERATOR CLASS \"Kinds ü\".\"Rev Ops\"", "USING gist",
            "CREATE TEXT SEARCH PARSER", "CREATE TEXT SEARCH TEMPLATE", "CREATE TEXT SEARCH DICTIONARY \"Kinds ü\".\"My Dict\"",
            "ADD MAPPING FOR asciiword WITH \"Kinds ü\".\"My Dict\", english_stem", "CREATE CAST (integer AS \"Kinds ü\".mood)", "WITH INOUT",
            "CREATE CONVERSION \"Kinds ü\".\"My Conv\"", "CREATE ACCESS METHOD \"heap 2\" TYPE TABLE", "CREATE ACCESS METHOD my_btree TYPE INDEX",
            "SET default_table_access_method = \"heap 2\"", "CREATE TABLE \"Kinds ü\".people OF \"Kinds ü\".person",
            "ATTACH PARTITION \"Kinds ü\".measures_1", "CONSTRAINT positive_check CHECK ((VALUE > 0)) NOT VALID",
            "CREATE RULE \"Keep Items\" AS\n    ON DELETE TO \"Kinds ü\".items DO INSTEAD NOTHING", "ALTER TABLE \"Kinds ü\".items DISABLE RULE \"log; update\"",
            "CREATE RULE items_view_ins", "CREATE FOREIGN DATA WRAPPER \"Dummy FDW\"", "CREATE SERVER \"Srv 1\"", "CREATE USER MAPPING FOR public SERVER \"Srv 1\"",
            "CREATE FOREIGN TABLE \"Kinds ü\".remote", "CREATE PUBLICATION \"Pub All\" FOR ALL TABLES", "ADD TABLE ONLY \"Kinds ü\".customer (id, name) WHERE ((id > 0))",
            "ADD TABLES IN SCHEMA \"select\"", "CREATE EVENT TRIGGER \"Kinds DDL\"", "ALTER EVENT TRIGGER \"Kinds DDL\" DISABLE",
            "COMMENT ON AGGREGATE", "COMMENT ON OPERATOR FAMILY", "COMMENT ON CAST", "COMMENT ON RULE", "COMMENT ON EVENT TRIGGER",
            "ALTER TABLE ONLY \"Kinds ü\".named_items ALTER COLUMN name SET DEFAULT 'unnamed; ''x'''::text",
            "ALTER TABLE ONLY \"Kinds ü\".item_names ALTER COLUMN name SET STATISTICS 321", "ALTER INDEX \"Kinds ü\".\"Lower Name\" ALTER COLUMN 1 SET STATISTICS 77",
            "SET SESSION AUTHORIZATION \"Kinds Lead\";\nGRANT SELECT ON TABLE \"Kinds ü\".items TO \"Kinds Reader\";",
            "CREATE SUBSCRIPTION \"Sub ü\"", "COMMENT ON SUBSCRIPTION", "GRANT ALL ON FOREIGN SERVER \"Srv 1\" TO PUBLIC",
            "GRANT ALL ON FOREIGN DATA WRAPPER \"Dummy FDW\" TO PUBLIC",
            "GRANT SELECT(rolname) ON TABLE pg_catalog.pg_authid TO \"Kinds Reader\"", "GRANT ALL ON FUNCTION pg_catalog.pg_ls_dir(text) TO \"Kinds Lead\"",
            "REVOKE ALL ON FUNCTION pg_catalog.pg_backend_pid() FROM PUBLIC",
            "CREATE TYPE \"Kinds ü\".\"Int 42\" (", "CREATE TYPE \"Kinds ü\".\"Shell Only\";",
            "COMMENT ON PUBLICATION", "COMMENT ON ACCESS METHOD", "COMMENT ON SERVER", "COMMENT ON FOREIGN TABLE", "COMMENT ON TEXT SEARCH DICTIONARY",
        })
            Assert.Contains(expected, source);
        CloneKit.SameDump(source, await CloneKit.DumpAsync(db.Target));
        // pg_dump leaves out built-in languages and information_schema; their privileges are the database's all the same.
        const string systemAcls = "SELECT (SELECT lanacl::text FROM pg_language WHERE lanname = 'sql') || ' ' || " +
                                  "(SELECT relacl::text FROM pg_class WHERE oid = 'information_schema.sql_features'::regclass)";
        var systemOnSource = await PgServers.ScalarAsync<string>(db.Source, systemAcls);
        Assert.Equal("{postgres=U/postgres} {postgres=arwdDxt/postgres,=r/postgres,\"\\\"Kinds Reader\\\"=r/postgres\"}", systemOnSource);
        Assert.Equal(systemOnSource, await PgServers.ScalarAsync<string>(db.Target, systemAcls));
        // A policy's roles in the source's order (pg_dump lists them as it finds them in pg_authid).
        const string policyRoles = "SELECT polroles::regrole[]::text FROM pg_policy WHERE polname = 'Both Roles'";
        Assert.Equal("{\"\\\"Kinds Reader\\\"\",\"\\\"Kinds Lead\\\"\"}", await PgServers.ScalarAsync<string>(db.Source, policyRoles));
        Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, policyRoles), await PgServers.ScalarAsync<string>(db.Target, policyRoles));

        Assert.Contains("ALTER DEFAULT PRIVILEGES FOR ROLE", source);
        const string settings = "SELECT s.setconfig::text FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database()";
        Assert.Equal("{kinds.lang=de,default_text_search_config=pg_catalog.simple,\"search_path=\\\"$user\\\", public, \\\"Kinds ü\\\"\",work_mem=64MB}",
            await PgServers.ScalarAsync<string>(db.Target, settings));
        // A materialized view is filled under the database's settings, as in a session of the database.
        const string inSession = "SELECT lang || ' ' || words::text FROM \"Kinds ü\".in_session";
        Assert.Equal("de 'clones':1 'running':2", await PgServers.ScalarAsync<string>(db.Target, inSession));
        const string publicSchema = "SELECT nspowner::regrole::text || ' ' || nspacl::text FROM pg_namespace WHERE nspname = 'public'";
        var publicOnSource = await PgServers.ScalarAsync<string>(db.Source, publicSchema);
        Assert.StartsWith("\"Public Owner\" {\"\\\"Public Owner\\\"=UC/", publicOnSource);
        Assert.Equal(publicOnSource, await PgServers.ScalarAsync<string>(db.Target, publicSchema));

        // Rows render reg* values by the session's search_path, which the cloned database setting changed: new sessions only.
        Npgsql.NpgsqlConnection.ClearAllPools();
        var sums = await CloneKit.ChecksumsAsync(db.Source);
        var targetSums = await CloneKit.ChecksumsAsync(db.Target);
        Assert.Equal([], sums.Where(kv => targetSums.GetValueOrDefault(kv.Key) != kv.Value).Select(kv => $"{kv.Key}: {kv.Value} / {targetSums.GetValueOrDefault(kv.Key)}"));
        Assert.Equal(sums.Keys, targetSums.Keys);
        Assert.Equal("2:", sums[$"{Sql.Ident(Kinds)}.only_generated"][..2]);
        Assert.Equal("2:", sums[$"{Sql.Ident(Kinds)}.legacy"][..2]);
        Assert.Equal("1:", sums[$"{Sql.Ident(Kinds)}.measures_1"][..2]);
        // Every table of at least autovacuum_analyze_threshold rows (50) was analyzed on the target (pg_statistic, which
        // only ANALYZE writes), but not a table with a foreign table below it, which ANALYZE would read through its
        // wrapper; and no smaller table (this fixture's others), which autovacuum would never analyze either.
        const string notAnalyzed = """
            SELECT coalesce(string_agg(c.oid::regclass::text, ', ' ORDER BY 1), '') FROM pg_class c
            WHERE c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'pg_toast'::regnamespace) AND c.relkind = 'r'
              AND ((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM ONLY %s', c.oid::regclass), false, true, '')))[1]::text::int
                   >= current_setting('autovacuum_analyze_threshold')::int)
                  <> EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = c.oid)
            """;
        Assert.Equal("with_remote", await PgServers.ScalarAsync<string>(db.Target, notAnalyzed));
        // reg* values name the same objects although their oids differ between the servers.
        const string refs = "SELECT r::text FROM \"Kinds ü\".refs r ORDER BY id";
        var sourceRefs = await PgServers.RowsAsync(db.Source, refs);
        Assert.Equal(sourceRefs, await PgServers.RowsAsync(db.Target, refs));
        Assert.StartsWith("(1,items,mood,\"rev_cmp(integer,integer)\"", (string)sourceRefs[0][0]!);
        Assert.NotEqual(await PgServers.ScalarAsync<uint>(db.Source, "SELECT rel::oid FROM \"Kinds ü\".refs WHERE id = 1"),
            await PgServers.ScalarAsync<uint>(db.Target, "SELECT rel::oid FROM \"Kinds ü\".refs WHERE id = 1"));
        // The DO INSTEAD rule works on the clone: a DELETE deletes nothing.
        await PgServers.ExecAsync(db.Target, "DELETE FROM \"Kinds ü\".items");
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM \"Kinds ü\".items"));

        // Large objects: same oids, contents, owners, privileges and comments.
        const string largeObjects = "SELECT m.oid::bigint, pg_get_userbyid(m.lomowner), m.lomacl::text, obj_description(m.oid, 'pg_largeobject'), " +
                                    "md5(lo_get(m.oid)), length(lo_get(m.oid)) FROM pg_largeobject_metadata m ORDER BY m.oid";
        var sourceObjects = await PgServers.RowsAsync(db.Source, largeObjects);
        Assert.Equal(sourceObjects, await PgServers.RowsAsync(db.Target, largeObjects));
        Assert.Equal([424242L, 424243L, 424244L], sourceObjects.Select(r => (long)r[0]!));
        Assert.Equal([22, 2100000, 0], sourceObjects.Select(r => (int)r[5]!));
        Assert.Equal("a greeting", sourceObjects[0][3]);
        // A grant passed on by a holder of the grant option keeps that grantor.
        Assert.Equal("{\"\\\"Kinds Lead\\\"=rw/\\\"Kinds Lead\\\"\",\"\\\"Kinds Reader\\\"=r*/\\\"Kinds Lead\\\"\",\"=r/\\\"Kinds Reader\\\"\"}", sourceObjects[1][2]);
        Assert.Contains("=r/", (string)sourceObjects[0][2]!);

        var verify = await new TableVerifier().VerifyAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source),
            ServerEndpoint.Parse(ServerRole.Target, db.Target), new VerifyOptions { Mode = VerifyMode.Checksum });
        Assert.All(verify.Tables, t => Assert.Equal(VerifyStatus.Match, t.Status));
        Assert.Equal("foreign partitions not compared: \"Kinds ü\".remote_part", verify.Tables.Single(t => t.Table == "parted_remote").Note);
        Assert.Equal([VerifiedKind.Table, VerifiedKind.MaterializedView, VerifiedKind.Sequence, VerifiedKind.LargeObjects],
            verify.Tables.Select(t => t.Kind).Distinct().Order());
        Assert.Equal(2, verify.Tables.Single(t => t.Table == "only_generated").SourceRows);
        Assert.Equal(3, verify.Tables.Single(t => t.Table == "pg_largeobject").TargetRows);
        await PgServers.ExecAsync(db.Target, "SELECT lo_put(424243, 5, '\\x00')");
        var drift = await new TableVerifier().VerifyAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source),
            ServerEndpoint.Parse(ServerRole.Target, db.Target), new VerifyOptions { Mode = VerifyMode.Checksum });
        Assert.Equal(VerifyStatus.Mismatch, drift.Tables.Single(t => t.Table == "pg_largeobject").Status);
    }

    [Fact]
    public async Task Database_create_takes_the_source_databases_encoding_locale_limit_comment_and_grants()
    {
        var name = $"dbcreate_{Guid.NewGuid():N}"[..21];
        var sourceAdmin = fx.Servers.SourceAdmin;
        await PgServers.ExecAsync(sourceAdmin, $"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' " +
                                               "LC_COLLATE 'C' LC_CTYPE 'C' CONNECTION LIMIT 7");
        var source = PgServers.WithDatabase(sourceAdmin, name);
        await PgServers.ExecAsync(source, $"""
            COMMENT ON DATABASE {name} IS 'made to be copied';
            REVOKE TEMPORARY ON DATABASE {name} FROM PUBLIC;
            CREATE TABLE t (v text); INSERT INTO t VALUES ('é');
            ALTER DATABASE {name} SET work_mem TO '9MB';
            ALTER SCHEMA public OWNER TO CURRENT_USER;
            COMMENT ON SCHEMA public IS NULL;
            """);
        // Per-role settings in the database (pg_dump --create restores them): one role on both servers, one only on the source.
        const string everywhere = "DO $$ BEGIN CREATE ROLE \"Db Setter\"; EXCEPTION WHEN duplicate_object THEN NULL; END $$";
        await Task.WhenAll(PgServers.ExecAsync(sourceAdmin, everywhere), PgServers.ExecAsync(fx.Servers.TargetAdmin, everywhere));
        var sourceOnly = $"src_only_{name[^6..]}";
        await PgServers.ExecAsync(sourceAdmin, $"""
            CREATE ROLE {sourceOnly};
            ALTER ROLE "Db Setter" IN DATABASE {name} SET search_path TO "$user", "odd ""path";
            ALTER ROLE "Db Setter" IN DATABASE {name} SET statement_timeout TO '5min';
            ALTER ROLE {sourceOnly} IN DATABASE {name} SET work_mem TO '1MB';
            """);
        var targetName = name + "_copy";
        var target = PgServers.WithDatabase(fx.Servers.TargetAdmin, targetName);

        CloneRequest Request(bool skip) => new(CloneOperation.DatabaseCreate, ServerEndpoint.Parse(ServerRole.Source, source),
            ServerEndpoint.Parse(ServerRole.Target, target), null, null, new CloneOptions { SkipUnsupported = skip });
        var missing = $"setting work_mem of role \"{sourceOnly}\" in database \"{targetName}\": role \"{sourceOnly}\" is not on the target";

        // The role the target lacks refuses the run before the database is created; skip_unsupported lists it instead.
        var refused = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(Request(skip: false)));
        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, source).Describe()}: cannot clone {missing} " +
                     "(nothing was written; clone those roles first with a roles clone, or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(fx.Servers.TargetAdmin, $"SELECT count(*) FROM pg_database WHERE datname = '{targetName}'"));
        var result = await new CloneEngine().RunAsync(Request(skip: true));

        const string roleSettings = "SELECT string_agg(coalesce(pg_get_userbyid(NULLIF(s.setrole, 0))::text, '*') || ' ' || s.setconfig::text, '; ' ORDER BY s.setrole <> 0) " +
                                    "FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database()";
        var sourceSettings = await PgServers.ScalarAsync<string>(source, roleSettings);
        Assert.StartsWith("* {work_mem=9MB}; Db Setter {\"search_path=\\\"$user\\\", \\\"odd \\\"\\\"path\\\"\",statement_timeout=5min}", sourceSettings);
        Assert.Equal("* {work_mem=9MB}; Db Setter {\"search_path=\\\"$user\\\", \\\"odd \\\"\\\"path\\\"\",statement_timeout=5min}",
            await PgServers.ScalarAsync<string>(target, roleSettings));
        Assert.Equal([missing], result.Skipped);

        const string properties = "SELECT pg_encoding_to_char(encoding) || ' ' || datlocprovider::text || ' ' || daticulocale || ' ' || datcollate || ' ' || datctype || ' ' || " +
                                  "datconnlimit || ' ' || shobj_description(oid, 'pg_database') || ' ' || array_to_string(datacl, ',') FROM pg_database WHERE datname = current_database()";
        var expected = await PgServers.ScalarAsync<string>(source, properties);
        Assert.StartsWith("UTF8 i en-US C C 7 made to be copied ", expected);
        Assert.Equal(expected.Replace(name, targetName), await PgServers.ScalarAsync<string>(target, properties));
        Assert.Equal("é", await PgServers.ScalarAsync<string>(target, "SELECT v FROM t"));
        // Schema public owned by the cloning user (a new database gives it to pg_database_owner) and without initdb's comment: as on the source.
        const string publicSchema = "SELECT nspowner::regrole::text || ' ' || nspacl::text || ' ' || coalesce(obj_description(oid, 'pg_namespace'), 'no comment') " +
                                    "FROM pg_namespace WHERE nspname = 'public'";
        Assert.Equal("postgres {postgres=UC/postgres,=U/postgres} no comment", await PgServers.ScalarAsync<string>(source, publicSchema));
        Assert.Equal("postgres {postgres=UC/postgres,=U/postgres} no comment", await PgServers.ScalarAsync<string>(target, publicSchema));
    }

    [Fact]
    public async Task Database_create_into_a_database_that_exists_says_which_of_its_encoding_and_locale_differ_from_the_sources()
    {
        var name = $"dbkept_{Guid.NewGuid():N}"[..19];
        await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' " +
                                                          "LC_COLLATE 'C' LC_CTYPE 'C'");
        var source = PgServers.WithDatabase(fx.Servers.SourceAdmin, name);
        await PgServers.ExecAsync(source, "CREATE TABLE t (v text); INSERT INTO t VALUES ('b'), ('a')");
        var kept = name + "_latin";
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE DATABASE {kept} TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
        CloneRequest Into(string database) => new(CloneOperation.DatabaseCreate, ServerEndpoint.Parse(ServerRole.Source, source),
            ServerEndpoint.Parse(ServerRole.Target, PgServers.WithDatabase(fx.Servers.TargetAdmin, database)), null, null, new CloneOptions());

        var result = await new CloneEngine().RunAsync(Into(kept));

        Assert.Contains($"database \"{kept}\" already existed and keeps its own encoding LATIN1 (source: UTF8), locale provider libc (source: icu), " +
                        "ICU locale none (source: en-US): text sorts and compares by its rules, not the source's; drop it first, or give another " +
                        "target_name, for a database created like the source's", result.Notes);
        Assert.Equal("a,b", await PgServers.ScalarAsync<string>(PgServers.WithDatabase(fx.Servers.TargetAdmin, kept), "SELECT string_agg(v, ',' ORDER BY v) FROM t"));
        // A database created like the source's (here by the run itself) is cloned into again without a word about it.
        var created = name + "_same";
        Assert.DoesNotContain((await new CloneEngine().RunAsync(Into(created))).Notes, n => n.Contains("already existed"));
        var again = await new CloneEngine().RunAsync(Into(created) with { Options = new CloneOptions { Conflict = ConflictStrategy.Replace } });
        Assert.DoesNotContain(again.Notes, n => n.Contains("already existed"));
    }

    [Fact]
    public async Task A_SQL_ASCII_database_is_copied_byte_for_byte_with_names_comments_and_values_in_no_declared_encoding()
    {
        var name = $"ascii_{Guid.NewGuid():N}"[..20];
        await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'");
        var source = PgServers.WithDatabase(fx.Servers.SourceAdmin, name);
        // Bytes over 127 that are not UTF-8 (Latin-1's é, ÿ, à; a lone 0x80), made by the server from escapes: this
        // test's client speaks UTF-8, and the server refuses it such text (as it refused the clone's).
        await PgServers.ExecAsync(source, """
            DO $$ BEGIN
              EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, %I text, v varchar(10), j json, m int)', E'caf\xe9', E'nom\xff');
              EXECUTE format('COMMENT ON TABLE %I IS %L', E'caf\xe9', E'r\xe9sum\xe9 \x80');
              EXECUTE format('INSERT INTO %I VALUES (1, %L, %L, %L, 1), (2, NULL, %L, NULL, 2)', E'caf\xe9', E'd\xe9j\xe0', E'\xff\xfe', E'{"k": "\xe9"}', E'\x80');
              EXECUTE format('CREATE VIEW %I AS SELECT id, %L AS label FROM %I', E'vue \xe9', E'\xe9t\xe9', E'caf\xe9');
              EXECUTE format('CREATE TYPE mood AS ENUM (%L, %L)', 'ok', E'tr\xe8s bien');
              EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (v <> %L)', E'caf\xe9', E'pas \xe9', E'\xe9');
            END $$;
            """);
        var target = PgServers.WithDatabase(fx.Servers.TargetAdmin, name + "_copy");
        // The console's connection test opens it as a clone does.
        var probe = await ServerProbe.ProbeAsync(ServerEndpoint.Parse(ServerRole.Source, source), CancellationToken.None);
        Assert.True(probe.Ok, probe.Error);

        await new CloneEngine().RunAsync(new CloneRequest(CloneOperation.DatabaseCreate, ServerEndpoint.Parse(ServerRole.Source, source),
            ServerEndpoint.Parse(ServerRole.Target, target), null, null, null));

        // The names' and comments' very bytes (a UTF-8 client reads them in hex only).
        const string bytes = "SELECT pg_encoding_to_char((SELECT encoding FROM pg_database WHERE datname = current_database())) || ' ' || " +
                             "string_agg(encode(convert_to(c.relname || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '-'), 'SQL_ASCII'), 'hex'), ',' ORDER BY c.relname) " +
                             "FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')";
        // Npgsql's own start-up reads the enum labels: a UTF-8 client cannot even connect any more.
        const string byteForByte = ";Client Encoding=SQL_ASCII;Encoding=ISO-8859-1";
        var expected = await PgServers.ScalarAsync<string>(source + byteForByte, bytes);
        Assert.Equal("SQL_ASCII 636166e92072e973756de92080,76756520e9202d", expected);
        Assert.Equal(expected, await PgServers.ScalarAsync<string>(target + byteForByte, bytes));
        CloneKit.SameDump(await CloneKit.DumpAsync(source), await CloneKit.DumpAsync(target));
        // The clone's enum label refuses a UTF-8 start-up on the target too: testing it as a target connection works.
        var targetProbe = await ServerProbe.ProbeAsync(ServerEndpoint.Parse(ServerRole.Target, target), CancellationToken.None);
        Assert.True(targetProbe.Ok, targetProbe.Error);
        var verify = await new TableVerifier().VerifyAsync(ServerEndpoint.Parse(ServerRole.Source, source),
            ServerEndpoint.Parse(ServerRole.Target, target), new VerifyOptions { Mode = VerifyMode.Checksum });
        Assert.Equal([("caf\u00e9", VerifyStatus.Match, 2L)], verify.Tables.Where(t => t.Kind == VerifiedKind.Table).Select(t => (t.Table, t.Status, t.TargetRows)));

        // Into a UTF8 database, its bytes arrive as they are, as a restore of pg_dump's output sends them: Latin-1's è
        // is not UTF-8 and fails the run, naming the object and the bytes, before any table is made.
        var intoUtf8 = PgServers.WithDatabase(fx.Servers.TargetAdmin, name + "_u8");
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE DATABASE {name}_u8 TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
        var refused = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(new CloneRequest(CloneOperation.Database,
            ServerEndpoint.Parse(ServerRole.Source, source), ServerEndpoint.Parse(ServerRole.Target, intoUtf8), null, null, null)));
        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Target, intoUtf8).Describe()}: type \"public\".\"mood\": invalid byte sequence for encoding \"UTF8\": 0xe8 0x73 0x20", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(intoUtf8, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));

        // The same name made again in UTF8 (a console runs for months): read as UTF-8 again, not byte for byte.
        Npgsql.NpgsqlConnection.ClearAllPools();
        await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"DROP DATABASE {name} WITH (FORCE)");
        await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
        await PgServers.ExecAsync(source, "CREATE TABLE \"été\" (v text); INSERT INTO \"été\" VALUES ('€')");
        var utf8Target = PgServers.WithDatabase(fx.Servers.TargetAdmin, name + "_utf8");
        await new CloneEngine().RunAsync(new CloneRequest(CloneOperation.DatabaseCreate, ServerEndpoint.Parse(ServerRole.Source, source),
            ServerEndpoint.Parse(ServerRole.Target, utf8Target), null, null, null));
        Assert.Equal("UTF8 c3a974c3a9 e282ac", await PgServers.ScalarAsync<string>(utf8Target,
            "SELECT pg_encoding_to_char((SELECT encoding FROM pg_database WHERE datname = current_database())) || ' ' || " +
            "encode(convert_to(relname, 'UTF8'), 'hex') || ' ' || (SELECT encode(convert_to(v, 'UTF8'), 'hex') FROM \"été\") FROM pg_class WHERE relname = 'été'"));
    }

    [Fact]
    public async Task A_LATIN1_database_goes_to_UTF8_verified_alike_and_names_the_target_encoding_cannot_hold_are_refused_before_writing()
    {
        var name = $"lat1_{Guid.NewGuid():N}"[..20];
        await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
        foreach (var db in new[] { name, name + "_2" })
            await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE DATABASE {db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
        var source = ServerEndpoint.Parse(ServerRole.Source, PgServers.WithDatabase(fx.Servers.SourceAdmin, name));
        var target = ServerEndpoint.Parse(ServerRole.Target, PgServers.WithDatabase(fx.Servers.TargetAdmin, name));
        await PgServers.ExecAsync(source.ConnectionString, """
            CREATE TABLE "café" (id int PRIMARY KEY, v text, c char(4));
            INSERT INTO "café" VALUES (1, 'déjà vu', 'ñ'), (2, 'ÿ', NULL), (3, 'plain', 'x');
            """);

        var result = await new CloneEngine().RunAsync(new CloneRequest(CloneOperation.Database, source, target, null, null, null));
        Assert.Contains($"database \"{name}\" has its own encoding UTF8 (source: LATIN1): text sorts and compares by its rules, not the source's; " +
                        "database-create makes a database like the source's", result.Notes);

        // The same characters, in other bytes on each side, hash alike; one changed character does not.
        async Task<(string, VerifyStatus)> VerifyAsync() => (await new TableVerifier().VerifyAsync(source, target, new VerifyOptions { Mode = VerifyMode.Checksum }))
            .Tables.Select(t => (t.Table, t.Status)).Single();
        Assert.Equal(("café", VerifyStatus.Match), await VerifyAsync());
        await PgServers.ExecAsync(target.ConnectionString, "UPDATE \"café\" SET v = 'deja vu' WHERE id = 1");
        Assert.Equal(("café", VerifyStatus.Mismatch), await VerifyAsync());

        // 63 characters é: 63 bytes in LATIN1, 126 in UTF8, where the server would cut the name to 31 of them.
        var tooLong = new string('é', 63);
        await PgServers.ExecAsync(source.ConnectionString, $"CREATE TABLE \"{tooLong}\" (id int); INSERT INTO \"{tooLong}\" VALUES (1)");
        var into = ServerEndpoint.Parse(ServerRole.Target, PgServers.WithDatabase(fx.Servers.TargetAdmin, name + "_2"));
        var refused = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(new CloneRequest(CloneOperation.Database, source, into, null, null, null)));
        Assert.Equal($"{into.Describe()}: table \"public\".\"{tooLong}\": the name \"{tooLong}\" is 126 bytes in the target database's encoding UTF8 (the source's is LATIN1), " +
                     "more than the 63 PostgreSQL keeps of a name: it would be cut short (nothing was changed; rename it on the source, or clone into a database of encoding LATIN1)",
            refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(into.ConnectionString, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));

        // The other way, a character LATIN1 has no equivalent for.
        var back = ServerEndpoint.Parse(ServerRole.Target, PgServers.WithDatabase(fx.Servers.SourceAdmin, name));
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE DATABASE {name}_u8 TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
        var utf8 = ServerEndpoint.Parse(ServerRole.Source, PgServers.WithDatabase(fx.Servers.TargetAdmin, name + "_u8"));
        await PgServers.ExecAsync(utf8.ConnectionString, "CREATE TABLE \"€uro\" (id int); INSERT INTO \"€uro\" VALUES (1)");
        var noEquivalent = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(new CloneRequest(CloneOperation.Table, utf8, back, "public", "€uro", null)));
        Assert.Equal($"{back.Describe()}: table \"public\".\"€uro\": the name \"€uro\" has a character the target database's encoding LATIN1 has no equivalent for (the source's is UTF8) " +
                     "(nothing was changed; rename it on the source, or clone into a database of encoding UTF8)", noEquivalent.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(back.ConnectionString, "SELECT count(*) FROM pg_class WHERE relname LIKE '%uro'"));
        // A value: found only as its row arrives (the server names the character), and said what to do; the table goes with its failed load.
        await PgServers.ExecAsync(utf8.ConnectionString, "CREATE TABLE prices (id int, label text); INSERT INTO prices VALUES (1, 'five'), (2, 'five €')");
        var value = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(new CloneRequest(CloneOperation.Table, utf8, back, "public", "prices", null)));
        Assert.Equal($"{back.Describe()}: table \"public\".\"prices\": character with byte sequence 0xe2 0x82 0xac in encoding \"UTF8\" has no equivalent in " +
                     "encoding \"LATIN1\": a value of the table has a character the target database's encoding cannot hold; clone into a database whose encoding " +
                     "holds it (database-create makes one in the source's encoding), or change such values on the source", value.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(back.ConnectionString, "SELECT count(*) FROM pg_class WHERE relname = 'prices'"));
    }

    [Fact]
    public async Task A_SQL_ASCII_database_holding_UTF8_goes_to_a_UTF8_database_with_its_names_and_roles_encoded_once()
    {
        var name = $"ascii8_{Guid.NewGuid():N}"[..20];
        var role = $"r\u00f4le_{Guid.NewGuid():N}"[..16];
        await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'");
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
        var source = PgServers.WithDatabase(fx.Servers.SourceAdmin, name);
        var target = PgServers.WithDatabase(fx.Servers.TargetAdmin, name);
        // What most SQL_ASCII databases hold: UTF-8 written by UTF-8 clients, which the server stores unchecked.
        await PgServers.ExecAsync(source, $$"""
            CREATE ROLE "{{role}}";
            CREATE TABLE "café" (id int PRIMARY KEY, v text DEFAULT 'déjà', w varchar(3) CHECK (w <> 'ñ'));
            COMMENT ON TABLE "café" IS 'résumé';
            INSERT INTO "café" VALUES (1, '€ ü', 'ñandú'::varchar(3)), (2, DEFAULT, NULL);
            CREATE VIEW "vue été" AS SELECT id, 'Ωmega' AS label FROM "café";
            GRANT SELECT ON "café" TO "{{role}}";
            CREATE SCHEMA "données";
            CREATE TABLE "données".t (x text);
            INSERT INTO "données".t VALUES ('ü');
            """);
        try
        {
            await new RoleCloner().CloneAsync(ServerEndpoint.Parse(ServerRole.Source, source), ServerEndpoint.Parse(ServerRole.Target, target),
                new RoleCloneOptions { Roles = [role], NoPasswords = true });
            await new CloneEngine().RunAsync(new CloneRequest(CloneOperation.Database, ServerEndpoint.Parse(ServerRole.Source, source),
                ServerEndpoint.Parse(ServerRole.Target, target), null, null, null));

            const string read = """
                SELECT string_agg(x, ' | ' ORDER BY x) FROM (
                    SELECT c.relname || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '-') AS x FROM pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
                    UNION ALL SELECT string_agg(id || ' ' || v || ' ' || coalesce(w, '-'), ', ' ORDER BY id) FROM "café"
                    UNION ALL SELECT string_agg(label, ',') FROM "vue été"
                    UNION ALL SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = '"café"'::regclass
                    UNION ALL SELECT grantee || ' ' || privilege_type FROM information_schema.role_table_grants WHERE table_name = 'café' AND grantee LIKE 'r%') y
                """;
            Assert.Equal($"'déjà'::text | 1 € ü ña, 2 déjà - | café résumé | {role} SELECT | vue été - | Ωmega,Ωmega", await PgServers.ScalarAsync<string>(target, read));
            Assert.Equal($"{role} 1", await PgServers.ScalarAsync<string>(target, $"SELECT rolname || ' ' || count(*) OVER () FROM pg_roles WHERE rolname = '{role}'"));
            // diff and verify read both sides alike.
            var (from, to) = (ServerEndpoint.Parse(ServerRole.Source, source), ServerEndpoint.Parse(ServerRole.Target, target));
            Assert.True((await new SchemaDiffer().DiffAsync(from, to, "public")).InSync);
            Assert.True((await new SchemaDiffer().DiffAsync(from, to, "données")).InSync);
            var inSchema = await new TableVerifier().VerifyAsync(from, to, new VerifyOptions { Mode = VerifyMode.Checksum, Schema = "données" });
            Assert.Equal([("t", VerifyStatus.Match, 1L)], inSchema.Tables.Select(t => (t.Table, t.Status, t.TargetRows)));
            var verify = await new TableVerifier().VerifyAsync(from, to, new VerifyOptions { Mode = VerifyMode.Checksum, Schema = "public" });
            Assert.Equal([("caf\u00c3\u00a9", VerifyStatus.Match, 2L)], verify.Tables.Where(t => t.Kind == VerifiedKind.Table).Select(t => (t.Table, t.Status, t.TargetRows)));

            // What the user types (a table's name, a filter's literal, a new name) means the same characters.
            await new CloneEngine().RunAsync(new CloneRequest(CloneOperation.Table, ServerEndpoint.Parse(ServerRole.Source, source),
                ServerEndpoint.Parse(ServerRole.Target, target), "public", "café", CloneOptions.Parse("""{"where": "v = '€ ü'", "target_name": "copié"}""")));
            Assert.Equal("1 € ü ña", await PgServers.ScalarAsync<string>(target, "SELECT string_agg(id || ' ' || v || ' ' || w, ',') FROM \"copié\""));
            // A name picked from a list the console read on such a source is as that session reads it: taken as given.
            await new CloneEngine().RunAsync(new CloneRequest(CloneOperation.Table, ServerEndpoint.Parse(ServerRole.Source, source),
                ServerEndpoint.Parse(ServerRole.Target, target), "public", "caf\u00c3\u00a9", CloneOptions.Parse("""{"columns": ["id", "v"], "target_name": "picked"}""")));
            Assert.Equal("1 € ü,2 déjà", await PgServers.ScalarAsync<string>(target, "SELECT string_agg(id || ' ' || v, ',' ORDER BY id) FROM picked"));
            Assert.True((await new SchemaDiffer().DiffAsync(ServerEndpoint.Parse(ServerRole.Source, source), ServerEndpoint.Parse(ServerRole.Target, target), "donn\u00c3\u00a9es")).InSync);
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"DROP DATABASE {name} WITH (FORCE); DROP ROLE \"{role}\"");
            await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"DROP DATABASE {name} WITH (FORCE); DROP ROLE IF EXISTS \"{role}\"");
        }
    }

    [Fact]
    public async Task Diff_reports_each_kind_removed_from_the_clone()
    {
        var db = await fx.Servers.CreateDatabasesAsync("kindsdiff");
        await CloneKit.LoadAsync(db.Source, "allkinds.sql");
        await CloneKit.CloneAsync(db, CloneOperation.Database);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source);
        var target = ServerEndpoint.Parse(ServerRole.Target, db.Target);
        Assert.True((await new SchemaDiffer().DiffAsync(source, target, Kinds)).InSync);

        foreach (var (category, name, drop) in new[]
        {
            // Comments on objects without a schema of their own (their table's, or a cast's types'), before those go.
            ("comments", "rule \"Keep Items\" on \"Kinds ü\".items", "COMMENT ON RULE \"Keep Items\" ON \"Kinds ü\".items IS NULL"),
            ("comments", "trigger \"Off\" on \"Kinds ü\".guarded", "COMMENT ON TRIGGER \"Off\" ON \"Kinds ü\".guarded IS NULL"),
            ("comments", "policy \"Own Rows\" on \"Kinds ü\".guarded", "COMMENT ON POLICY \"Own Rows\" ON \"Kinds ü\".guarded IS NULL"),
            ("comments", "cast (integer AS \"Kinds ü\".mood)", "COMMENT ON CAST (integer AS \"Kinds ü\".mood) IS NULL"),
            ("aggregates", "Sum Ints(integer)", "DROP AGGREGATE \"Kinds ü\".\"Sum Ints\"(integer) CASCADE"),
            ("operators", "\"Kinds ü\".!!(NONE,bigint)", "DROP OPERATOR \"Kinds ü\".!! (NONE, bigint)"),
            ("operator_classes", "box_ops2 USING gist", "DROP OPERATOR CLASS \"Kinds ü\".box_ops2 USING gist CASCADE"),
            ("operator_families", "Fam ily USING hash", "DROP OPERATOR FAMILY \"Kinds ü\".\"Fam ily\" USING hash CASCADE"),
            ("text_search", "configuration English Copy", "DROP TEXT SEARCH CONFIGURATION \"Kinds ü\".\"English Copy\""),
            ("conversions", "My Conv", "DROP CONVERSION \"Kinds ü\".\"My Conv\""),
            ("casts", "\"Kinds ü\".mood AS bigint", "DROP CAST (\"Kinds ü\".mood AS bigint)"),
            ("rules", "items.Keep Items", "DROP RULE \"Keep Items\" ON \"Kinds ü\".items"),
            ("foreign_tables", "remote", "DROP FOREIGN TABLE \"Kinds ü\".remote"),
            ("publications", "pub_cols", "DROP PUBLICATION pub_cols"),
            ("event_triggers", "Kinds DDL", "DROP EVENT TRIGGER \"Kinds DDL\""),
            ("foreign_servers", "user mapping public server Srv 1", "DROP USER MAPPING FOR PUBLIC SERVER \"Srv 1\""),
            ("access_methods", "my_btree", "DROP ACCESS METHOD my_btree"),
            ("types", "Shell Only", "DROP TYPE \"Kinds ü\".\"Shell Only\""),
            ("types", "Int 42", "DROP TYPE \"Kinds ü\".\"Int 42\" CASCADE"),
            ("policies", "guarded.Own Rows", "DROP POLICY \"Own Rows\" ON \"Kinds ü\".guarded"),
            ("statistics", "Guarded Stats", "DROP STATISTICS \"Kinds ü\".\"Guarded Stats\""),
            ("statistics", "Item Name Stats", "DROP STATISTICS \"Kinds ü\".\"Item Name Stats\""),
            ("comments", "table constraint \"Row OK\" on \"Kinds ü\".checked_rows", "COMMENT ON CONSTRAINT \"Row OK\" ON \"Kinds ü\".checked_rows IS NULL"),
            ("collations", "Case Free", "DROP COLLATION \"Kinds ü\".\"Case Free\" CASCADE"),
        })
        {
            await PgServers.ExecAsync(db.Target, drop);
            var diff = await new SchemaDiffer().DiffAsync(source, target, Kinds);
            var reported = diff.Categories.Single(c => c.Category == category);
            Assert.True(reported.OnlyInSource.Contains(name), $"{category}: {name} not reported; only in source: {string.Join(", ", reported.OnlyInSource)}");
        }
        // Default privileges, for the schema and database-wide: one revoked back to the built-in default is gone, one
        // changed is modified.
        await PgServers.ExecAsync(db.Target, """
            ALTER DEFAULT PRIVILEGES IN SCHEMA "Kinds ü" REVOKE SELECT ON TABLES FROM PUBLIC;
            ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
            ALTER DEFAULT PRIVILEGES REVOKE USAGE ON TYPES FROM PUBLIC;
            """);
        var privileges = (await new SchemaDiffer().DiffAsync(source, target, Kinds)).Categories.Single(c => c.Category == "default_privileges");
        Assert.Contains(privileges.OnlyInSource, n => n.StartsWith("for role ", StringComparison.Ordinal) && n.EndsWith(" in schema \"Kinds ü\" on tables", StringComparison.Ordinal));
        Assert.Contains(privileges.OnlyInSource, n => n.EndsWith(" on functions", StringComparison.Ordinal) && !n.Contains(" in schema "));
        Assert.Contains(privileges.OnlyInTarget, n => n.EndsWith(" on types", StringComparison.Ordinal));
        // Owners and grants: a function's, a server's, a large object's and a table's column's changed are modified; a
        // grant made and revoked again is the built-in default, no drift.
        await PgServers.ExecAsync(db.Target, """
            REVOKE SELECT (name) ON "Kinds ü".customer FROM PUBLIC;
            REVOKE EXECUTE ON FUNCTION "Kinds ü".twice(bigint) FROM PUBLIC;
            REVOKE USAGE ON FOREIGN SERVER "Srv 1" FROM PUBLIC;
            REVOKE SELECT ON LARGE OBJECT 424242 FROM PUBLIC;
            GRANT UPDATE ON "Kinds ü".guarded TO PUBLIC; REVOKE UPDATE ON "Kinds ü".guarded FROM PUBLIC;
            """);
        var owned = (await new SchemaDiffer().DiffAsync(source, target, Kinds)).Categories.Single(c => c.Category == "privileges");
        Assert.Equal(["function \"Kinds ü\".twice(bigint)", "large object 424242", "server \"Srv 1\"", "table \"Kinds ü\".customer"],
            owned.Modified.Select(m => m.Name));
        Assert.Matches("^OWNER (\\S+) ACL =X/\\1,\\1=X/\\1$", owned.Modified[0].Source);
        Assert.Matches("^OWNER (\\S+) ACL \\1=X/\\1$", owned.Modified[0].Target);
        Assert.Matches("^OWNER (\\S+) ACL =r/\\1,\\1=rw/\\1$", owned.Modified[1].Source);
        Assert.Matches("^OWNER (\\S+) ACL \\1=rw/\\1$", owned.Modified[1].Target);
        Assert.Matches("^OWNER (\\S+) ACL (\\S+) COLUMNS \\(tableoid =r/\\1, ctid =r/\\1, name =r/\\1\\)$", owned.Modified[3].Source);
        Assert.Matches("^OWNER (\\S+) ACL (\\S+) COLUMNS \\(tableoid =r/\\1, ctid =r/\\1\\)$", owned.Modified[3].Target);
        Assert.True((await new SchemaDiffer { Privileges = false }.DiffAsync(source, target, Kinds)).Categories.All(c => c.Category != "privileges"));
        // A trigger switched back on, a table whose row security is no longer forced, and one whose column took its
        // parent's compression (as INHERITS gives it) are modified.
        await PgServers.ExecAsync(db.Target, """
            ALTER TABLE "Kinds ü".guarded ENABLE TRIGGER "Off", NO FORCE ROW LEVEL SECURITY;
            ALTER TABLE "Kinds ü".stored_child ALTER COLUMN t SET COMPRESSION pglz;
            """);
        var changed = await new SchemaDiffer().DiffAsync(source, target, Kinds);
        Assert.Equal(["guarded.Off"], changed.Categories.Single(c => c.Category == "triggers").Modified.Select(m => m.Name));
        var tables = changed.Categories.Single(c => c.Category == "tables").Modified;
        Assert.Contains("guarded", tables.Select(m => m.Name));
        var storedChild = tables.Single(m => m.Name == "stored_child");
        Assert.EndsWith("INHERITS (\"Kinds ü\".stored_base)", storedChild.Source);
        Assert.EndsWith("INHERITS (\"Kinds ü\".stored_base) COLUMNS (t COMPRESSION pglz)", storedChild.Target);
    }

    [Fact]
    public async Task An_extension_at_another_version_than_the_default_is_created_at_the_sources_and_one_the_target_lacks_refuses_the_run()
    {
        var db = await fx.Servers.CreateDatabasesAsync("extversion");
        await PgServers.ExecAsync(db.Source, "CREATE EXTENSION intarray WITH VERSION '1.3'");
        const string members = "SELECT extversion || ': ' || (SELECT count(*) FROM pg_depend d WHERE d.refclassid = 'pg_extension'::regclass " +
                               "AND d.refobjid = e.oid AND d.deptype = 'e') FROM pg_extension e WHERE extname = 'intarray'";

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        var source = await PgServers.ScalarAsync<string>(db.Source, members);
        Assert.StartsWith("1.3: ", source);
        Assert.Equal(source, await PgServers.ScalarAsync<string>(db.Target, members));

        // A version no script of the target makes (the source's catalog is made to claim one).
        var gone = await fx.Servers.CreateDatabasesAsync("extversion_gone");
        await PgServers.ExecAsync(gone.Source, "CREATE EXTENSION intarray; UPDATE pg_extension SET extversion = '0.9' WHERE extname = 'intarray'");
        const string problem = "extension \"intarray\": version 0.9 (the source's) is not available on the target server, which has 1.5 by default";
        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(gone, CloneOperation.Database));
        Assert.Contains(problem, refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(gone.Target, "SELECT count(*) FROM pg_extension WHERE extname = 'intarray'"));

        var result = await CloneKit.CloneAsync(gone, CloneOperation.Database, options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal([problem + "; created at 1.5"], result.Skipped);
        Assert.Equal("1.5", await PgServers.ScalarAsync<string>(gone.Target, "SELECT extversion FROM pg_extension WHERE extname = 'intarray'"));
    }

    [Fact]
    public async Task Database_create_refused_before_writing_leaves_no_database_behind()
    {
        var name = $"dbrefused_{Guid.NewGuid():N}"[..22];
        await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"CREATE DATABASE {name}");
        var source = PgServers.WithDatabase(fx.Servers.SourceAdmin, name);
        var library = Path.Combine(Path.GetTempPath(), $"pgclone_gone_{Guid.NewGuid():N}.so");
        File.Copy("/usr/lib/postgresql/15/lib/plpgsql.so", library);
        try { await PgServers.ExecAsync(source, $"CREATE TABLE t (id int); CREATE FUNCTION native() RETURNS language_handler LANGUAGE c AS {Sql.Literal(library)}, 'plpgsql_call_handler'"); }
        finally { File.Delete(library); }
        var copy = name + "_copy";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(new CloneRequest(CloneOperation.DatabaseCreate,
            ServerEndpoint.Parse(ServerRole.Source, source), ServerEndpoint.Parse(ServerRole.Target, PgServers.WithDatabase(fx.Servers.TargetAdmin, copy)), null, null, null)));

        Assert.Contains($"function \"public\".\"native\"(): its library {library} is not on the target server", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(fx.Servers.TargetAdmin, $"SELECT count(*) FROM pg_database WHERE datname = '{copy}'"));
    }

    [Fact]
    public async Task A_function_whose_library_the_target_lacks_refuses_the_run_unless_skipped()
    {
        var db = await fx.Servers.CreateDatabasesAsync("unsupported");
        // A C function loads its library when created: give the source one that is gone by the time of the clone.
        var library = Path.Combine(Path.GetTempPath(), $"pgclone_gone_{Guid.NewGuid():N}.so");
        var segments = Path.Combine(Path.GetTempPath(), $"pgclone_gone_{Guid.NewGuid():N}.so");
        File.Copy("/usr/lib/postgresql/15/lib/plpgsql.so", library);
        File.Copy("/usr/lib/postgresql/15/lib/seg.so", segments);
        try
        {
            // What depends on those functions goes with them: a base type on them, a table and a cast using the
            // type, a view over the table, a trigger calling one, an index, statistics and a policy on one, the
            // left-out table's place in a publication, an event trigger calling one (disabled: it cannot run here); an
            // operator class on one, the index and the exclusion constraint using the class, a foreign key referencing that index.
            await PgServers.ExecAsync(db.Source, $"""
                CREATE SCHEMA lib;
                CREATE TABLE lib.t (id int);
                CREATE FUNCTION lib."Native"() RETURNS language_handler LANGUAGE c AS {Sql.Literal(library)}, 'plpgsql_call_handler';
                CREATE FUNCTION lib.fires() RETURNS trigger LANGUAGE c AS {Sql.Literal(library)}, 'plpgsql_call_handler';
                CREATE TRIGGER "On T" BEFORE INSERT ON lib.t FOR EACH ROW EXECUTE FUNCTION lib.fires();
                CREATE TYPE lib.seg;
                CREATE FUNCTION lib.seg_in(cstring) RETURNS lib.seg LANGUAGE c IMMUTABLE STRICT AS {Sql.Literal(segments)}, 'seg_in';
                CREATE FUNCTION lib.seg_out(lib.seg) RETURNS cstring LANGUAGE c IMMUTABLE STRICT AS {Sql.Literal(segments)}, 'seg_out';
                CREATE TYPE lib.seg (INTERNALLENGTH = 12, INPUT = lib.seg_in, OUTPUT = lib.seg_out);
                CREATE TABLE lib.ranges (id int, r lib.seg);
                CREATE VIEW lib.range_ids AS SELECT id FROM lib.ranges;
                CREATE CAST (lib.seg AS text) WITH INOUT;
                CREATE FUNCTION lib.plain() RETURNS int LANGUAGE sql AS 'SELECT 1';
                CREATE FUNCTION lib.id_of(int) RETURNS int LANGUAGE c IMMUTABLE STRICT AS {Sql.Literal(segments)}, 'seg_size';
                CREATE INDEX "By Native" ON lib.t (lib.id_of(id));
                CREATE INDEX t_id ON lib.t (id);
                CREATE STATISTICS lib."Stat Native" ON (lib.id_of(id)), id FROM lib.t;
                ALTER TABLE lib.t ENABLE ROW LEVEL SECURITY;
                CREATE POLICY "Only Native" ON lib.t USING (lib.id_of(id) > 0);
                COMMENT ON POLICY "Only Native" ON lib.t IS 'left out with its function';
                CREATE PUBLICATION "Pub Lib" FOR TABLE lib.ranges, lib.t;
                CREATE FUNCTION lib.cmp_gone(int, int) RETURNS int LANGUAGE c IMMUTABLE STRICT AS {Sql.Literal(segments)}, 'seg_cmp';
                CREATE OPERATOR CLASS lib.int_gone FOR TYPE int USING btree AS
                    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 lib.cmp_gone(int, int);
                CREATE TABLE lib.keyed (id int, CONSTRAINT "Keyed Excl" EXCLUDE USING btree (id lib.int_gone WITH =));
                CREATE UNIQUE INDEX keyed_id ON lib.keyed (id lib.int_gone);
                CREATE TABLE lib.refs (keyed_id int CONSTRAINT "Refs Keyed" REFERENCES lib.keyed (id), t_id int);
                CREATE FUNCTION lib.on_ddl() RETURNS event_trigger LANGUAGE c AS {Sql.Literal(library)}, 'plpgsql_call_handler';
                CREATE EVENT TRIGGER "Ev Native" ON ddl_command_start EXECUTE FUNCTION lib.on_ddl();
                ALTER EVENT TRIGGER "Ev Native" DISABLE;
                """);
        }
        finally { File.Delete(library); File.Delete(segments); }

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "lib"));
        Assert.Contains($"function \"lib\".\"Native\"(): its library {library} is not on the target server", refused.Message);
        Assert.Contains("nothing was written; set \"skip_unsupported\": true", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'lib'"));

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "lib", options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal(
        [
            $"function \"lib\".\"Native\"(): its library {library} is not on the target server",
            $"function \"lib\".\"cmp_gone\"(integer, integer): its library {segments} is not on the target server",
            $"function \"lib\".\"fires\"(): its library {library} is not on the target server",
            $"function \"lib\".\"id_of\"(integer): its library {segments} is not on the target server",
            $"function \"lib\".\"on_ddl\"(): its library {library} is not on the target server",
            $"function \"lib\".\"seg_in\"(cstring): its library {segments} is not on the target server",
            $"function \"lib\".\"seg_out\"(lib.seg): its library {segments} is not on the target server",
            "type \"lib\".\"seg\": depends on function \"lib\".\"seg_in\"(cstring), which is not cloned",
            "table \"lib\".\"ranges\": depends on type \"lib\".\"seg\", which is not cloned",
            "view \"lib\".\"range_ids\": depends on table \"lib\".\"ranges\", which is not cloned",
            "operator class \"lib\".\"int_gone\" USING \"btree\": depends on function \"lib\".\"cmp_gone\"(integer, integer), which is not cloned",
            "cast (lib.seg AS text): depends on type \"lib\".\"seg\", which is not cloned",
            "constraint \"Keyed Excl\" on \"lib\".\"keyed\": depends on operator class \"lib\".\"int_gone\" USING \"btree\", which is not cloned",
            "index \"lib\".\"keyed_id\": depends on operator class \"lib\".\"int_gone\" USING \"btree\", which is not cloned",
            "index \"lib\".\"By Native\": depends on function \"lib\".\"id_of\"(integer), which is not cloned",
            "foreign key \"Refs Keyed\" on \"lib\".\"refs\": depends on index \"lib\".\"keyed_id\", which is not cloned",
            "trigger \"On T\" on \"lib\".\"t\": depends on function \"lib\".\"fires\"(), which is not cloned",
            "statistics \"lib\".\"Stat Native\": depends on function \"lib\".\"id_of\"(integer), which is not cloned",
            "policy \"Only Native\" on \"lib\".\"t\": depends on function \"lib\".\"id_of\"(integer), which is not cloned",
        ], result.Skipped);
        Assert.Equal("keyed,refs,t,t_id", await PgServers.ScalarAsync<string>(db.Target, "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'lib'::regnamespace"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_constraint WHERE connamespace = 'lib'::regnamespace"));
        Assert.Equal("plain", await PgServers.ScalarAsync<string>(db.Target, "SELECT string_agg(proname, ',') FROM pg_proc WHERE pronamespace = 'lib'::regnamespace"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_type WHERE typnamespace = 'lib'::regnamespace AND typname = 'seg'"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT (SELECT count(*) FROM pg_policy) + (SELECT count(*) FROM pg_statistic_ext)"));

        // A database clone also leaves out the event trigger and the left-out table's place in the publication.
        var whole = db with { Target = PgServers.WithDatabase(fx.Servers.TargetAdmin, db.Name + "_whole") };
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE DATABASE {db.Name}_whole");
        var database = await CloneKit.CloneAsync(whole, CloneOperation.Database, options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal(
        [
            "ONLY lib.ranges in publication \"Pub Lib\": depends on type \"lib\".\"seg\", which is not cloned",
            "event trigger \"Ev Native\": depends on function \"lib\".\"on_ddl\"(), which is not cloned",
        ], database.Skipped.Where(s => s.Contains("publication") || s.StartsWith("event trigger")));
        Assert.Equal("lib.t", await PgServers.ScalarAsync<string>(whole.Target, "SELECT string_agg(schemaname || '.' || tablename, ',') FROM pg_publication_tables"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(whole.Target, "SELECT count(*) FROM pg_event_trigger"));
    }

    [Fact]
    public async Task A_language_made_with_create_language_and_transforms_are_cloned()
    {
        var db = await fx.Servers.CreateDatabasesAsync("userlang");
        const string reader = "DO $$ BEGIN CREATE ROLE \"Lang User\"; EXCEPTION WHEN duplicate_object THEN NULL; END $$";
        await Task.WhenAll(PgServers.ExecAsync(fx.Servers.SourceAdmin, reader), PgServers.ExecAsync(fx.Servers.TargetAdmin, reader));
        await PgServers.ExecAsync(db.Source, """
            CREATE TRUSTED LANGUAGE "My pl" HANDLER plpgsql_call_handler INLINE plpgsql_inline_handler VALIDATOR plpgsql_validator;
            COMMENT ON LANGUAGE "My pl" IS 'plpgsql by another name';
            REVOKE USAGE ON LANGUAGE "My pl" FROM PUBLIC;
            GRANT USAGE ON LANGUAGE "My pl" TO "Lang User";
            CREATE SCHEMA lib;
            CREATE TABLE lib.t (id int);
            CREATE FUNCTION lib."One"() RETURNS int LANGUAGE "My pl" AS 'BEGIN RETURN 1; END';
            CREATE FUNCTION lib.two() RETURNS int LANGUAGE sql AS 'SELECT 2';
            CREATE TYPE lib.pair AS (a int, b int);
            CREATE TRANSFORM FOR lib.pair LANGUAGE "My pl" (FROM SQL WITH FUNCTION pg_catalog.gtsvector_decompress(internal));
            COMMENT ON TRANSFORM FOR lib.pair LANGUAGE "My pl" IS 'pairs';
            CREATE TRANSFORM FOR integer LANGUAGE sql (FROM SQL WITH FUNCTION pg_catalog.prsd_lextype(internal), TO SQL WITH FUNCTION pg_catalog.int4recv(internal));
            CREATE FUNCTION lib.pairs(lib.pair) RETURNS int LANGUAGE "My pl" TRANSFORM FOR TYPE lib.pair AS 'BEGIN RETURN 3; END';
            CREATE TYPE lib.word;
            CREATE FUNCTION lib.word_in(cstring) RETURNS lib.word LANGUAGE internal IMMUTABLE STRICT AS 'textin';
            CREATE FUNCTION lib.word_out(lib.word) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
            CREATE TYPE lib.word (INPUT = lib.word_in, OUTPUT = lib.word_out, LIKE = text);
            """);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Database);

        Assert.Empty(result.Skipped);
        var source = await CloneKit.DumpAsync(db.Source);
        foreach (var expected in new[]
        {
            "CREATE OR REPLACE PROCEDURAL LANGUAGE \"My pl\"", "GRANT ALL ON LANGUAGE \"My pl\" TO \"Lang User\"", "COMMENT ON LANGUAGE \"My pl\"",
            "CREATE TRANSFORM FOR lib.pair LANGUAGE \"My pl\"", "CREATE TRANSFORM FOR integer LANGUAGE sql", "TRANSFORM FOR TYPE lib.pair",
            "CREATE TYPE lib.word (",
        })
            Assert.Contains(expected, source);
        CloneKit.SameDump(source, await CloneKit.DumpAsync(db.Target));
        Assert.Equal(1, await PgServers.ScalarAsync<int>(db.Target, "SELECT lib.\"One\"()"));
        // pg_dump prints such a language without its handlers; the clone has them.
        const string language = "SELECT concat_ws(' ', lanpltrusted, lanplcallfoid::regproc, laninline::regproc, lanvalidator::regproc) FROM pg_language WHERE lanname = 'My pl'";
        Assert.Equal("t plpgsql_call_handler plpgsql_inline_handler plpgsql_validator", await PgServers.ScalarAsync<string>(db.Target, language));
    }
}
