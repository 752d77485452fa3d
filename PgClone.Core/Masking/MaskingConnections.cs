using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>What the stand-alone masking operations (in place, masked views, report) share: running SQL, validated expressions.</summary>
internal static class MaskingConnections
{
    public static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<T?> ScalarAsync<T>(NpgsqlConnection conn, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        var value = await Jobs.JobSession.FirstValueAsync(cmd, ct);
        return value is null or DBNull ? default : (T)value;
    }

    /// <summary>
    /// The mask expression of every ruled column of one table, in column order, after the same checks a clone makes;
    /// <paramref name="refuse"/> adds the operation's own (e.g. identity columns cannot be updated).
    /// </summary>
    public static IReadOnlyList<(string Column, MaskRule Rule, string Expression)> Expressions(ServerEndpoint server,
        IReadOnlyList<MaskCatalogColumn> columns, MaskRuleSet rules, MaskKeySql key, Func<MaskCatalogColumn, string?>? refuse = null)
    {
        var result = new List<(string, MaskRule, string)>();
        foreach (var column in columns)
        {
            if (rules.Find(column.Table, column.Column) is not { } rule) continue;
            result.Add((column.Column, rule, MaskExpressions.Checked(rule, column.ToMaskColumn(), key, server, refuse?.Invoke(column))));
        }
        var unused = rules.Unused();
        if (unused.Count > 0)
            throw PgCloneException.For(server, $"table {columns[0].Table.Quoted}", $"mask rules name no column of the table: {string.Join(", ", unused)}");
        return result;
    }
}
