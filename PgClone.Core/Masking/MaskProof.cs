using Npgsql;
using NpgsqlTypes;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Masking;

/// <summary>
/// Proof of masking after a clone: reads a bounded sample of each masked table on the source (with the clone's
/// WHERE), finds the same rows on the target by primary key (recomputing a masked key), and checks that no masked column on the target holds its source value. Equal
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
        var warmup = new SessionWarmup(source, sourceServer);
        int tables = 0, columns = 0, rows = 0, collisions = 0;
        var unchecked_ = new List<string>();
        var leaks = new List<string>();
        foreach (var t in plan.Tables)
        {
            var mine = masked.Where(m => m.Column.Table == t.Source && t.TargetColumns.Contains(m.Column.Column)).ToList();
            if (mine.Count == 0) continue;
            var catalog = await MaskCatalog.TableAsync(source, sourceServer, t.Source, ct);
            var pk = catalog.Where(c => c.InPrimaryKey).ToList();
            if (pk.Count == 0 || pk.Any(k => !t.TargetColumns.Contains(k.Column)) || t.SourceExpressions.Count != t.TargetColumns.Count)
            {
                unchecked_.Add(t.Target.Quoted);
                continue;
            }
            tables++;
            columns += mine.Count;
            // Sample the source and find the rows on the target through the key as it was copied: a key masked with a
            // deterministic strategy is recomputed here, so masked keys are followed too.
            // A key masked on the stream is read raw by the copy: its SQL expression (the same mask) follows it here.
            var copiedKey = pk.Select(k => masked.FirstOrDefault(m => m.Column.Table == t.Source && m.Column.Column == k.Column)?.Expression
                                           ?? t.SourceExpressions[IndexOf(t.TargetColumns, k.Column)]);
            // Row layout: the keys as copied, the keys as stored (to find a row again), the masked columns' values.
            var sourceRows = await warmup.ReadAsync(t.Where is null ? t.Source.Quoted : null, () => ReadAsync(source, sourceServer, t.Source,
                $"SELECT {string.Join(", ", copiedKey.Select(e => $"({e})::text"))}, {string.Join(", ", pk.Select(k => $"{Sql.Ident(k.Column)}::text"))}, " +
                $"{string.Join(", ", mine.Select(m => Compared(Sql.Ident(m.Column.Column))))} " +
                $"FROM {t.Source.Quoted}{(t.Where is null ? "" : $" WHERE {t.Where}")} LIMIT {SampleRows}", null, ct), ct);
            if (sourceRows.Count == 0) continue;
            var keys = pk.Select((_, i) => sourceRows.Select(r => (string?)r[i]).ToArray()).ToArray();
            var targetRows = await ReadAsync(target, targetServer, t.Target,
                $"SELECT k.pgclone_ord, {string.Join(", ", mine.Select(m => Compared($"d.{Sql.Ident(m.Column.Column)}")))} " +
                $"FROM {ByKeys(pk)} JOIN {t.Target.Quoted} AS d ON {KeyJoin(pk, "d")}", keys, ct);
            rows += targetRows.Count;
            var leaked = new int[mine.Count];
            // A value equal to its original is a leak unless its rule may give that: a constant, a random_int that
            // drew it, or a deterministic rule that maps the value to itself. Only those few are recomputed, by the
            // rule's own SQL expression on the source (so an expression that passes values through is caught).
            var equal = new List<(int Row, int Column)>();
            foreach (var d in targetRows)
            {
                var row = (int)(long)d[0]! - 1;
                for (var i = 0; i < mine.Count; i++)
                {
                    var (original, copied) = ((string?)sourceRows[row][2 * pk.Count + i], (string?)d[1 + i]);
                    if (copied is null || copied != original) continue;
                    var rule = mine[i].Rule;
                    if (rule.Strategy is MaskStrategy.Constant or MaskStrategy.RandomInt) collisions++;
                    else if (rule.IsDeterministic) equal.Add((row, i));
                    else leaked[i]++;
                }
            }
            if (equal.Count > 0)
            {
                var again = equal.Select(e => e.Row).Distinct().ToList();
                var stored = pk.Select((_, i) => again.Select(r => (string?)sourceRows[r][pk.Count + i]).ToArray()).ToArray();
                var remasked = await ReadAsync(source, sourceServer, t.Source,
                    $"SELECT k.pgclone_ord, {string.Join(", ", mine.Select(m => Compared(MaskExpressions.For(m.Rule, m.Column, key))))} " +
                    $"FROM {ByKeys(pk)} JOIN {t.Source.Quoted} ON {KeyJoin(pk, t.Source.Quoted)}", stored, ct);
                var byRow = remasked.ToDictionary(r => again[(int)(long)r[0]! - 1]);
                foreach (var (row, i) in equal)
                {
                    if (byRow.TryGetValue(row, out var r) && (string?)r[1 + i] == (string?)sourceRows[row][2 * pk.Count + i]) collisions++;
                    else leaked[i]++;
                }
            }
            for (var i = 0; i < mine.Count; i++)
                if (leaked[i] > 0)
                    leaks.Add($"{t.Target.Quoted}.{Sql.Ident(mine[i].Column.Column)} ({mine[i].Rule.StrategyName}) equals its source value in {leaked[i]} of {targetRows.Count} sampled rows");
        }
        if (leaks.Count > 0) throw PgCloneException.For(targetServer, null, $"masking proof failed: {string.Join("; ", leaks)}");
        var line = $"{Jobs.CloneResult.ProofNote} {columns} masked column{(columns == 1 ? "" : "s")} in {tables} table{(tables == 1 ? "" : "s")}, {rows} sampled rows compared with the source by primary key: no original value on the target";
        if (collisions > 0) line += $" ({collisions} legitimate collision{(collisions == 1 ? "" : "s")})";
        if (unchecked_.Count > 0) line += $"; not checked (no primary key to join on): {string.Join(", ", unchecked_)}";
        return line;
    }

    /// <summary>
    /// A value as the proof compares it: the SHA-256 of its text, so a sample of large values (a masked 1 MB note in
    /// each of 1000 rows) is not held in memory twice over (it was, as text, from both servers). NULL stays NULL.
    /// </summary>
    private static string Compared(string expression) =>
        $"pg_catalog.encode(pg_catalog.sha256(pg_catalog.textsend(({expression})::text)), 'hex')";

    /// <summary>The key values given as text arrays ($1, $2, ...), numbered from 1 in their order.</summary>
    private static string ByKeys(IReadOnlyList<MaskCatalogColumn> pk) =>
        $"ROWS FROM ({string.Join(", ", pk.Select((_, i) => $"pg_catalog.unnest(${i + 1}::text[])"))}) WITH ORDINALITY AS k({string.Join(", ", pk.Select((_, i) => $"pgclone_k{i}"))}, pgclone_ord)";

    private static string KeyJoin(IReadOnlyList<MaskCatalogColumn> pk, string table) =>
        string.Join(" AND ", pk.Select((k, i) => $"{table}.{Sql.Ident(k.Column)} = k.pgclone_k{i}::{k.DataType}"));

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == item) return i;
        return -1;
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
