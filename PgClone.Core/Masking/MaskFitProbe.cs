using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>
/// Before anything is written, masks a sample of each table's rows ON THE SOURCE (read-only, as the preview does)
/// and evaluates the table's CHECK constraints that read a masked column, and the domain checks of masked domain
/// columns (the mask's cast to the domain runs them), on the masked values: a rule whose values a constraint
/// refuses (a hash where <c>email LIKE '%@%'</c>, a short name where <c>length(name) &gt;= 5</c>, a shifted date out
/// of its range) fails the run here, naming the rule and the constraint, not after its table's rows were loaded.
/// A sample cannot prove every row fits; the load still checks them all.
/// </summary>
internal static class MaskFitProbe
{
    public const int SampleRows = 1000;
    private const string RollBack = "ROLLBACK TO SAVEPOINT mask_fit";

    /// <param name="catalog">A session to read the catalog on (the run's own): the probe opens its session only for the
    /// tables that need it, those with a masked column a CHECK reads, of a domain, or hashed into a short column.</param>
    public static async Task EnsureFitsAsync(ServerEndpoint source, NpgsqlConnection catalog, IReadOnlyCollection<MaskedColumn> masked, CancellationToken ct)
    {
        var constrained = await MaskCatalog.ConstrainedAsync(catalog, source, masked.Select(m => (m.Column.Table, m.Column.Column)).ToList(), ct);
        masked = [.. masked.GroupBy(m => m.Column.Table)
            .Where(t => t.Any(m => constrained.Contains((m.Column.Table, m.Column.Column)) || ColumnMasker.CutTo(m.Column.DataType, m.Rule) is not null))
            .SelectMany(t => t)];
        if (masked.Count == 0) return;
        await using var conn = await source.OpenAsync(ct);
        try
        {
            await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await MaskingConnections.ExecAsync(conn, "SET TRANSACTION READ ONLY; SET LOCAL search_path = pg_catalog", ct);
            var checks = (await MaskCatalog.ChecksReadingAsync(conn, source, masked.Select(m => (m.Column.Table, m.Column.Column)).ToList(), ct))
                .ToLookup(c => c.Table);
            foreach (var table in masked.GroupBy(m => m.Column.Table))
                if (await ProbeAsync(conn, source, table.Key, table.ToDictionary(m => m.Column.Column, StringComparer.Ordinal), [.. checks[table.Key]], ct) is { } refusal)
                    throw refusal;
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(source, null, e); }
    }

    /// <summary>
    /// Discovery's suggestions made to fit: none for a partition key column; a flagged column a CHECK constraint reads gets the first of the strategies
    /// for its category whose masked sample the constraint accepts (none when no strategy does). Keyed strategies are
    /// tried under a throwaway key: a value's shape does not depend on the key. <paramref name="conn"/> is in a
    /// read-only transaction.
    /// </summary>
    public static async Task<List<SensitiveColumn>> FitToChecksAsync(NpgsqlConnection conn, ServerEndpoint server, List<SensitiveColumn> found,
        IReadOnlyList<MaskCatalogColumn> columns, CancellationToken ct)
    {
        var flagged = found.Select(f => (f.Table, f.Column)).ToList();
        // A partition key column cannot be masked in the clone (each partition loads by itself): no suggestion, and why.
        var keys = (await MaskCatalog.PartitionKeyColumnsAsync(conn, server, flagged, ct)).ToLookup(k => (k.Table, k.Column), k => k.Partitioned);
        found = [.. found.Select(f => f.Suggested is null || !keys.Contains((f.Table, f.Column)) ? f : f with
        {
            Suggested = null,
            Evidence = [.. f.Evidence, $"in the partition key of {keys[(f.Table, f.Column)].First().Quoted}: mask it on the target after the clone (mask-in-place)"],
        })];
        var checks = await MaskCatalog.ChecksReadingAsync(conn, server, flagged, ct);
        if (checks.Count == 0) return found;
        var key = new Lazy<MaskKeySql>(() => MaskingSecret.Random().InlineSql());
        var result = new List<SensitiveColumn>(found.Count);
        foreach (var f in found)
        {
            var reading = checks.Where(c => c.Table == f.Table && c.Columns.Contains(f.Column)).ToList();
            if (reading.Count == 0 || f.Suggested is null || columns.FirstOrDefault(c => c.Table == f.Table && c.Column == f.Column) is not { } column)
            {
                result.Add(f);
                continue;
            }
            MaskRule? fits = null;
            foreach (var rule in SensitiveDataScanner.Choices(f.Category, column))
            {
                var mc = column.ToMaskColumn();
                var expression = MaskExpressions.Checked(rule, mc, rule.IsKeyed ? key.Value : MaskKeySql.None, server);
                var probe = new Dictionary<string, MaskedColumn>(StringComparer.Ordinal) { [f.Column] = new(mc, rule, expression) };
                if (await ProbeAsync(conn, server, f.Table, probe, reading, ct) is null) { fits = rule; break; }
            }
            result.Add(fits?.ToString() == f.Suggested.ToString() ? f : f with
            {
                Suggested = fits,
                Evidence = [.. f.Evidence, fits is null
                    ? $"no strategy's values fit {string.Join(", ", reading.Select(c => Sql.Ident(c.Name)))}: mask it by hand"
                    : $"{f.Suggested} would break {string.Join(", ", reading.Select(c => Sql.Ident(c.Name)))}: {fits} fits"],
            });
        }
        return result;
    }

    /// <returns>The refusal when the masked sample breaks a constraint, else null.</returns>
    private static async Task<PgCloneException?> ProbeAsync(NpgsqlConnection conn, ServerEndpoint source, QualifiedName table, Dictionary<string, MaskedColumn> masked,
        IReadOnlyList<MaskCatalog.CheckConstraint> checks, CancellationToken ct)
    {
        var read = checks.SelectMany(c => c.Columns).Concat(masked.Keys).Distinct(StringComparer.Ordinal).ToList();
        // Each masked value as the copy writes it, in its column's type: a domain's checks run on that cast.
        var types = await MaskCatalog.ColumnTypesAsync(conn, source, table, masked.Keys, ct);
        // A key column's values stay distinct under a mask that keeps keys, unless it is cut short (a hash in varchar(2)).
        var alone = await MaskCatalog.UniqueAloneAsync(conn, source, table, ct);
        var keys = masked.Keys.Where(alone.Contains).ToList();
        var columns = string.Join(", ", read.Select(c => (masked.TryGetValue(c, out var m) && types.TryGetValue(c, out var type)
            ? $"CAST(({m.Expression}) AS {type})" : Sql.Ident(c)) + $" AS {Sql.Ident(c)}")
            .Concat(keys.Select((c, i) => $"{Sql.Ident(c)} AS pgclone_original_{i}")));
        // A CHECK passes on NULL, as on the target.
        var failing = string.Concat(checks.Select(c => $", count(*) FILTER (WHERE NOT coalesce(({c.Expression}), true))"))
            + string.Concat(keys.Select((c, i) => $", count(DISTINCT pgclone_original_{i}) - count(DISTINCT x.{Sql.Ident(c)})"));
        // count(x), the whole row, so every masked value is computed (an unread column of a subquery is not).
        var sql = $"SELECT count(x){failing} FROM (SELECT {columns} FROM {table.Quoted} LIMIT {SampleRows}) x";
        await MaskingConnections.ExecAsync(conn, "SAVEPOINT mask_fit", ct);
        long[] counts;
        try
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            counts = [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetInt64)];
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.CheckViolation or PostgresErrorCodes.NotNullViolation or PostgresErrorCodes.StringDataRightTruncation)
        {
            // A domain's check (or NOT NULL, or length) refuses a masked value as the mask casts it to the column's type.
            await MaskingConnections.ExecAsync(conn, RollBack, ct);
            return PgCloneException.For(source, $"table {table.Quoted}",
                $"a mask rule's values do not fit their column's type: {e.MessageText}, for a sampled row; choose a rule whose values the domain accepts " +
                $"({string.Join(", ", masked.Values.Select(m => $"{Sql.Ident(m.Column.Column)} {m.Rule}"))})");
        }
        catch (PostgresException)
        {
            // Anything else (an unlogged table a standby holds no rows of, say) is the load's to meet and report.
            await MaskingConnections.ExecAsync(conn, RollBack, ct);
            return null;
        }
        await MaskingConnections.ExecAsync(conn, "RELEASE SAVEPOINT mask_fit", ct);
        for (var i = 0; i < keys.Count; i++)
        {
            var collisions = counts[1 + checks.Count + i];
            if (collisions <= 0) continue;
            var m = masked[keys[i]];
            return PgCloneException.For(source, $"column {table.Quoted}.{Sql.Ident(keys[i])}",
                $"its mask rule {m.Rule} gives {Words.Count(collisions, "value")} of a sample of {counts[0]} rows the mask of another, but the column is in a " +
                $"unique key by itself ({m.Column.DataType}: a hash cut to its length repeats); widen the column, or choose a rule " +
                "that keeps distinct values distinct in it (keep_format)");
        }
        for (var i = 0; i < checks.Count; i++)
        {
            if (counts[i + 1] == 0) continue;
            var c = checks[i];
            var rules = c.Columns.Where(masked.ContainsKey).Select(col => $"{Sql.Ident(col)} {masked[col].Rule}");
            return PgCloneException.For(source, $"check constraint {Sql.Ident(c.Name)} on {table.Quoted}",
                $"the masked values of {Words.Count(counts[i + 1], "sampled row")} of {counts[0]} break it (CHECK {c.Expression}), under the mask rules " +
                $"{string.Join(", ", rules)}; choose rules whose values it accepts, or leave the column unmasked");
        }
        return null;
    }
}
