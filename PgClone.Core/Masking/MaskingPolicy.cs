using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>A masked view as its comment records it (the report and drop read it back).</summary>
public sealed record MaskingPolicyInfo(QualifiedName View, QualifiedName Table, JsonObject Rules, string PrivilegedRole, bool GrantedPrivileged);

/// <summary>
/// Dynamic masking: a view <c>&lt;table&gt;_masked</c> computing the mask expressions over the live table, readable
/// by PUBLIC, while only the privileged role may still read the table itself.
/// <para>
/// The secret of keyed strategies: a view's definition is readable by anyone who can read the catalog, so no key
/// is written into it. The view reads its key from <c>pgclone_masking.policy_keys</c>, a table in a schema PUBLIC
/// has no access to; a view reads what it references with its owner's rights, so readers of the view get masked
/// values but can neither read the key nor compute masks of guessed values themselves. The stored key is derived
/// per view from the installation secret (HMAC with the view's database and name), so whoever can read the key
/// table (the owner, superusers) learns nothing about the installation secret or other views' and clones' masks.
/// The trade-off: masked values in a view do not match the same value masked by a clone or another view, so
/// joins across them do not work.
/// </para>
/// </summary>
public static class MaskingPolicy
{
    public const string KeySchema = "pgclone_masking";
    private const string Marker = "pgclone_masking_policy";

    public static QualifiedName ViewOf(QualifiedName table) => new(table.Schema, table.Name + "_masked");

    public static Task<MaskingPolicyInfo> CreateAsync(ServerEndpoint target, QualifiedName table, JsonObject rulesJson,
        string privilegedRole, MaskingSecret secret, CancellationToken ct) => CreateAsync(target, table, rulesJson, privilegedRole, () => secret, ct);

    /// <summary>As above; <paramref name="secret"/> is called only when a keyed rule needs it.</summary>
    public static async Task<MaskingPolicyInfo> CreateAsync(ServerEndpoint target, QualifiedName table, JsonObject rulesJson,
        string privilegedRole, Func<MaskingSecret> secret, CancellationToken ct)
    {
        var rules = MaskRuleSet.ForColumns(rulesJson);
        if (rules.IsEmpty) throw PgCloneException.For(target, $"table {table.Quoted}", "no mask rules given");
        var view = ViewOf(table);
        if (System.Text.Encoding.UTF8.GetByteCount(view.Name) > 63)
            throw PgCloneException.For(target, $"table {table.Quoted}", $"the masked view's name {Sql.Ident(view.Name)} is longer than PostgreSQL's 63-byte limit");
        await using var conn = await target.OpenAsync(ct);
        var columns = await MaskCatalog.TableAsync(conn, target, table, ct);
        var keyed = rules.Columns.Values.Any(r => r.IsKeyed);
        var key = keyed ? KeyQuery(view) : MaskKeySql.None;
        var masked = MaskingConnections.Expressions(target, columns, rules, key).ToDictionary(m => m.Column, m => m.Expression);
        try
        {
            if (await MaskingConnections.ScalarAsync<bool>(conn, "SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)", ct, privilegedRole))
                throw PgCloneException.For(target, $"role {Sql.Ident(privilegedRole)}", "does not exist");
            if (await MaskingConnections.ScalarAsync<bool>(conn, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", ct, view.Quoted))
                throw PgCloneException.For(target, $"view {view.Quoted}", "already exists; drop the masking policy first");
            var granted = !await MaskingConnections.ScalarAsync<bool>(conn,
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a JOIN pg_catalog.pg_roles r ON r.oid = a.grantee " +
                "WHERE c.oid = $1::regclass AND r.rolname = $2 AND a.privilege_type = 'SELECT')", ct, table.Quoted, privilegedRole);
            var info = new MaskingPolicyInfo(view, table, rulesJson, privilegedRole, granted);
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (keyed) await StoreKeyAsync(conn, target, view, secret(), ct);
            var select = string.Join(", ", columns.Select(c => masked.TryGetValue(c.Column, out var e) ? $"{e} AS {Sql.Ident(c.Column)}" : Sql.Ident(c.Column)));
            await MaskingConnections.ExecAsync(conn, $"CREATE VIEW {view.Quoted} AS SELECT {select} FROM {table.Quoted}", ct);
            await MaskingConnections.ExecAsync(conn, $"COMMENT ON VIEW {view.Quoted} IS {Sql.Literal(Describe(info))}", ct);
            await MaskingConnections.ExecAsync(conn, $"REVOKE SELECT ON {table.Quoted} FROM PUBLIC", ct);
            await MaskingConnections.ExecAsync(conn, $"GRANT SELECT ON {view.Quoted} TO PUBLIC", ct);
            await MaskingConnections.ExecAsync(conn, $"GRANT SELECT ON {table.Quoted} TO {Sql.Ident(privilegedRole)}", ct);
            await tx.CommitAsync(ct);
            return info;
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(target, $"table {table.Quoted}", e); }
    }

    /// <summary>Drops the view, gives PUBLIC its SELECT on the table back, and takes back the privileged role's grant if the policy made it.</summary>
    public static async Task<MaskingPolicyInfo> DropAsync(ServerEndpoint target, QualifiedName table, CancellationToken ct)
    {
        var view = ViewOf(table);
        await using var conn = await target.OpenAsync(ct);
        var info = (await ListAsync(conn, target, table.Schema, ct)).FirstOrDefault(p => p.View == view)
            ?? throw PgCloneException.For(target, $"view {view.Quoted}", "is not a pgclone masking policy (no such view, or not created by pgclone)");
        try
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await MaskingConnections.ExecAsync(conn, $"DROP VIEW {view.Quoted}", ct);
            await MaskingConnections.ExecAsync(conn, $"GRANT SELECT ON {table.Quoted} TO PUBLIC", ct);
            if (info.GrantedPrivileged && await MaskingConnections.ScalarAsync<bool>(conn, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)", ct, info.PrivilegedRole))
                await MaskingConnections.ExecAsync(conn, $"REVOKE SELECT ON {table.Quoted} FROM {Sql.Ident(info.PrivilegedRole)}", ct);
            if (await MaskingConnections.ScalarAsync<bool>(conn, $"SELECT pg_catalog.to_regclass('{KeySchema}.policy_keys') IS NOT NULL", ct))
                await MaskingConnections.ExecAsync(conn, $"DELETE FROM {KeySchema}.policy_keys WHERE view_schema = $1 AND view_name = $2", ct, view.Schema, view.Name);
            await tx.CommitAsync(ct);
            return info;
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(target, $"table {table.Quoted}", e); }
    }

    /// <summary>The masking policies (pgclone's masked views) of a schema.</summary>
    public static async Task<IReadOnlyList<MaskingPolicyInfo>> ListAsync(NpgsqlConnection conn, ServerEndpoint server, string schema, CancellationToken ct)
    {
        const string sql = """
            SELECT c.relname, d.description FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
            WHERE c.relkind = 'v' AND n.nspname = $1 AND d.description LIKE '{"pgclone_masking_policy"%'
            ORDER BY c.relname
            """;
        var policies = new List<MaskingPolicyInfo>();
        try
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = schema });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                if (Parse(new QualifiedName(schema, reader.GetString(0)), reader.GetString(1)) is { } policy) policies.Add(policy);
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(server, $"schema {Sql.Ident(schema)}", e); }
        return policies;
    }

    /// <summary>A view comment read back; null when it only looks like ours.</summary>
    private static MaskingPolicyInfo? Parse(QualifiedName view, string comment)
    {
        try
        {
            return JsonNode.Parse(comment) is JsonObject { } o && o["table"] is JsonValue table && o["rules"] is JsonObject rules
                   && o["privileged_role"] is JsonValue role && o["granted_privileged"] is JsonValue granted
                ? new MaskingPolicyInfo(view, new QualifiedName(view.Schema, (string)table!), (JsonObject)rules.DeepClone(), (string)role!, (bool)granted!)
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return null; }
    }

    private static string Describe(MaskingPolicyInfo info) => new JsonObject
    {
        [Marker] = 1, ["table"] = info.Table.Name, ["rules"] = info.Rules.DeepClone(),
        ["privileged_role"] = info.PrivilegedRole, ["granted_privileged"] = info.GrantedPrivileged,
    }.ToJsonString();

    private static MaskKeySql KeyQuery(QualifiedName view)
    {
        string Pad(string column) =>
            $"(SELECT pgclone_keys.{column} FROM {KeySchema}.policy_keys AS pgclone_keys WHERE pgclone_keys.view_schema = {Sql.Literal(view.Schema)} AND pgclone_keys.view_name = {Sql.Literal(view.Name)})";
        return new MaskKeySql(Pad("inner_pad"), Pad("outer_pad"));
    }

    private static async Task StoreKeyAsync(NpgsqlConnection conn, ServerEndpoint target, QualifiedName view, MaskingSecret secret, CancellationToken ct)
    {
        await MaskingConnections.ExecAsync(conn, $"""
            CREATE SCHEMA IF NOT EXISTS {KeySchema};
            REVOKE ALL ON SCHEMA {KeySchema} FROM PUBLIC;
            CREATE TABLE IF NOT EXISTS {KeySchema}.policy_keys (
                view_schema text NOT NULL, view_name text NOT NULL, inner_pad bytea NOT NULL, outer_pad bytea NOT NULL,
                PRIMARY KEY (view_schema, view_name));
            REVOKE ALL ON {KeySchema}.policy_keys FROM PUBLIC
            """, ct);
        var (inner, outer) = secret.Derive($"policy:{target.Database}:{view.Schema}.{view.Name}").Pads();
        await MaskingConnections.ExecAsync(conn,
            $"INSERT INTO {KeySchema}.policy_keys VALUES ($1, $2, $3, $4) ON CONFLICT (view_schema, view_name) DO UPDATE SET inner_pad = EXCLUDED.inner_pad, outer_pad = EXCLUDED.outer_pad",
            ct, view.Schema, view.Name, inner, outer);
    }
}
