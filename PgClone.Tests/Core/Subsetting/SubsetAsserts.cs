using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Subsetting;

/// <summary>Referential completeness of a target database, checked two independent ways.</summary>
internal static class SubsetAsserts
{
    /// <summary>
    /// Every foreign key of the database is validated and re-validates (dropped and re-added as NOT VALID, then
    /// VALIDATE CONSTRAINT), and a join finds no row whose non-null key has no referenced row.
    /// </summary>
    public static async Task NoOrphansAsync(string cs, int expectedKeys)
    {
        var keys = await PgServers.RowsAsync(cs, """
            SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.convalidated,
                   ARRAY(SELECT quote_ident(a.attname) FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
                   ARRAY(SELECT quote_ident(a.attname) FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i),
            c.conrelid::regclass::oid IN (SELECT oid FROM pg_class WHERE relkind = 'p')
            FROM pg_constraint c WHERE c.contype = 'f' AND c.conparentid = 0 ORDER BY 1, 3
            """);
        Assert.Equal(expectedKeys, keys.Count);
        foreach (var k in keys)
        {
            var (child, parent, name, definition) = ((string)k[0]!, (string)k[1]!, (string)k[2]!, (string)k[3]!);
            Assert.True((bool)k[4]!, $"{name} is not validated");
            var cc = (string[])k[5]!;
            var pc = (string[])k[6]!;
            var orphans = await PgServers.ScalarAsync<long>(cs,
                $"SELECT count(*) FROM {child} c WHERE {string.Join(" AND ", cc.Select(x => $"c.{x} IS NOT NULL"))} AND NOT EXISTS " +
                $"(SELECT 1 FROM {parent} p WHERE {string.Join(" AND ", cc.Zip(pc, (x, y) => $"p.{y} = c.{x}"))})");
            Assert.True(orphans == 0, $"{name} on {child}: {orphans} orphan row(s)");
            // PostgreSQL 15 cannot add a NOT VALID key to a partitioned table: there, adding it validates it.
            var add = (bool)k[7]! ? $"{definition}" : $"{definition} NOT VALID; ALTER TABLE {child} VALIDATE CONSTRAINT {Sql.Ident(name)}";
            await PgServers.ExecAsync(cs, $"ALTER TABLE {child} DROP CONSTRAINT {Sql.Ident(name)}; ALTER TABLE {child} ADD CONSTRAINT {Sql.Ident(name)} {add}");
        }
    }
}
