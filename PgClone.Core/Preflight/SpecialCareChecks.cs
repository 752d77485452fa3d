using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;
using PgClone.Core.Masking;

namespace PgClone.Core.Preflight;

/// <summary>
/// Objects a clone handles in a particular way, worth knowing before it runs: partitioned tables, identity and
/// generated columns, unlogged tables (empty on a hot standby), large objects (cloned by a database clone only), and tables without a primary key that a keyed
/// mask strategy masks (the masking proof joins on the primary key).
/// </summary>
internal static class SpecialCareChecks
{
    private sealed record TableFacts(QualifiedName Name, string? PartitionRoot, bool Unlogged, string[] Identity, string[] Generated, bool HasPrimaryKey);

    public static async Task<List<PreflightCheck>> RunAsync(NpgsqlConnection source, ServerEndpoint server, ClonePlan plan, IColumnMasker? masker, CancellationToken ct)
    {
        var facts = await PreflightSql.RowsAsync(source, server, """
            SELECT n.nspname::text, c.relname::text,
                   CASE WHEN c.relispartition THEN (SELECT ARRAY[rn.nspname::text, rc.relname::text] FROM pg_catalog.pg_class rc
                       JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = pg_catalog.pg_partition_root(c.oid)) END, c.relpersistence = 'u',
                   ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity <> '' ORDER BY a.attnum),
                   ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated <> '' ORDER BY a.attnum),
                   EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')
            FROM unnest($1::text[]) x JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(x) JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            ORDER BY 1, 2
            """, r => new TableFacts(new QualifiedName(r.GetString(0), r.GetString(1)), r.IsDBNull(2) ? null : Sql.Qualified(r.GetFieldValue<string[]>(2)[0], r.GetFieldValue<string[]>(2)[1]), r.GetBoolean(3),
                r.GetFieldValue<string[]>(4), r.GetFieldValue<string[]>(5), r.GetBoolean(6)), ct,
            (object)plan.Tables.Select(t => t.Source.Quoted).Distinct().ToArray());
        var largeObjects = await PreflightSql.RowAsync(source, server, "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata", r => r.GetInt64(0), ct);

        var checks = new List<PreflightCheck>();
        foreach (var root in facts.Where(f => f.PartitionRoot is not null).GroupBy(f => f.PartitionRoot!))
            checks.Add(new PreflightCheck("care.partitioned", PreflightStatus.Ok,
                $"partitioned: created with its partitions; {(root.Count() == 1 ? "its 1 leaf partition is loaded" : $"{Words.Count(root.Count(), "leaf partition")} are loaded one by one")}", $"table {root.Key}"));
        foreach (var f in facts.Where(f => f.Identity.Length > 0))
            checks.Add(new PreflightCheck("care.identity", PreflightStatus.Ok,
                $"identity {Words.Noun(f.Identity.Length, "column")} {Sql.IdentList(f.Identity)}: values copied as they are, the sequence continues from the source's value", $"table {f.Name}"));
        foreach (var f in facts.Where(f => f.Generated.Length > 0))
            checks.Add(new PreflightCheck("care.generated", PreflightStatus.Ok,
                $"generated {Words.Noun(f.Generated.Length, "column")} {Sql.IdentList(f.Generated)}: not copied, the target computes them", $"table {f.Name}"));
        foreach (var f in facts.Where(f => f.Unlogged))
            checks.Add(new PreflightCheck("care.unlogged", PreflightStatus.Warning,
                "unlogged: stays unlogged on the target, where a crash empties it", $"table {f.Name}"));
        foreach (var unread in plan.UnreadOnStandby)
            checks.Add(new PreflightCheck("care.standby", PreflightStatus.Warning,
                "unlogged on a hot standby, which holds none of its rows or state: created empty (clone from the primary to copy them)", unread));
        if (largeObjects > 0) checks.Add(LargeObjects(plan, largeObjects));
        if (masker is ColumnMasker columnMasker)
        {
            var keyed = columnMasker.Masked.Where(m => m.Rule.IsKeyed).ToLookup(m => m.Column.Table);
            foreach (var f in facts.Where(f => !f.HasPrimaryKey && keyed[f.Name].Any()))
                checks.Add(new PreflightCheck("care.no_primary_key", PreflightStatus.Warning,
                    $"no primary key, but keyed mask strategies on {Sql.IdentList(keyed[f.Name].Select(m => m.Column.Column))}: the masking proof cannot match its rows to the source",
                    $"table {f.Name}"));
        }
        if (checks.Count == 0) checks.Add(new PreflightCheck("care", PreflightStatus.Ok, "no object needs special care"));
        return checks;
    }

    /// <summary>Large objects belong to the database: a database clone brings them, a narrower one leaves oid columns naming none.</summary>
    private static PreflightCheck LargeObjects(ClonePlan plan, long count) =>
        plan.LargeObjects.Count > 0
            ? new PreflightCheck("care.large_objects", PreflightStatus.Ok, $"{Words.Count(count, "large object")}: cloned with their data, owners, privileges and comments")
            : plan.PreData.Any(s => s.ObjectKind == "large object")
                ? new PreflightCheck("care.large_objects", PreflightStatus.Ok, $"{Words.Count(count, "large object")}: created empty (structure only), with their owners, privileges and comments")
                : new PreflightCheck("care.large_objects", PreflightStatus.Warning,
                    $"the source database holds {Words.Count(count, "large object")} (pg_largeobject): only a database clone copies them, so oid columns referring to them will name none on the target");
}
