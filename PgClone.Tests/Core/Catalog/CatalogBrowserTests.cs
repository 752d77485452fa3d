using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Catalog;

/// <summary>Browsing a server: user schemas with object counts per kind, then tables with sizes and row estimates.</summary>
public sealed class CatalogBrowserTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Schemas_count_each_kind_and_tables_show_size_and_row_estimate()
    {
        var db = await fx.Servers.CreateDatabasesAsync("browse");
        await PgServers.ExecAsync(db.Source, """"
            CREATE EXTENSION IF NOT EXISTS citext;
            CREATE SCHEMA "Odd ""Schema""";
            CREATE TABLE "Odd ""Schema"""."Tab le" (id int PRIMARY KEY, note text);
            INSERT INTO "Odd ""Schema"""."Tab le" SELECT g, repeat('x', 50) FROM generate_series(1, 1000) g;
            CREATE TABLE "Odd ""Schema""".events (id int, at date NOT NULL) PARTITION BY RANGE (at);
            CREATE TABLE "Odd ""Schema""".events_2025 PARTITION OF "Odd ""Schema""".events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            CREATE TABLE "Odd ""Schema""".events_2026 PARTITION OF "Odd ""Schema""".events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            INSERT INTO "Odd ""Schema""".events SELECT g, date '2025-06-01' + (g % 400) FROM generate_series(1, 300) g;
            CREATE TABLE "Odd ""Schema""".never_analyzed (id int);
            CREATE VIEW "Odd ""Schema""".v AS SELECT 1 AS one;
            CREATE VIEW "Odd ""Schema""".w AS SELECT 2 AS two;
            CREATE MATERIALIZED VIEW "Odd ""Schema""".m AS SELECT 3 AS three;
            CREATE SEQUENCE "Odd ""Schema""".s;
            CREATE FUNCTION "Odd ""Schema""".f() RETURNS int LANGUAGE sql AS 'SELECT 1';
            CREATE PROCEDURE "Odd ""Schema""".p() LANGUAGE sql AS 'SELECT 1';
            CREATE FUNCTION "Odd ""Schema"""."G g"(a integer, "B b" text[]) RETURNS TABLE (x int) LANGUAGE sql AS 'SELECT 1';
            CREATE TYPE "Odd ""Schema""".mood AS ENUM ('ok');
            CREATE DOMAIN "Odd ""Schema""".positive AS int CHECK (VALUE > 0);
            CREATE TYPE "Odd ""Schema""".pair AS (a int, b int);
            CREATE SCHEMA empty;
            ANALYZE "Odd ""Schema"""."Tab le";
            ANALYZE "Odd ""Schema""".events;
            """");
        var server = ServerEndpoint.Parse(ServerRole.Source, db.Source, "src");

        var schemas = await CatalogBrowser.SchemasAsync(server, CancellationToken.None);
        var size = await PgServers.ScalarAsync<long>(db.Source, """
            SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'Odd "Schema"' AND c.relkind IN ('r', 'm', 'S')
            """);
        Assert.Equal(
            [
                new SchemaOverview("Odd \"Schema\"", 3, 2, 1, 1, 3, 3, size),
                new SchemaOverview("empty", 0, 0, 0, 0, 0, 0, 0),
                new SchemaOverview("public", 0, 0, 0, 0, 0, 0, 0),
            ], schemas);

        var tables = await CatalogBrowser.TablesAsync(server, "Odd \"Schema\"", CancellationToken.None);
        async Task<long> SizeAsync(string sql) => await PgServers.ScalarAsync<long>(db.Source, sql);
        Assert.Equal(
            [
                new TableOverview("Odd \"Schema\"", "Tab le", false, 1000, await SizeAsync("SELECT pg_total_relation_size('\"Odd \"\"Schema\"\"\".\"Tab le\"')")),
                new TableOverview("Odd \"Schema\"", "events", true, 300, await SizeAsync(
                    "SELECT (pg_total_relation_size('\"Odd \"\"Schema\"\"\".events_2025') + pg_total_relation_size('\"Odd \"\"Schema\"\"\".events_2026'))::bigint")),
                new TableOverview("Odd \"Schema\"", "never_analyzed", false, null, 0),
            ], tables);

        // The other objects, in the order the counts name them, by name; citext's functions and types (in public) are the extension's.
        var matview = await SizeAsync("SELECT pg_total_relation_size('\"Odd \"\"Schema\"\"\".m')");
        Assert.Equal(
            [
                new ObjectOverview("Odd \"Schema\"", "view", "v", null, null),
                new ObjectOverview("Odd \"Schema\"", "view", "w", null, null),
                new ObjectOverview("Odd \"Schema\"", "materialized view", "m", null, matview),
                new ObjectOverview("Odd \"Schema\"", "sequence", "s", null, null),
                new ObjectOverview("Odd \"Schema\"", "function", "G g(a integer, \"B b\" text[])", "returns TABLE(x integer)", null),
                new ObjectOverview("Odd \"Schema\"", "function", "f()", "returns integer", null),
                new ObjectOverview("Odd \"Schema\"", "function", "p()", "procedure", null),
                new ObjectOverview("Odd \"Schema\"", "type", "mood", "enum", null),
                new ObjectOverview("Odd \"Schema\"", "type", "pair", "composite", null),
                new ObjectOverview("Odd \"Schema\"", "type", "positive", "domain over integer", null),
            ], await CatalogBrowser.ObjectsAsync(server, "Odd \"Schema\"", CancellationToken.None));
        Assert.Empty(await CatalogBrowser.ObjectsAsync(server, "public", CancellationToken.None));

        var gone = await Assert.ThrowsAsync<PgClone.Core.PgCloneException>(() =>
            CatalogBrowser.TablesAsync(ServerEndpoint.Parse(ServerRole.Source, PgServers.WithDatabase(db.Source, "no_such_db"), "src"), "x", CancellationToken.None));
        Assert.EndsWith("database 'no_such_db' does not exist", gone.Message);
    }

    [Fact]
    public async Task Tables_with_columns_list_tables_and_partitions_with_their_columns_in_order_and_no_dropped_ones()
    {
        var db = await fx.Servers.CreateDatabasesAsync("browsecols");
        await PgServers.ExecAsync(db.Source, """"
            CREATE SCHEMA "Odd ""Schema""";
            CREATE TABLE "Odd ""Schema"""."Tab le" (id int PRIMARY KEY, gone text, "Note ""x""" text, total numeric GENERATED ALWAYS AS (id * 2) STORED);
            ALTER TABLE "Odd ""Schema"""."Tab le" DROP COLUMN gone;
            INSERT INTO "Odd ""Schema"""."Tab le" (id, "Note ""x""") SELECT g, repeat('x', 50) FROM generate_series(1, 1000) g;
            CREATE TABLE "Odd ""Schema""".events (id int, at date NOT NULL) PARTITION BY RANGE (at);
            CREATE TABLE "Odd ""Schema""".events_2025 PARTITION OF "Odd ""Schema""".events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            INSERT INTO "Odd ""Schema""".events SELECT g, date '2025-06-01' FROM generate_series(1, 300) g;
            CREATE VIEW "Odd ""Schema""".v AS SELECT 1 AS one;
            CREATE TABLE public.never_analyzed (id int);
            CREATE SCHEMA other;
            CREATE TABLE other.t (id int);
            ANALYZE "Odd ""Schema"""."Tab le";
            ANALYZE "Odd ""Schema""".events;
            """");
        await using var conn = new Npgsql.NpgsqlConnection(db.Source);
        await conn.OpenAsync();
        async Task<long> HeapAsync(string table) => await PgServers.ScalarAsync<long>(db.Source, $"SELECT pg_relation_size('{table}')");

        var tables = await CatalogBrowser.TablesWithColumnsAsync(conn, ["Odd \"Schema\"", "public"], CancellationToken.None);

        Assert.Equal(
            [
                "\"Odd \"\"Schema\"\"\".\"Tab le\" 1000 rows " + await HeapAsync("\"Odd \"\"Schema\"\"\".\"Tab le\"") + " B [id, Note \"x\", total]",
                "\"Odd \"\"Schema\"\"\".\"events\" 300 rows 0 B [id, at]",
                "\"Odd \"\"Schema\"\"\".\"events_2025\" partition 300 rows " + await HeapAsync("\"Odd \"\"Schema\"\"\".events_2025") + " B [id, at]",
                "\"public\".\"never_analyzed\" 0 rows 0 B [id]",
            ],
            tables.Select(t => $"{t.Name.Quoted}{(t.Partition ? " partition" : "")} {t.EstimatedRows} rows {t.Bytes} B [{string.Join(", ", t.Columns)}]"));
    }
}
