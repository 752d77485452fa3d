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
        masked = [.. masked.GroupBy(m => m.Column.Table).Where(t => NeedsProbe(t, constrained)).SelectMany(t => t)];
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
    /// Whether one table's masks pass its CHECK constraints, domain checks and unique keys on a masked sample, as
    /// <see cref="EnsureFitsAsync"/> would judge them: discovery tries its suggestions here, so the clone's gate
    /// accepts what it prints. <paramref name="checks"/> and <paramref name="constrained"/> are read once by the caller
    /// (<see cref="MaskCatalog.ChecksReadingAsync"/>, <see cref="MaskCatalog.ConstrainedAsync"/>) for all the columns
    /// it may try; <paramref name="conn"/> is in a read-only transaction.
    /// </summary>
    public static async Task<bool> FitsAsync(NpgsqlConnection conn, ServerEndpoint server, QualifiedName table, IReadOnlyCollection<MaskedColumn> masked,
        IReadOnlyList<MaskCatalog.CheckConstraint> checks, IReadOnlySet<(QualifiedName Table, string Column)> constrained, CancellationToken ct)
    {
        if (!NeedsProbe(masked, constrained)) return true;
        var byColumn = masked.ToDictionary(m => m.Column.Column, StringComparer.Ordinal);
        return await ProbeAsync(conn, server, table, byColumn, [.. checks.Where(c => c.Table == table && c.Columns.Any(byColumn.ContainsKey))], ct) is null;
    }

    /// <summary>A table's masks can break something only where a CHECK or a domain reads a masked column, or a hash is cut to its column's length.</summary>
    private static bool NeedsProbe(IEnumerable<MaskedColumn> masked, IReadOnlySet<(QualifiedName Table, string Column)> constrained) =>
        masked.Any(m => constrained.Contains((m.Column.Table, m.Column.Column)) || ColumnMasker.CutTo(m.Column.DataType, m.Rule) is not null);

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
