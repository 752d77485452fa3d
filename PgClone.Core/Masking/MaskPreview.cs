using System.Text.Json.Nodes;
using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>
/// A few rows of a table as a masked clone would write them: <see cref="Columns"/> in table order (generated
/// columns left out: the target computes them), <see cref="Masked"/> the ones a rule masks, values as text.
/// </summary>
public sealed record MaskPreviewResult(QualifiedName Table, IReadOnlyList<string> Columns, IReadOnlyList<string> Masked,
    IReadOnlyList<IReadOnlyList<string?>> Rows);

/// <summary>
/// Shows what masking does before a clone runs: reads a handful of rows ON THE SOURCE through the same checked
/// mask expressions the clone's COPY uses, inside a read-only transaction, so unmasked values of masked columns
/// never leave the server and nothing can be changed. Rows come in primary key order when the table has one.
/// </summary>
public static class MaskPreview
{
    public const int DefaultRows = 5;

    /// <param name="rulesJson">The table's rules by column (<c>{"email": "email"}</c>), as in a table clone's mask option.</param>
    /// <param name="secret">Called only when a keyed rule needs it.</param>
    public static async Task<MaskPreviewResult> SampleAsync(ServerEndpoint source, QualifiedName table, JsonObject? rulesJson,
        Func<MaskingSecret> secret, int rows = DefaultRows, CancellationToken ct = default)
    {
        if (rows is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(rows), rows, "between 1 and 100 rows");
        var rules = MaskRuleSet.ForColumns(rulesJson);
        await using var conn = await source.OpenAsync(ct);
        try
        {
            await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await MaskingConnections.ExecAsync(conn, "SET TRANSACTION READ ONLY; SET LOCAL search_path = pg_catalog", ct);
            var columns = await MaskCatalog.TableAsync(conn, source, table, ct);
            var key = rules.Columns.Values.Any(r => r.IsKeyed) ? secret().InlineSql() : MaskKeySql.None;
            var masked = rules.IsEmpty ? [] : MaskingConnections.Expressions(source, columns, rules, key)
                .ToDictionary(m => m.Column, m => m.Expression, StringComparer.Ordinal);
            var shown = columns.Where(c => !c.Generated).ToList();
            var select = string.Join(", ", shown.Select(c => $"({masked.GetValueOrDefault(c.Column) ?? Sql.Ident(c.Column)})::text"));
            // Qualified: a bare name in ORDER BY would mean the output column, which is the value cast to text.
            var keys = shown.Where(c => c.InPrimaryKey).Select(c => $"{table.Quoted}.{Sql.Ident(c.Column)}").ToList();
            var order = keys.Count > 0 ? $" ORDER BY {string.Join(", ", keys)}" : "";
            var result = await new SessionWarmup(conn, source).ReadAsync(table.Quoted, () => ReadQuery.RowsAsync(conn, source, $"table {table.Quoted}",
                $"SELECT {select} FROM {table.Quoted}{order} LIMIT {rows}",
                r => (IReadOnlyList<string?>)[.. Enumerable.Range(0, shown.Count).Select(i => r.IsDBNull(i) ? null : r.GetString(i))], ct), ct);
            return new MaskPreviewResult(table, shown.Select(c => c.Column).ToList(),
                shown.Where(c => masked.ContainsKey(c.Column)).Select(c => c.Column).ToList(), result);
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(source, $"table {table.Quoted}", e); }
    }
}
