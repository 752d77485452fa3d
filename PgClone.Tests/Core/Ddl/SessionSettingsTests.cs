using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>
/// A clone's sessions read and write values and definitions in one fixed form, whatever the databases set (as
/// pg_dump does): dates, intervals, floats, money, bytea and XML come out the same on the target; and a source
/// whose row security hides rows from the cloning user fails the run instead of copying fewer rows.
/// </summary>
public sealed class SessionSettingsTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>Rows rendered in one fixed form, whatever the session's database sets.</summary>
    private const string Rows = """
        SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; SET TimeZone = 'UTC'; SET bytea_output = 'hex';
        SELECT string_agg(t::text, E'\n' ORDER BY id) FROM (SELECT * FROM dt) t
        UNION ALL SELECT string_agg(t::text, E'\n' ORDER BY id) FROM bin t
        UNION ALL SELECT pg_get_viewdef('v'::regclass) UNION ALL SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'dt'::regclass
        """;

    [Fact]
    public async Task Values_and_definitions_travel_exactly_whatever_date_interval_float_bytea_and_xml_settings_the_databases_have()
    {
        var db = await fx.Servers.CreateDatabasesAsync("settings");
        // dt travels as text (aclitem has no binary form), bin in binary; xml content fragments in both.
        await PgServers.ExecAsync(db.Source, $"""
            CREATE TABLE dt (id int PRIMARY KEY, f8 float8, f4 float4, ts timestamp, tstz timestamptz, d date,
                iv interval DEFAULT '-1 day +02:00', m money, b bytea, x xml, a aclitem);
            INSERT INTO dt VALUES
                (1, 0.1, 0.1, '2001-02-03 04:05:06.789', '2001-02-03 04:05:06.789+02', '2001-02-03', '1 year 2 mons 3 days 04:05:06.7', 12.34, '\x00ff5c', '<a/>tail', NULL),
                (2, 1.2345678901234567e-300, 3.4028235e38, 'infinity', '-infinity', '0099-12-31 BC', '-1 day +02:00', -0.01, '\x', 'just text', NULL),
                (3, 'NaN', '-Infinity', '1999-12-31 23:59:59.999999', '1999-12-31 23:59:59.999999-12', '2004-02-29', '@ 5 mins ago', 92233720368547758.07, NULL, NULL, NULL),
                (4, 2.2250738585072014e-308, 0.30000001, '1970-01-01', '1970-01-01 00:00:00+00', '1970-01-01', '-3 years 2 days -01:00', 0, '\x5c5c', '<r>x</r>', NULL);
            CREATE TABLE bin (id int PRIMARY KEY, x xml, iv interval, d date);
            INSERT INTO bin VALUES (1, 'fragment <b>1</b>', '-1 day +02:00', '2004-02-01'), (2, '<doc/>', '1 mon -1 sec', '0001-01-01 BC');
            CREATE VIEW v AS SELECT id, iv + interval '-1 day +02:00' AS later, d + 1 AS next, f8 * 0.1::float8 AS tenth FROM dt WHERE d > '2001-02-03';
            ALTER DATABASE {Sql.Ident(db.Name)} SET DateStyle = 'SQL, DMY';
            ALTER DATABASE {Sql.Ident(db.Name)} SET IntervalStyle = 'sql_standard';
            ALTER DATABASE {Sql.Ident(db.Name)} SET extra_float_digits = -3;
            ALTER DATABASE {Sql.Ident(db.Name)} SET bytea_output = 'escape';
            ALTER DATABASE {Sql.Ident(db.Name)} SET xmloption = 'document';
            ALTER DATABASE {Sql.Ident(db.Name)} SET TimeZone = 'America/St_Johns';
            """);
        await PgServers.ExecAsync(db.Target, $"""
            ALTER DATABASE {Sql.Ident(db.Name)} SET DateStyle = 'German, MDY';
            ALTER DATABASE {Sql.Ident(db.Name)} SET IntervalStyle = 'iso_8601';
            ALTER DATABASE {Sql.Ident(db.Name)} SET xmloption = 'document';
            """);
        Npgsql.NpgsqlConnection.ClearAllPools();

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        Npgsql.NpgsqlConnection.ClearAllPools();
        var source = await PgServers.RowsAsync(db.Source, Rows);
        Assert.StartsWith("(1,0.1,0.1,\"2001-02-03 04:05:06.789\",\"2001-02-03 02:05:06.789+00\",2001-02-03,\"1 year 2 mons 3 days 04:05:06.7\",$12.34,\"\\\\x00ff5c\",<a/>tail,)", (string)source[0][0]!);
        Assert.Equal(source, await PgServers.RowsAsync(db.Target, Rows));
        Assert.Equal(await CloneKit.DumpAsync(db.Source), await CloneKit.DumpAsync(db.Target));
    }

    [Fact]
    public async Task A_source_table_whose_row_security_hides_rows_from_the_cloning_user_fails_the_run_instead_of_copying_fewer_rows()
    {
        var db = await fx.Servers.CreateDatabasesAsync("rlshidden");
        var role = $"rls_{Guid.NewGuid():N}"[..16];
        await PgServers.ExecAsync(db.Source, $"""
            CREATE TABLE notes (id int PRIMARY KEY, owner text);
            INSERT INTO notes VALUES (1, 'alice'), (2, 'bob');
            ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
            CREATE POLICY only_alice ON notes USING (owner = 'alice');
            CREATE ROLE {role} LOGIN PASSWORD 'pw';
            GRANT SELECT ON notes TO {role};
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, new Npgsql.NpgsqlConnectionStringBuilder(db.Source) { Username = role, Password = "pw" }.ConnectionString, "src");
        var request = CloneKit.Request(db, CloneOperation.Table, "public", "notes") with { Source = source };

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new CloneEngine().RunAsync(request, new CloneRunOptions { Preflight = false }));

        Assert.Equal($"{source.Describe()}: table \"public\".\"notes\": query would be affected by row-level security policy for table \"notes\"", e.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 'notes'"));
    }
}
