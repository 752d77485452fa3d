using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Safety;

/// <summary>A clone never changes the source: every source session is READ ONLY and a filter may call no volatile function.</summary>
public sealed class ReadOnlySourceTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private async Task<TestDatabases> ArrangeAsync()
    {
        var db = await fx.Servers.CreateDatabasesAsync("rosrc");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.t(id int PRIMARY KEY, name text, made date);
            INSERT INTO s.t VALUES (1, 'Ann', '2024-01-01'), (2, 'bob', '2024-02-01'), (3, 'Cy', '2099-01-01');
            CREATE TABLE s.log(id int);
            CREATE SEQUENCE s.seq;
            CREATE FUNCTION s.writes(i int) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN INSERT INTO s.log VALUES (i); RETURN true; END$$;
            -- Declared IMMUTABLE, yet it calls nextval: only a read-only session stops it.
            CREATE FUNCTION s.lies(i int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$BEGIN PERFORM nextval('s.seq'); RETURN i > 0; END$$;
            CREATE FUNCTION s.noisy_eq(a int, b int) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN PERFORM pg_catalog.nextval('s.seq'); RETURN a = b; END$$;
            CREATE OPERATOR s.=== (FUNCTION = s.noisy_eq, LEFTARG = int, RIGHTARG = int);
            """);
        return db;
    }

    private static async Task<string> SourceStateAsync(TestDatabases db) =>
        await PgServers.ScalarAsync<string>(db.Source,
            "SELECT (SELECT count(*) FROM s.log) || '/' || (SELECT last_value || ':' || is_called FROM s.seq) || '/' || (SELECT count(*) FROM pg_largeobject_metadata)");

    [Theory]
    [InlineData("s.writes(id)", "s.writes(integer)")]
    [InlineData("pg_terminate_backend(pg_backend_pid() + id) IS NOT NULL", "pg_terminate_backend(integer,bigint)")]
    [InlineData("lo_import('/etc/hostname') > 0", "lo_import(text)")]
    [InlineData("nextval('s.seq') > 0", "nextval(regclass)")]
    [InlineData("\"set_config\"('search_path', 'public', false) IS NOT NULL", "set_config(text,text,boolean)")]
    [InlineData("id OPERATOR(s.===) 2", "s.noisy_eq(integer,integer)")]
    [InlineData("id IN (SELECT x FROM generate_series(1, 3) x WHERE random() < 2)", "random()")]
    public async Task A_filter_calling_a_volatile_function_is_refused_naming_it_whatever_the_consistency(string where, string function)
    {
        foreach (var consistent in new[] { false, true })
        {
            var db = await ArrangeAsync();
            var before = await SourceStateAsync(db);
            var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t",
                new CloneOptions { Where = where, Consistent = consistent }));
            Assert.Equal($"{ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe()}: table \"s\".\"t\": where filter rejected: it calls {function}, " +
                         "which is volatile (may write or act on the server); only immutable and stable functions are allowed", e.Message);
            Assert.Equal(before, await SourceStateAsync(db));
            Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 't'"));
        }
    }

    [Fact]
    public async Task A_function_that_lies_about_its_volatility_still_cannot_write_the_source_even_when_not_consistent()
    {
        var db = await ArrangeAsync();
        var before = await SourceStateAsync(db);
        var e = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t",
            new CloneOptions { Where = "s.lies(id)", Consistent = false }));
        Assert.Contains("cannot execute nextval() in a read-only transaction", e.Message);
        Assert.Equal(before, await SourceStateAsync(db));
    }

    [Fact]
    public async Task Immutable_and_stable_functions_and_operators_are_allowed()
    {
        var db = await ArrangeAsync();
        await CloneKit.CloneAsync(db, CloneOperation.Table, "s", "t",
            new CloneOptions { Where = "lower(name) <> 'bob' AND made < now() AND to_char(made, 'YYYY') = '2024' AND id = ANY (ARRAY[1, 2, 3]) AND name::varchar(10) IS NOT NULL", Consistent = false });
        Assert.Equal([[1]], (await PgServers.RowsAsync(db.Target, "SELECT id FROM s.t ORDER BY id")).Select(r => new[] { (int)r[0]! }).ToList());
    }
}
