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

    public static async Task EnsureFitsAsync(ServerEndpoint source, IReadOnlyCollection<MaskedColumn> masked, CancellationToken ct)
    {
        if (masked.Count == 0) return;
        await using var conn = await source.OpenAsync(ct);
        try
        {
            await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await MaskingConnections.ExecAsync(conn, "SET TRANSACTION READ ONLY; SET LOCAL search_path = pg_catalog", ct);
            var checks = (await MaskCatalog.ChecksReadingAsync(conn, source, masked.Select(m => (m.Column.Table, m.Column.Column)).ToList(), ct))
                .ToLookup(c => c.Table);
            foreach (var table in masked.GroupBy(m => m.Column.Table))
                await ProbeAsync(conn, source, table.Key, table.ToDictionary(m => m.Column.Column, StringComparer.Ordinal), [.. checks[table.Key]], ct);
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(source, null, e); }
    }

    private static async Task ProbeAsync(NpgsqlConnection conn, ServerEndpoint source, QualifiedName table, Dictionary<string, MaskedColumn> masked,
        IReadOnlyList<MaskCatalog.CheckConstraint> checks, CancellationToken ct)
    {
        var read = checks.SelectMany(c => c.Columns).Concat(masked.Keys).Distinct(StringComparer.Ordinal).ToList();
        // Each masked value as the copy writes it, in its column's type: a domain's checks run on that cast.
        var types = await MaskCatalog.ColumnTypesAsync(conn, source, table, masked.Keys, ct);
        var columns = string.Join(", ", read.Select(c => (masked.TryGetValue(c, out var m) && types.TryGetValue(c, out var type)
            ? $"CAST(({m.Expression}) AS {type})" : Sql.Ident(c)) + $" AS {Sql.Ident(c)}"));
        // A CHECK passes on NULL, as on the target.
        var failing = string.Concat(checks.Select(c => $", count(*) FILTER (WHERE NOT coalesce(({c.Expression}), true))"));
        // count(x), the whole row, so every masked value is computed (an unread column of a subquery is not).
        var sql = $"SELECT count(x){failing} FROM (SELECT {columns} FROM {table.Quoted} LIMIT {SampleRows}) x";
        await using var savepoint = new NpgsqlCommand("SAVEPOINT mask_fit", conn);
        await savepoint.ExecuteNonQueryAsync(ct);
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
            throw PgCloneException.For(source, $"table {table.Quoted}",
                $"a mask rule's values do not fit their column's type: {e.MessageText}, for a sampled row; choose a rule whose values the domain accepts " +
                $"({string.Join(", ", masked.Values.Select(m => $"{Sql.Ident(m.Column.Column)} {m.Rule}"))})");
        }
        catch (PostgresException)
        {
            // Anything else (an unlogged table a standby holds no rows of, say) is the load's to meet and report.
            await using var rollback = new NpgsqlCommand("ROLLBACK TO SAVEPOINT mask_fit", conn);
            await rollback.ExecuteNonQueryAsync(ct);
            return;
        }
        await using (var release = new NpgsqlCommand("RELEASE SAVEPOINT mask_fit", conn)) await release.ExecuteNonQueryAsync(ct);
        for (var i = 0; i < checks.Count; i++)
        {
            if (counts[i + 1] == 0) continue;
            var c = checks[i];
            var rules = c.Columns.Where(masked.ContainsKey).Select(col => $"{Sql.Ident(col)} {masked[col].Rule}");
            throw PgCloneException.For(source, $"check constraint {Sql.Ident(c.Name)} on {table.Quoted}",
                $"the masked values of {Words.Count(counts[i + 1], "sampled row")} of {counts[0]} break it (CHECK {c.Expression}), under the mask rules " +
                $"{string.Join(", ", rules)}; choose rules whose values it accepts, or leave the column unmasked");
        }
    }
}
