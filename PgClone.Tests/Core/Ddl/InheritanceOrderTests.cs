using PgClone.Core;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>Inheritance children keep their own column order, as on the source, whatever order their parents grew in.</summary>
public sealed class InheritanceOrderTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string Schema = """
        CREATE SCHEMA "in h";
        CREATE TABLE "in h".p (a int NOT NULL, CONSTRAINT a_pos CHECK (a > 0));
        CREATE TABLE "in h".q (z text);
        CREATE TABLE "in h".c (b text, CONSTRAINT own CHECK (b <> '')) INHERITS ("in h".p);
        ALTER TABLE "in h".p ADD COLUMN "x y" date DEFAULT '2020-01-01';
        ALTER TABLE "in h".p ADD CONSTRAINT later CHECK ("x y" > '2000-01-01');
        -- Columns declared on the child and inherited alike.
        CREATE TABLE "in h".c2 (b int, a int NOT NULL, "x y" date, CONSTRAINT a_pos CHECK (a > 0), CONSTRAINT later CHECK ("x y" > '2000-01-01'));
        ALTER TABLE "in h".c2 INHERIT "in h".p;
        -- A grandchild with two parents.
        CREATE TABLE "in h".g (extra int) INHERITS ("in h".c, "in h".q);
        ALTER TABLE "in h".p ADD COLUMN late int;
        -- A child whose order is what INHERITS gives.
        CREATE TABLE "in h".plain (own text) INHERITS ("in h".p);
        INSERT INTO "in h".p VALUES (1, '2021-01-01', 10);
        INSERT INTO "in h".c VALUES (2, 'two', '2022-02-02', 20);
        INSERT INTO "in h".c2 VALUES (30, 3, '2023-03-03', 30);
        INSERT INTO "in h".g VALUES (4, 'four', '2024-04-04', 'zz', 44, 40);
        INSERT INTO "in h".plain VALUES (5, '2025-05-05', 50, 'five');
        -- Inherited columns given a default or NOT NULL of their own on the child (pg_dump: ALTER TABLE ONLY child ...).
        ALTER TABLE "in h".plain ALTER COLUMN "x y" SET DEFAULT '2030-03-03', ALTER COLUMN late SET NOT NULL;
        ALTER TABLE ONLY "in h".c ALTER COLUMN late SET DEFAULT 7;
        """;

    private const string Columns = """
        SELECT c.relname || ': ' || string_agg(a.attname || CASE WHEN a.attislocal THEN '' ELSE '*' END, ', ' ORDER BY a.attnum)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = '"in h"'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped GROUP BY c.relname ORDER BY c.relname COLLATE "C"
        """;

    [Theory]
    [InlineData(CloneOperation.Schema)]
    [InlineData(CloneOperation.Database)]
    public async Task Children_keep_their_column_order_and_pg_dump_sees_the_same_schema(CloneOperation operation)
    {
        var db = await fx.Servers.CreateDatabasesAsync("inhorder");
        await PgServers.ExecAsync(db.Source, Schema);

        await CloneKit.CloneAsync(db, operation, operation == CloneOperation.Schema ? "in h" : null);

        var columns = (await PgServers.RowsAsync(db.Target, Columns)).Select(r => (string)r[0]!).ToList();
        Assert.Equal([
            "c: a*, b, x y*, late*", "c2: b, a, x y, late*", "g: a*, b*, x y*, z*, extra, late*", "p: a, x y, late", "plain: a*, x y*, late*, own", "q: z",
        ], columns);
        // Before, a child had its parent's default and no NOT NULL of its own.
        const string own = """
            SELECT table_name::text, column_name::text, column_default::text, is_nullable::text FROM information_schema.columns
            WHERE table_schema = 'in h' AND (table_name, column_name) IN (('c', 'late'), ('g', 'late'), ('plain', 'late'), ('plain', 'x y')) ORDER BY 1, 2
            """;
        Assert.Equal([["c", "late", "7", "YES"], ["g", "late", null, "YES"], ["plain", "late", null, "NO"], ["plain", "x y", "'2030-03-03'::date", "YES"]],
            await PgServers.RowsAsync(db.Target, own));
        CloneKit.SameDump(await CloneKit.DumpAsync(db.Source, "-n", "\"in h\""), await CloneKit.DumpAsync(db.Target, "-n", "\"in h\""));
        Assert.Equal(await CloneKit.ChecksumsAsync(db.Source, "in h"), await CloneKit.ChecksumsAsync(db.Target, "in h"));
        Assert.Equal(["1|2021-01-01|10", "2|2022-02-02|20", "3|2023-03-03|30", "4|2024-04-04|40", "5|2025-05-05|50"],
            (await PgServers.RowsAsync(db.Target, "SELECT concat_ws('|', a, \"x y\", late) FROM \"in h\".p ORDER BY a")).Select(r => (string)r[0]!));
    }
}
