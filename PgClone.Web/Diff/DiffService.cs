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
/// What to compare: two connections and a schema (and the schema's name on the target, when it was cloned under
/// another one); for verify, the mode and optionally the run whose scope and mask rules it takes over; for diff,
/// whether owners and grants are compared, and whether the database's own objects are (by default, as the run's clone
/// brought them, and without a run, yes).
/// </summary>
public sealed record CompareRequest(int SourceConnectionId, int TargetConnectionId, string Schema, VerifyMode Mode = VerifyMode.Exact, long? RunId = null,
    bool Privileges = true, bool? DatabaseWide = null, string? TargetSchema = null);

/// <summary>
/// A run's scope as verify and diff take it over: its connections; what it cloned — every schema of the database
/// (<see cref="Schema"/> null), a schema, one table of it, or its functions — and under which names on the target
/// (target_name); the columns its mask rules change; and whether its clone brought the database's own objects (a
/// database clone did; a schema or table clone, like pg_dump -n, did not, so its drift leaves them out by default).
/// </summary>
public sealed record RunScope(long RunId, CloneOperation Operation, int SourceConnectionId, int TargetConnectionId, string? Schema, IReadOnlyList<string> MaskedColumns,
    bool DatabaseWide, string? TargetSchema = null, string? Table = null, string? TargetTable = null)
{
    /// <summary>A functions run copied no rows: only its drift is compared, and only the functions'.</summary>
    public bool Verifiable => Operation != CloneOperation.Functions;

    /// <summary>The diff categories the run's clone can make differ; null: all of them.</summary>
    public IReadOnlySet<string>? Categories => Operation == CloneOperation.Functions ? FunctionsOnly : null;

    private static readonly IReadOnlySet<string> FunctionsOnly = new HashSet<string> { "functions" };

    /// <summary>What the run cloned, in words: "the whole database", "schema "s" as "s2"", "table "s"."t" as "t2"", "the functions of schema "s"".</summary>
    public string What => Operation switch
    {
        _ when Schema is null => "the whole database",
        CloneOperation.Table => $"table {Sql.Qualified(Schema, Table!)}{As(TargetTable)}",
        CloneOperation.Functions => $"the functions of schema {Sql.Ident(Schema)}",
        _ => $"schema {Sql.Ident(Schema)}{As(TargetSchema)}",
    };

    /// <summary>What verify and drift cover when that is not simply what the run cloned; null when it is.</summary>
    public string? Coverage => Operation switch
    {
        CloneOperation.Functions => "A functions run copied no rows: its drift compares the schema's functions only.",
        _ when Schema is null => "Verify covers every schema and the large objects; drift compares the schema picked here.",
        // Drift reads whole schemas: what the run did not bring is missing on the target, by design.
        CloneOperation.Table => $"Verify covers that table, its partitions and the sequences it owns; drift compares the whole schema {Sql.Ident(Schema)}, " +
                                "so the objects of it that the run did not clone show as missing on the target.",
        _ => null,
    };

    private static string As(string? renamed) => renamed is null ? "" : $" as {Sql.Ident(renamed)}";
}

/// <summary>
/// Schema drift and data verification between two registered connections, with the engine's
/// <see cref="SchemaDiffer"/> and <see cref="TableVerifier"/> (read-only on both servers). The user must be allowed
/// to reach both connections. For a run, masked columns are excluded from checksums by reading the run's mask rules.
/// </summary>
public sealed class DiffService(ConnectionService connections, RunsService runs, AuditLog audit)
{
    public async Task<SchemaDiffResult> DiffAsync(CompareRequest request, ClaimsPrincipal user, CancellationToken ct = default)
    {
        IReadOnlySet<string>? categories = null;
        if (request.RunId is { } runId)
        {
            var scope = await RunScopeAsync(runId, ct);
            // A database run compares the schema chosen among its schemas; any other, the one it cloned.
            request = request with { SourceConnectionId = scope.SourceConnectionId, TargetConnectionId = scope.TargetConnectionId,
                Schema = scope.Schema ?? request.Schema, TargetSchema = scope.TargetSchema, DatabaseWide = request.DatabaseWide ?? scope.DatabaseWide };
            categories = scope.Categories;
        }
        var (source, target, schema) = await EndpointsAsync(request, user, ct);
        var result = await new SchemaDiffer { Privileges = request.Privileges, DatabaseWide = request.DatabaseWide ?? true, Categories = categories }
            .DiffAsync(source, target, schema, request.TargetSchema, ct);
        await audit.RecordAsync(AuditActions.SchemaDiffed, Subject(source, target, schema),
            new { source = source.Name, target = target.Name, schema, targetSchema = request.TargetSchema, run = request.RunId, privileges = request.Privileges,
                databaseWide = result.DatabaseWide, result.InSync, result.DiffCount },
            request.SourceConnectionId, audit.ActorFor(user), ct);
        return result;
    }

    public async Task<VerifyResult> VerifyAsync(CompareRequest request, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var options = new VerifyOptions { Schema = request.Schema?.Trim(), TargetSchema = request.TargetSchema, Mode = request.Mode };
        if (request.RunId is { } runId)
        {
            var scope = await RunScopeAsync(runId, ct);
            if (!scope.Verifiable)
                throw new RunRejectedException(RunRejection.Invalid, $"run #{runId} is a {scope.Operation.Name()} run: it copied no table data to verify");
            request = request with { SourceConnectionId = scope.SourceConnectionId, TargetConnectionId = scope.TargetConnectionId, Schema = scope.Schema ?? "" };
            options = options with { Schema = scope.Schema, TargetSchema = scope.TargetSchema, Table = scope.Table, TargetTable = scope.TargetTable,
                ExcludeColumns = scope.MaskedColumns };
        }
        var (source, target) = await EndpointsAsync(request, user, wholeDatabase: request.RunId is not null && options.Schema is null, ct);
        var result = await new TableVerifier().VerifyAsync(source, target, options, ct);
        var schema = options.Schema;
        var excluded = options.ExcludeColumns;
        await audit.RecordAsync(AuditActions.SchemaVerified, Subject(source, target, options), new
        {
            source = source.Name, target = target.Name, schema, targetSchema = options.TargetSchema, table = options.Table, targetTable = options.TargetTable,
            mode = request.Mode.ToString().ToLowerInvariant(), run = request.RunId,
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
        if (RunOperations.ToClone(run.Run.Operation) is not { } operation)
            throw new RunRejectedException(RunRejection.Invalid, $"run #{runId} is a {run.Run.Operation} run: it cloned no schema to compare");
        var wholeDatabase = operation is CloneOperation.Database or CloneOperation.DatabaseCreate;
        var schema = run.Run.Schema ?? "public";
        var rules = MaskRuleSet.Parse(run.Options?.Mask, operation, schema);
        var table = operation == CloneOperation.Table ? run.Run.Table : null;
        var masked = rules.VerifyExclusions(table is not null ? new QualifiedName(schema, table) : null);
        var renamed = string.IsNullOrEmpty(run.Options?.TargetName) ? null : run.Options.TargetName;
        return new RunScope(runId, operation, source, target, wholeDatabase ? null : schema, masked, DatabaseWide: wholeDatabase,
            TargetSchema: operation == CloneOperation.Schema ? renamed : null, Table: table, TargetTable: table is null ? null : renamed);
    }

    private async Task<(ServerEndpoint Source, ServerEndpoint Target, string Schema)> EndpointsAsync(CompareRequest r, ClaimsPrincipal user, CancellationToken ct)
    {
        // The check of a schema named is the other overload's.
        var (source, target) = await EndpointsAsync(r, user, wholeDatabase: false, ct);
        return (source, target, r.Schema.Trim());
    }

    /// <param name="wholeDatabase">No schema is needed (a database run's verification).</param>
    private async Task<(ServerEndpoint Source, ServerEndpoint Target)> EndpointsAsync(CompareRequest r, ClaimsPrincipal user, bool wholeDatabase, CancellationToken ct)
    {
        if (!wholeDatabase && string.IsNullOrWhiteSpace(r.Schema)) throw new RunRejectedException(RunRejection.Invalid, "choose a schema to compare");
        try
        {
            await connections.EnsureCanReachAsync(user, r.SourceConnectionId, ct);
            await connections.EnsureCanReachAsync(user, r.TargetConnectionId, ct);
        }
        catch (ConnectionNotFoundException e) { throw new RunRejectedException(RunRejection.NotFound, e.Message); }
        catch (ConnectionAccessDeniedException e) { throw new RunRejectedException(RunRejection.Forbidden, e.Message); }
        return (await connections.GetEndpointAsync(r.SourceConnectionId, ServerRole.Source, ct),
            await connections.GetEndpointAsync(r.TargetConnectionId, ServerRole.Target, ct));
    }

    private static string Subject(ServerEndpoint source, ServerEndpoint target, string schema) => $"schema {Sql.Ident(schema)} of '{source.Name}' → '{target.Name}'";

    private static string Subject(ServerEndpoint source, ServerEndpoint target, VerifyOptions o) =>
        o.Schema is null ? $"database of '{source.Name}' → '{target.Name}'"
        : o.Table is null ? Subject(source, target, o.Schema)
        : $"table {Sql.Qualified(o.Schema, o.Table)} of '{source.Name}' → '{target.Name}'";
}
