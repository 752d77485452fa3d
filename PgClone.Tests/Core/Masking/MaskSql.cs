using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using PgClone.Core.Catalog;
using PgClone.Core.Masking;

namespace PgClone.Tests.Core.Masking;

/// <summary>Runs a mask expression over literal values on a real server and returns the masked values as text.</summary>
internal static class MaskSql
{
    public static readonly MaskingSecret Secret = MaskingSecret.FromText("pgclone-test-secret-0123456789");

    public static MaskRule Rule(string json) => MaskRule.Parse(JsonNode.Parse(json), "column \"value\"");

    public static MaskColumn Column(string type, bool pk = false) => new(new QualifiedName("public", "t"), "value", type, pk, false, false);

    public static async Task<List<string?>> ApplyAsync(string cs, string ruleJson, string type, params string?[] values) =>
        await ApplyAsync(cs, Rule(ruleJson), type, Secret, values);

    public static async Task<List<string?>> ApplyAsync(string cs, MaskRule rule, string type, MaskingSecret secret, params string?[] values)
    {
        var expression = MaskExpressions.For(rule, Column(type), secret.InlineSql());
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        // The clone runs with search_path = pg_catalog: the expressions must not depend on it.
        await using (var set = new NpgsqlCommand("SET search_path = pg_catalog", conn)) await set.ExecuteNonQueryAsync();
        await using var cmd = new NpgsqlCommand(
            $"SELECT ({expression})::text FROM (SELECT u.raw::{type} AS \"value\", u.ord FROM unnest($1::text[]) WITH ORDINALITY AS u(raw, ord)) AS t ORDER BY t.ord", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await using var reader = await cmd.ExecuteReaderAsync();
        var result = new List<string?>();
        while (await reader.ReadAsync()) result.Add(reader.IsDBNull(0) ? null : reader.GetString(0));
        return result;
    }
}
