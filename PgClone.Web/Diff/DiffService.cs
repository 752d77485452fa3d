using System.Security.Claims;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;
using PgClone.Core.Verification;
using PgClone.Web.Audit;
using PgClone.Web.Connections;
using PgClone.Web.Runs;

namespace PgClone.Web.Diff;

/// <summary>
/// What to compare: two connections and a schema; for verify, the mode and optionally the run whose mask rules exclude
/// columns; for diff, whether owners and grants are compared, and whether the database's own objects are.
/// </summary>
public sealed record CompareRequest(int SourceConnectionId, int TargetConnectionId, string Schema, VerifyMode Mode = VerifyMode.Exact, long? RunId = null,
    bool Privileges = true, bool DatabaseWide = true);

/// <summary>
/// A run's scope as verify and diff take it over: its connections, its schema, the columns its mask rules change, and
/// whether its clone brought the database's own objects (a database clone did; a schema or table clone, like
/// pg_dump -n, did not, so its drift leaves them out by default).
/// </summary>
public sealed record RunScope(long RunId, int SourceConnectionId, int TargetConnectionId, string Schema, IReadOnlyList<string> MaskedColumns, bool DatabaseWide);

/// <summary>
/// Schema drift and data verification between two registered connections, with the engine's
/// <see cref="SchemaDiffer"/> and <see cref="TableVerifier"/> (read-only on both servers). The user must be allowed
/// to reach both connections. For a run, masked columns are excluded from checksums by reading the run's mask rules.
/// </summary>
public sealed class DiffService(ConnectionService connections, RunsService runs, AuditLog audit)
{
    public async Task<SchemaDiffResult> DiffAsync(CompareRequest request, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var (source, target, schema) = await EndpointsAsync(request, user, ct);
        var result = await new SchemaDiffer { Privileges = request.Privileges, DatabaseWide = request.DatabaseWide }.DiffAsync(source, target, schema, ct);
        await audit.RecordAsync(AuditActions.SchemaDiffed, Subject(source, target, schema),
            new { source = source.Name, target = target.Name, schema, privileges = request.Privileges, databaseWide = request.DatabaseWide, result.InSync, result.DiffCount },
            request.SourceConnectionId, audit.ActorFor(user), ct);
        return result;
    }

    public async Task<VerifyResult> VerifyAsync(CompareRequest request, ClaimsPrincipal user, CancellationToken ct = default)
    {
        IReadOnlyList<string> excluded = [];
        if (request.RunId is { } runId)
        {
            var scope = await RunScopeAsync(runId, ct);
            request = request with { SourceConnectionId = scope.SourceConnectionId, TargetConnectionId = scope.TargetConnectionId, Schema = scope.Schema };
            excluded = scope.MaskedColumns;
        }
        var (source, target, schema) = await EndpointsAsync(request, user, ct);
        var result = await new TableVerifier().VerifyAsync(source, target, new VerifyOptions { Schema = schema, Mode = request.Mode, ExcludeColumns = excluded }, ct);
        await audit.RecordAsync(AuditActions.SchemaVerified, Subject(source, target, schema), new
        {
            source = source.Name, target = target.Name, schema, mode = request.Mode.ToString().ToLowerInvariant(), run = request.RunId,
            excluded, result.AllMatch, mismatched = result.Tables.Where(t => t.Status != VerifyStatus.Match).Select(t => t.Table),
        }, request.SourceConnectionId, audit.ActorFor(user), ct);
        return result;
    }

    /// <summary>
    /// The run's connections and schema, and the columns its mask rules change (as schema.table.column), parsed by the
    /// engine's own mask-rule reader for the run's operation.
    /// </summary>
    public async Task<RunScope> RunScopeAsync(long runId, CancellationToken ct = default)
    {
        var run = await runs.GetAsync(runId, ct) ?? throw new RunRejectedException(RunRejection.NotFound, $"run #{runId} does not exist");
        if (run.SourceConnectionId is not { } source || run.TargetConnectionId is not { } target)
            throw new RunRejectedException(RunRejection.Conflict, $"run #{runId}: its source or target connection was deleted");
        if (RunOperations.ToClone(run.Run.Operation) is not { } operation || operation == CloneOperation.Functions)
            throw new RunRejectedException(RunRejection.Invalid, $"run #{runId} is a {run.Run.Operation} run: it copied no table data to verify");
        var schema = run.Run.Schema ?? "public";
        var rules = MaskRuleSet.Parse(run.Options?.Mask, operation, schema);
        var masked = rules.VerifyExclusions(operation == CloneOperation.Table && run.Run.Table is { } table ? new QualifiedName(schema, table) : null);
        return new RunScope(runId, source, target, schema, masked, DatabaseWide: operation is not (CloneOperation.Schema or CloneOperation.Table));
    }

    private async Task<(ServerEndpoint Source, ServerEndpoint Target, string Schema)> EndpointsAsync(CompareRequest r, ClaimsPrincipal user, CancellationToken ct)
    {
        var schema = (r.Schema ?? "").Trim();
        if (schema.Length == 0) throw new RunRejectedException(RunRejection.Invalid, "choose a schema to compare");
        try
        {
            await connections.EnsureCanReachAsync(user, r.SourceConnectionId, ct);
            await connections.EnsureCanReachAsync(user, r.TargetConnectionId, ct);
        }
        catch (ConnectionNotFoundException e) { throw new RunRejectedException(RunRejection.NotFound, e.Message); }
        catch (ConnectionAccessDeniedException e) { throw new RunRejectedException(RunRejection.Forbidden, e.Message); }
        return (await connections.GetEndpointAsync(r.SourceConnectionId, ServerRole.Source, ct),
            await connections.GetEndpointAsync(r.TargetConnectionId, ServerRole.Target, ct), schema);
    }

    private static string Subject(ServerEndpoint source, ServerEndpoint target, string schema) => $"schema {Sql.Ident(schema)} of '{source.Name}' → '{target.Name}'";
}
