using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Preflight;

/// <summary>SELECT on every source table the plan copies; CREATE on the target database (new schemas) and schemas (new objects).</summary>
internal static class PrivilegeChecks
{
    public static async Task<List<PreflightCheck>> SourceAsync(NpgsqlConnection source, ServerEndpoint server, ServerFacts facts, ClonePlan plan, CancellationToken ct)
    {
        var denied = await PreflightSql.RowsAsync(source, server,
            "SELECT x FROM unnest($1::text[]) x WHERE NOT pg_catalog.has_table_privilege(x, 'SELECT') ORDER BY 1",
            r => r.GetString(0), ct, (object)plan.Tables.Select(t => t.Source.Quoted).Distinct().ToArray());
        if (denied.Count == 0)
            return [new PreflightCheck("privilege.source", PreflightStatus.Ok, $"source user {facts.User} may SELECT from {(plan.Tables.Count == 1 ? "the table" : $"all {Words.Count(plan.Tables.Count, "table")}")} to copy")];
        return [.. denied.Select(t => new PreflightCheck("privilege.source", PreflightStatus.Blocker, $"source user {facts.User} has no SELECT privilege", $"table {t}"))];
    }

    public static async Task<List<PreflightCheck>> TargetAsync(NpgsqlConnection target, ServerEndpoint server, ServerFacts facts, CloneRequest request,
        ClonePlan plan, CancellationToken ct)
    {
        var checks = new List<PreflightCheck>();
        var newSchemas = plan.PreData.Where(s => s.ObjectKind == "schema").Select(s => s.ObjectName).Distinct().ToList();
        if (newSchemas.Count > 0)
        {
            var may = await PreflightSql.RowAsync(target, server,
                "SELECT pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE'), pg_catalog.current_database()::text",
                r => (Create: r.GetBoolean(0), Database: r.GetString(1)), ct);
            if (!may.Create)
                checks.Add(new PreflightCheck("privilege.target", PreflightStatus.Blocker,
                    $"target user {facts.User} has no CREATE privilege on the database, needed to create {Words.Noun(newSchemas.Count, "schema")} {string.Join(", ", newSchemas)}",
                    $"database {Sql.Ident(may.Database)}"));
        }
        var schemas = plan.Tables.Select(t => t.Target.Schema).Append(request.Schema).OfType<string>().Distinct().ToArray();
        var denied = await PreflightSql.RowsAsync(target, server, """
            SELECT n.nspname::text FROM pg_catalog.pg_namespace n
            WHERE n.nspname = ANY($1::text[]) AND NOT pg_catalog.has_schema_privilege(n.oid, 'CREATE') ORDER BY 1
            """, r => r.GetString(0), ct, (object)schemas);
        checks.AddRange(denied.Select(s => new PreflightCheck("privilege.target", PreflightStatus.Blocker,
            $"target user {facts.User} has no CREATE privilege on the schema", $"schema {Sql.Ident(s)}")));
        if (checks.Count == 0)
            checks.Add(new PreflightCheck("privilege.target", PreflightStatus.Ok, $"target user {facts.User} may create the planned objects"));
        return checks;
    }
}
