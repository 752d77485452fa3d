using PgClone.Core.Connections;

namespace PgClone.Core.Verification;

/// <summary>
/// Compares the tables of the source and the target, by estimate, by count, or by content checksum. Both servers
/// are read inside read-only transactions, each table on both servers at once.
/// </summary>
public sealed class TableVerifier
{
    public async Task<VerifyResult> VerifyAsync(ServerEndpoint source, ServerEndpoint target, VerifyOptions options, CancellationToken ct = default)
    {
        await using var s = await ReadOnlySession.OpenAsync(source, ct);
        await using var t = await ReadOnlySession.OpenAsync(target, ct);
        if (options.Schema is { } schema && !await VerifyCatalog.SchemaExistsAsync(s, schema, ct))
            throw PgCloneException.For(source, $"schema {Sql.Ident(schema)}", "does not exist");
        var exclusions = ColumnExclusions.Parse(options.ExcludeColumns);
        var sourceTables = await VerifyCatalog.ReadTablesAsync(s, options.Schema, ct);
        var targetTables = (await VerifyCatalog.ReadTablesAsync(t, options.Schema, ct)).ToDictionary(Key);

        var results = new List<TableVerification>();
        foreach (var st in sourceTables)
        {
            if (!targetTables.Remove(Key(st), out var tt))
            {
                var rows = options.Mode == VerifyMode.Fast ? st.Estimate : await VerifyCatalog.CountAsync(s, st, ct);
                results.Add(new TableVerification(st.Schema, st.Name, rows, null, VerifyStatus.MissingOnTarget));
                continue;
            }
            results.Add(options.Mode switch
            {
                VerifyMode.Fast => Compare(st, st.Estimate, tt.Estimate),
                VerifyMode.Exact => Compare(st, await Both(VerifyCatalog.CountAsync(s, st, ct), VerifyCatalog.CountAsync(t, tt, ct))),
                _ => await ChecksumAsync(s, t, st, tt, exclusions, ct),
            });
        }
        foreach (var tt in targetTables.Values)
        {
            var rows = options.Mode == VerifyMode.Fast ? tt.Estimate : await VerifyCatalog.CountAsync(t, tt, ct);
            results.Add(new TableVerification(tt.Schema, tt.Name, null, rows, VerifyStatus.OnlyOnTarget));
        }
        results.Sort((a, b) => string.CompareOrdinal(a.Schema, b.Schema) is var c and not 0 ? c : string.CompareOrdinal(a.Table, b.Table));
        if (options.Schema is null && await LargeObjectsAsync(s, t, options.Mode, ct) is { } largeObjects) results.Add(largeObjects);
        return new VerifyResult(options.Mode, results);
    }

    /// <summary>
    /// A whole-database verification also compares the large objects (listed as pg_catalog.pg_largeobject), when
    /// either side has any: their number, and in checksum mode their contents.
    /// </summary>
    private static async Task<TableVerification?> LargeObjectsAsync(ReadOnlySession s, ReadOnlySession t, VerifyMode mode, CancellationToken ct)
    {
        var checksum = mode == VerifyMode.Checksum;
        var (source, target) = (await VerifyCatalog.LargeObjectsAsync(s, checksum, ct), await VerifyCatalog.LargeObjectsAsync(t, checksum, ct));
        if (source.Count == 0 && target.Count == 0) return null;
        var status = source == target ? VerifyStatus.Match : VerifyStatus.Mismatch;
        return new TableVerification("pg_catalog", "pg_largeobject", source.Count, target.Count, status, source.Hash, target.Hash, Note: "large objects");
    }

    private static (string, string) Key(VerifiedTable t) => (t.Schema, t.Name);

    private static async Task<(long, long)> Both(Task<long> source, Task<long> target) => (await source, await target);

    private static TableVerification Compare(VerifiedTable t, (long Source, long Target) counts) => Compare(t, counts.Source, counts.Target);

    private static TableVerification Compare(VerifiedTable t, long? source, long? target) =>
        new(t.Schema, t.Name, source, target,
            source is null || target is null ? VerifyStatus.Unknown : source == target ? VerifyStatus.Match : VerifyStatus.Mismatch,
            Note: source is null || target is null ? "no estimate: the table was never analyzed" : null);

    private static async Task<TableVerification> ChecksumAsync(ReadOnlySession s, ReadOnlySession t, VerifiedTable st, VerifiedTable tt,
        ColumnExclusions exclusions, CancellationToken ct)
    {
        var excluded = st.Columns.Where(c => exclusions.Excludes(st.Schema, st.Name, c)).ToList();
        var columns = st.Columns.Except(excluded).ToList();
        var missing = columns.Except(tt.Columns).ToList();
        var extra = tt.Columns.Except(st.Columns).Except(excluded).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            var (sourceRows, targetRows) = await Both(VerifyCatalog.CountAsync(s, st, ct), VerifyCatalog.CountAsync(t, tt, ct));
            var note = string.Join("; ", new[]
            {
                missing.Count > 0 ? "columns missing on the target: " + Sql.IdentList(missing) : null,
                extra.Count > 0 ? "columns only on the target: " + Sql.IdentList(extra) : null,
            }.OfType<string>());
            return new TableVerification(st.Schema, st.Name, sourceRows, targetRows, VerifyStatus.Mismatch, null, null, excluded, note);
        }
        var sourceTask = VerifyCatalog.ChecksumAsync(s, st, columns, ct);
        var targetTask = VerifyCatalog.ChecksumAsync(t, tt, columns, ct);
        var (source, target) = (await sourceTask, await targetTask);
        var status = source == target ? VerifyStatus.Match : VerifyStatus.Mismatch;
        return new TableVerification(st.Schema, st.Name, source.Rows, target.Rows, status, source.Hash, target.Hash, excluded,
            excluded.Count > 0 ? "excluded from the checksum: " + Sql.IdentList(excluded) : null);
    }
}
