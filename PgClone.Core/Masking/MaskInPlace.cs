using System.Text.Json.Nodes;
using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>What static masking changed.</summary>
public sealed record MaskInPlaceResult(QualifiedName Table, long Rows, IReadOnlyList<string> Columns);

/// <summary>
/// Static masking: one UPDATE of an existing table with the same expressions a masked clone uses, in one
/// transaction. User triggers must not fire (an audit trigger would copy the original values elsewhere, an
/// updated_at trigger would touch every row): as a superuser the transaction sets
/// <c>session_replication_role = replica</c> (SET LOCAL, so it ends with the transaction); otherwise, as the table
/// owner, it disables the user triggers with ALTER TABLE inside the same transaction (which locks the table).
/// In both cases foreign key checks on the masked columns do not run: mask both sides of a key with the same
/// keyed strategy. Identity ALWAYS and generated columns cannot be updated and are refused.
/// </summary>
public static class MaskInPlace
{
    public static Task<MaskInPlaceResult> RunAsync(ServerEndpoint target, QualifiedName table, JsonObject rulesJson,
        MaskingSecret secret, CancellationToken ct) => RunAsync(target, table, rulesJson, () => secret, ct);

    /// <summary>As above; <paramref name="secret"/> is called only when a keyed rule needs it.</summary>
    public static async Task<MaskInPlaceResult> RunAsync(ServerEndpoint target, QualifiedName table, JsonObject rulesJson,
        Func<MaskingSecret> secret, CancellationToken ct)
    {
        var rules = MaskRuleSet.ForColumns(rulesJson);
        if (rules.IsEmpty) throw PgCloneException.For(target, $"table {table.Quoted}", "no mask rules given");
        await using var conn = await target.OpenAsync(ct);
        var columns = await MaskCatalog.TableAsync(conn, target, table, ct);
        var key = rules.Columns.Values.Any(r => r.IsKeyed) ? secret().InlineSql() : MaskKeySql.None;
        var sets = MaskingConnections.Expressions(target, columns, rules, key, c =>
            c.IdentityAlways ? "is an identity column GENERATED ALWAYS, which cannot be updated"
            : c.Generated ? "is a generated column, which cannot be updated" : null);
        try
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            var superuser = await MaskingConnections.ScalarAsync<string>(conn, "SELECT pg_catalog.current_setting('is_superuser')", ct) == "on";
            await MaskingConnections.ExecAsync(conn, superuser
                ? "SET LOCAL session_replication_role = replica"
                : $"ALTER TABLE {table.Quoted} DISABLE TRIGGER USER", ct);
            long rows;
            await using (var update = new NpgsqlCommand($"UPDATE {table.Quoted} SET {string.Join(", ", sets.Select(s => $"{Sql.Ident(s.Column)} = {s.Expression}"))}", conn))
                rows = await update.ExecuteNonQueryAsync(ct);
            if (!superuser) await MaskingConnections.ExecAsync(conn, $"ALTER TABLE {table.Quoted} ENABLE TRIGGER USER", ct);
            await tx.CommitAsync(ct);
            return new MaskInPlaceResult(table, rows, sets.Select(s => s.Column).ToList());
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(target, $"table {table.Quoted}", e); }
    }
}
