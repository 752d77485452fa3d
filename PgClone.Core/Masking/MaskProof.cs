using Npgsql;
using NpgsqlTypes;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Masking;

/// <summary>
/// Proof of masking after a clone: reads a bounded sample of each masked table on the target, finds the same rows
/// on the source by primary key, and checks that no masked column on the target holds its source value. Equal
/// values are allowed only where they are legitimate: NULL stays NULL, a constant, a random_int that happened to
/// draw the original, or a value its rule maps to itself (<c>***</c> under email; the rule's own expression is recomputed on the
/// source, so an expression that passes values through is caught). Anything else is a leak
/// and fails the run naming the column.
/// </summary>
public static class MaskProof
{
    public const int SampleRows = 1000;

    public static async Task<string?> ProveAsync(NpgsqlConnection source, NpgsqlConnection target, ServerEndpoint sourceServer,
        ServerEndpoint targetServer, ClonePlan plan, IReadOnlyCollection<MaskedColumn> masked, MaskKeySql key, CancellationToken ct)
    {
        if (masked.Count == 0) return null;
        int tables = 0, columns = 0, rows = 0, collisions = 0;
        var unchecked_ = new List<string>();
        var leaks = new List<string>();
        foreach (var t in plan.Tables)
        {
            var mine = masked.Where(m => m.Column.Table == t.Source && t.TargetColumns.Contains(m.Column.Column)).ToList();
            if (mine.Count == 0) continue;
            var catalog = await MaskCatalog.TableAsync(source, sourceServer, t.Source, ct);
            var pk = catalog.Where(c => c.InPrimaryKey).ToList();
            if (pk.Count == 0 || pk.Any(k => mine.Any(m => m.Column.Column == k.Column) || !t.TargetColumns.Contains(k.Column)))
            {
                unchecked_.Add(t.Target.Quoted);
                continue;
            }
            tables++;
            columns += mine.Count;
            var targetRows = await ReadAsync(target, targetServer, t.Target,
                $"SELECT {string.Join(", ", pk.Select(k => k.Column).Concat(mine.Select(m => m.Column.Column)).Select(c => $"{Sql.Ident(c)}::text"))} " +
                $"FROM {t.Target.Quoted} LIMIT {SampleRows}", null, ct);
            if (targetRows.Count == 0) continue;
            rows += targetRows.Count;
            var keys = pk.Select((_, i) => targetRows.Select(r => (string?)r[i]).ToArray()).ToArray();
            var join = string.Join(" AND ", pk.Select((k, i) => $"s.{Sql.Ident(k.Column)} = k.pgclone_k{i}::{k.DataType}"));
            var sourceRows = await ReadAsync(source, sourceServer, t.Source,
                $"SELECT k.pgclone_ord, {string.Join(", ", mine.Select(m => $"s.{Sql.Ident(m.Column.Column)}::text, ({MaskExpressions.For(m.Rule, m.Column, key)})::text"))} " +
                $"FROM pg_catalog.unnest({string.Join(", ", pk.Select((_, i) => $"${i + 1}::text[]"))}) WITH ORDINALITY AS k({string.Join(", ", pk.Select((_, i) => $"pgclone_k{i}"))}, pgclone_ord) " +
                $"JOIN {t.Source.Quoted} AS s ON {join}", keys, ct);
            var leaked = new int[mine.Count];
            foreach (var s in sourceRows)
            {
                var tr = targetRows[(int)(long)s[0]! - 1];
                for (var i = 0; i < mine.Count; i++)
                {
                    var (original, remasked, copied) = ((string?)s[1 + 2 * i], (string?)s[2 + 2 * i], (string?)tr[pk.Count + i]);
                    if (copied is null || copied != original) continue;
                    var rule = mine[i].Rule;
                    if (rule.Strategy is MaskStrategy.Constant or MaskStrategy.RandomInt || (rule.IsDeterministic && remasked == original)) collisions++;
                    else leaked[i]++;
                }
            }
            for (var i = 0; i < mine.Count; i++)
                if (leaked[i] > 0)
                    leaks.Add($"{t.Target.Quoted}.{Sql.Ident(mine[i].Column.Column)} ({mine[i].Rule.StrategyName}) equals its source value in {leaked[i]} of {sourceRows.Count} sampled rows");
        }
        if (leaks.Count > 0) throw PgCloneException.For(targetServer, null, $"masking proof failed: {string.Join("; ", leaks)}");
        var line = $"masking proof: {columns} masked column{(columns == 1 ? "" : "s")} in {tables} table{(tables == 1 ? "" : "s")}, {rows} sampled rows compared with the source by primary key: no original value on the target";
        if (collisions > 0) line += $" ({collisions} legitimate collision{(collisions == 1 ? "" : "s")})";
        if (unchecked_.Count > 0) line += $"; not checked (no primary key to join on, or it is masked): {string.Join(", ", unchecked_)}";
        return line;
    }

    private static async Task<List<object?[]>> ReadAsync(NpgsqlConnection conn, ServerEndpoint server, QualifiedName table, string sql,
        string?[][]? arrays, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            foreach (var array in arrays ?? [])
                cmd.Parameters.Add(new NpgsqlParameter { Value = array, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<object?[]>();
            while (await reader.ReadAsync(ct))
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                rows.Add(row);
            }
            return rows;
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(server, $"table {table.Quoted}", e); }
    }
}
