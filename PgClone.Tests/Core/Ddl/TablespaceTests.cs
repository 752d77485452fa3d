using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>
/// Tables, indexes, keys' indexes and materialized views in a tablespace go into the target's tablespace of that
/// name; when the target has none, planning refuses naming each, or with skip_unsupported they go into the default.
/// </summary>
public sealed class TablespaceTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Placement = """
        SELECT string_agg(c.relname || ' ' || coalesce(ts.spcname, '-'), ', ' ORDER BY c.relname)
        FROM pg_class c LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
        WHERE c.relnamespace = 'app'::regnamespace AND c.relkind IN ('r', 'p', 'i', 'I', 'm')
        """;

    [Fact]
    public async Task Relations_keep_their_tablespace_and_a_target_without_it_refuses_unless_skipped()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tblspc");
        // Tablespace names are the server's: one per test run, made on both servers in a directory of each.
        var space = $"Fast ts {Guid.NewGuid():N}"[..16];
        await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"CREATE TABLESPACE {Sql.Ident(space)} LOCATION {Sql.Literal(await fx.Servers.NewServerDirectoryAsync("tablespace"))}");
        await PgServers.ExecAsync(db.Source, $"""
            CREATE SCHEMA app;
            CREATE TABLE app.orders (id integer CONSTRAINT orders_pk PRIMARY KEY USING INDEX TABLESPACE {Sql.Ident(space)}, note text)
                TABLESPACE {Sql.Ident(space)};
            CREATE INDEX orders_note ON app.orders (note) TABLESPACE {Sql.Ident(space)} WHERE note IS NOT NULL;
            CREATE TABLE app.plain (id integer PRIMARY KEY);
            CREATE TABLE app.slots (id integer, during int4range,
                CONSTRAINT slots_apart EXCLUDE USING gist (during WITH &&) WITH (fillfactor = 40) USING INDEX TABLESPACE {Sql.Ident(space)} WHERE (id > 0),
                CONSTRAINT slots_id UNIQUE (id) USING INDEX TABLESPACE {Sql.Ident(space)} DEFERRABLE);
            CREATE TABLE app.events (at date, v int) PARTITION BY RANGE (at) TABLESPACE {Sql.Ident(space)};
            CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE MATERIALIZED VIEW app.notes TABLESPACE {Sql.Ident(space)} AS SELECT note FROM app.orders;
            INSERT INTO app.orders VALUES (1, 'a'), (2, NULL);
            INSERT INTO app.events VALUES ('2024-05-01', 1);
            REFRESH MATERIALIZED VIEW app.notes;
            """);
        var quoted = Sql.Ident(space);
        string[] misplaced =
        [
            $"table \"app\".\"events\": its tablespace {quoted} is not on the target (created in the default tablespace when skipped)",
            $"table \"app\".\"events_2024\": its tablespace {quoted} is not on the target (created in the default tablespace when skipped)",
            $"table \"app\".\"orders\": its tablespace {quoted} is not on the target (created in the default tablespace when skipped)",
            $"index \"app\".\"orders_note\": its tablespace {quoted} is not on the target (created in the default tablespace when skipped)",
            $"index \"app\".\"orders_pk\": its tablespace {quoted} is not on the target (created in the default tablespace when skipped)",
            $"index \"app\".\"slots_apart\": its tablespace {quoted} is not on the target (created in the default tablespace when skipped)",
            $"index \"app\".\"slots_id\": its tablespace {quoted} is not on the target (created in the default tablespace when skipped)",
            $"materialized view \"app\".\"notes\": its tablespace {quoted} is not on the target (created in the default tablespace when skipped)",
        ];
        var sourcePlacement = await PgServers.ScalarAsync<string>(db.Source, Placement);
        Assert.Equal($"events {space}, events_2024 {space}, notes {space}, orders {space}, orders_note {space}, orders_pk {space}, plain -, plain_pkey -, " +
                     $"slots -, slots_apart {space}, slots_id {space}", sourcePlacement);

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "app"));
        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe()}: cannot clone {string.Join("; ", misplaced)} " +
                     "(nothing was written; set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"));

        var skipped = await CloneKit.CloneAsync(db, CloneOperation.Schema, "app", options: new CloneOptions { SkipUnsupported = true });
        Assert.Equal(misplaced, skipped.Skipped);
        Assert.Equal("events -, events_2024 -, notes -, orders -, orders_note -, orders_pk -, plain -, plain_pkey -, slots -, slots_apart -, slots_id -",
            await PgServers.ScalarAsync<string>(db.Target, Placement));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM app.orders"));

        // Once the target has a tablespace of that name, everything goes where it was.
        await PgServers.ExecAsync(db.Target, "DROP SCHEMA app CASCADE");
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE TABLESPACE {Sql.Ident(space)} LOCATION {Sql.Literal(await fx.Servers.NewServerDirectoryAsync("tablespace"))}");
        var placed = await CloneKit.CloneAsync(db, CloneOperation.Schema, "app");
        Assert.Empty(placed.Skipped);
        Assert.Equal(sourcePlacement, await PgServers.ScalarAsync<string>(db.Target, Placement));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source, "--schema=app"), await CloneKit.DumpAsync(db.Target, "--schema=app"));
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM app.notes WHERE note = 'a'"));
    }

    [Fact]
    public async Task Database_create_puts_the_database_in_its_tablespace_and_a_target_without_it_refuses_unless_skipped()
    {
        var space = $"Db ts {Guid.NewGuid():N}"[..14];
        var name = $"dbts_{Guid.NewGuid():N}"[..17];
        await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"CREATE TABLESPACE {Sql.Ident(space)} LOCATION {Sql.Literal(await fx.Servers.NewServerDirectoryAsync("tablespace"))}");
        await PgServers.ExecAsync(fx.Servers.SourceAdmin, $"CREATE DATABASE {name} TABLESPACE {Sql.Ident(space)}");
        var source = PgServers.WithDatabase(fx.Servers.SourceAdmin, name);
        await PgServers.ExecAsync(source, "CREATE TABLE t (v int); INSERT INTO t VALUES (1), (2); CREATE TABLE in_default (v int) TABLESPACE pg_default");
        const string databaseSpace = "SELECT t.spcname::text FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = current_database()";
        const string placement = "SELECT string_agg(c.relname || ' ' || coalesce(ts.spcname, '-'), ', ' ORDER BY c.relname) " +
                                 "FROM pg_class c LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace WHERE c.relname IN ('t', 'in_default')";
        Assert.Equal(space, await PgServers.ScalarAsync<string>(source, databaseSpace));
        Assert.Equal("in_default pg_default, t -", await PgServers.ScalarAsync<string>(source, placement));
        CloneRequest Request(string target, bool skip) => new(CloneOperation.DatabaseCreate, ServerEndpoint.Parse(ServerRole.Source, source),
            ServerEndpoint.Parse(ServerRole.Target, PgServers.WithDatabase(fx.Servers.TargetAdmin, target)), null, null,
            skip ? new CloneOptions { SkipUnsupported = true } : null);
        var missing = $"database \"{name}\": its tablespace {Sql.Ident(space)} is not on the target (created in the default tablespace when skipped)";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(Request(name + "_a", skip: false)));
        Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, source).Describe()}: cannot clone {missing} " +
                     "(nothing was written; set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(fx.Servers.TargetAdmin, $"SELECT count(*) FROM pg_database WHERE datname = '{name}_a'"));

        var skipped = await new CloneEngine().RunAsync(Request(name + "_a", skip: true));
        Assert.Equal([missing], skipped.Skipped);
        var intoDefault = PgServers.WithDatabase(fx.Servers.TargetAdmin, name + "_a");
        Assert.Equal("pg_default", await PgServers.ScalarAsync<string>(intoDefault, databaseSpace));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(intoDefault, "SELECT count(*) FROM t"));

        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE TABLESPACE {Sql.Ident(space)} LOCATION {Sql.Literal(await fx.Servers.NewServerDirectoryAsync("tablespace"))}");
        var placed = await new CloneEngine().RunAsync(Request(name + "_b", skip: false));
        Assert.Empty(placed.Skipped);
        var target = PgServers.WithDatabase(fx.Servers.TargetAdmin, name + "_b");
        Assert.Equal(space, await PgServers.ScalarAsync<string>(target, databaseSpace));
        Assert.Equal("in_default pg_default, t -", await PgServers.ScalarAsync<string>(target, placement));
        Assert.Equal(2L, await PgServers.ScalarAsync<long>(target, "SELECT count(*) FROM t"));
    }
}
