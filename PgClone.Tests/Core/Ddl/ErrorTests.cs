using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>Failures the user can act on: exact messages naming the server and the object; the target untouched.</summary>
public sealed class ErrorTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private static string Source(TestDatabases db) => ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
    private static string Target(TestDatabases db) => ServerEndpoint.Parse(ServerRole.Target, db.Target).Describe();

    [Fact]
    public async Task Missing_schema_is_named_on_the_source()
    {
        var db = await fx.Servers.CreateDatabasesAsync("errors");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "nope"));
        Assert.Equal($"{Source(db)}: schema \"nope\" does not exist", e.Message);
        var longName = "schema_é_" + new string('x', 60);
        e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, longName));
        Assert.Equal($"{Source(db)}: schema \"{longName}\" does not exist (the name is 70 bytes long; PostgreSQL names hold at most 63 bytes, " +
                     $"and SQL cuts a longer one to \"schema_é_{new string('x', 53)}\")", e.Message);
    }

    /// <summary>A missing table is named; a name holding a dot (a user's "s.t" as the table name) is explained.</summary>
    [Theory]
    [InlineData("s", "Nope", "table \"s\".\"Nope\" does not exist")]
    [InlineData("public", "s.t", "table \"public\".\"s.t\" does not exist (a dot is part of a table's name; for table \"s\".\"t\", give schema \"s\" and table \"t\" apart)")]
    // A name over 63 bytes is never an object's whole name: SQL cuts it, and the message says so.
    [InlineData("s", "t_with_a_name_much_longer_than_the_sixty_three_bytes_postgresql_keeps",
        "table \"s\".\"t_with_a_name_much_longer_than_the_sixty_three_bytes_postgresql_keeps\" does not exist (the name is 69 bytes long; " +
        "PostgreSQL names hold at most 63 bytes, and SQL cuts a longer one to \"t_with_a_name_much_longer_than_the_sixty_three_bytes_postgresql\")")]
    public async Task Missing_table_is_named_on_the_source(string schema, string table, string message)
    {
        var db = await fx.Servers.CreateDatabasesAsync("errors");
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA s; CREATE TABLE s.t (id int)");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, schema, table));
        Assert.Equal($"{Source(db)}: {message}", e.Message);
    }

    [Fact]
    public async Task An_existing_table_on_the_target_is_named_with_the_target_server()
    {
        var db = await fx.Servers.CreateDatabasesAsync("errors");
        await PgServers.ExecAsync(db.Source, "CREATE SCHEMA s; CREATE TABLE s.t (id int); INSERT INTO s.t VALUES (1)");
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA s; CREATE TABLE s.t (id int)");
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t"));
        Assert.Equal($"{Target(db)}: table \"s\".\"t\": already exists (conflict strategy is error; nothing was changed)", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM s.t"));
    }

    [Fact]
    public async Task Source_rows_that_break_a_foreign_key_fail_the_run_naming_the_key_and_saying_the_source_breaks_it_too()
    {
        var db = await fx.Servers.CreateDatabasesAsync("errors");
        // Rows deleted while the referenced table's triggers (the foreign key's own too) were disabled.
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.parent (id int PRIMARY KEY);
            CREATE TABLE s.child (parent_id int REFERENCES s.parent ON DELETE CASCADE);
            INSERT INTO s.parent VALUES (1), (2); INSERT INTO s.child VALUES (1), (2);
            ALTER TABLE s.parent DISABLE TRIGGER ALL; DELETE FROM s.parent WHERE id = 1; ALTER TABLE s.parent ENABLE TRIGGER ALL;
            """);

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s"));

        Assert.Equal($"{Target(db)}: constraint \"child_parent_id_fkey\" on \"s\".\"child\": insert or update on table \"child\" violates foreign key " +
                     "constraint \"child_parent_id_fkey\": the source's rows break it too (written while its triggers were disabled, or under " +
                     "session_replication_role = replica), unless a filter or subset left out the rows they reference; mend them on the source", e.Message);
    }

    [Fact]
    public async Task A_foreign_key_to_the_targets_own_table_lacking_the_rows_says_so_not_that_the_source_breaks_it()
    {
        var db = await fx.Servers.CreateDatabasesAsync("errors");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p); INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1)");
        await PgServers.ExecAsync(db.Target, "CREATE TABLE p (id int PRIMARY KEY)");

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "public", "c"));

        Assert.Equal($"{Target(db)}: constraint \"c_p_fkey\" on \"public\".\"c\": insert or update on table \"c\" violates foreign key constraint \"c_p_fkey\": " +
                     "the table it references, \"public\".\"p\", is the target's own (this run did not clone it) and lacks rows the copied rows reference; " +
                     "clone it too, or load those rows first", e.Message);
    }

    [Fact]
    public async Task A_stale_materialized_view_whose_fresh_rows_break_its_unique_index_fails_the_run_saying_why()
    {
        var db = await fx.Servers.CreateDatabasesAsync("errors");
        // The view was not refreshed after its table gained a second row with the same key.
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.t (a int);
            INSERT INTO s.t VALUES (1);
            CREATE MATERIALIZED VIEW s.mv AS SELECT a FROM s.t;
            CREATE UNIQUE INDEX mv_a ON s.mv (a);
            INSERT INTO s.t VALUES (1);
            """);

        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s"));

        Assert.Equal($"{Target(db)}: index \"s\".\"mv_a\": could not create unique index \"mv_a\": the materialized view's rows, computed from the " +
                     "copied tables, repeat its key; the source's view holds the rows of a REFRESH before its tables changed (REFRESH MATERIALIZED " +
                     "VIEW on the source fails the same way)", e.Message);
    }
}
