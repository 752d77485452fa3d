using System.Security.Claims;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;
using PgClone.Web.Connections;

namespace PgClone.Web.Runs;

/// <summary>A request that passed every check, with what the run copies from its connections.</summary>
public sealed record AdmittedRun(
    ServerEndpoint Source, string? SourceEnvironment,
    ServerEndpoint Target, string? TargetEnvironment,
    string? Schema, CloneOptions? Options, bool ProductionConfirmed);

/// <summary>
/// Decides whether a run request may be queued: the operation and its scope, the engine options (parsed the way
/// the CLI parses --options), the mask rules, the user's right to use each connection on its side, and the
/// production rule (a production source into a non-production target needs a mask rule for every column
/// discovery flags, or the user's explicit confirmation, which the run records).
/// </summary>
public sealed class RunAdmission(ConnectionService connections)
{
    public const string Production = "production";

    /// <summary>The checks that need no connection to the servers (saving a profile).</summary>
    public async Task CheckAsync(RunRequest request, ClaimsPrincipal user, CancellationToken ct)
    {
        Normalize(request);
        await EnsureUsableAsync(user, request.SourceConnectionId, ConnectionUse.Source, ct);
        await EnsureUsableAsync(user, request.TargetConnectionId, ConnectionUse.Target, ct);
    }

    public async Task<AdmittedRun> AdmitAsync(RunRequest request, ClaimsPrincipal user, CancellationToken ct)
    {
        var run = await ResolveAsync(request, user, ct);
        if (RunOperations.ToClone(request.Operation) is not { } op || !CrossesProduction(run)) return run;
        if (request.ConfirmProductionWithoutMasking) return run with { ProductionConfirmed = true };
        // The engine's coverage gate checks the same columns on the run's own snapshot and fails the run before any
        // row is copied, naming them: the refusal is then recorded on the run (and a schedule notifies).
        if (run.Options?.RequireMasking == true) return run;
        if (op is CloneOperation.Table or CloneOperation.Schema)
        {
            await EnsureMaskedAsync(run.Source, op, run.Schema!, request.Table, run.Options, ct);
            return run;
        }
        // Whole databases are checked by the engine itself before any row is copied.
        return run with { Options = (run.Options ?? new CloneOptions()) with { RequireMasking = true } };
    }

    /// <summary>
    /// The engine request a run request stands for, as the preflight checks it: the same checks and rights as a run,
    /// and a production source into a non-production target without the confirmation requires masking, so the
    /// preflight's masking check names the columns left open (what the run would refuse).
    /// </summary>
    public async Task<CloneRequest> PreflightRequestAsync(RunRequest request, ClaimsPrincipal user, CancellationToken ct)
    {
        var op = RunOperations.ToClone(request.Operation)
            ?? throw new RunRejectedException(RunRejection.Invalid, "a roles clone has no preflight: the preflight checks table, schema, functions and database clones");
        var run = await ResolveAsync(request, user, ct);
        var options = run.Options;
        if (CrossesProduction(run) && !request.ConfirmProductionWithoutMasking) options = (options ?? new CloneOptions()) with { RequireMasking = true };
        return new CloneRequest(op, run.Source, run.Target, run.Schema, op == CloneOperation.Table ? request.Table : null, options);
    }

    /// <summary>A well-formed request on connections the user may use, with both endpoints and their environments.</summary>
    private async Task<AdmittedRun> ResolveAsync(RunRequest request, ClaimsPrincipal user, CancellationToken ct)
    {
        var (schema, options) = Normalize(request);
        await EnsureUsableAsync(user, request.SourceConnectionId, ConnectionUse.Source, ct);
        await EnsureUsableAsync(user, request.TargetConnectionId, ConnectionUse.Target, ct);
        var source = await connections.GetEndpointAsync(request.SourceConnectionId, ServerRole.Source, ct);
        var target = await connections.GetEndpointAsync(request.TargetConnectionId, ServerRole.Target, ct);
        var sourceEnvironment = (await connections.GetAsync(request.SourceConnectionId, ct)).Environment.ToString().ToLowerInvariant();
        var targetEnvironment = (await connections.GetAsync(request.TargetConnectionId, ct)).Environment.ToString().ToLowerInvariant();
        return new AdmittedRun(source, sourceEnvironment, target, targetEnvironment, schema, options, false);
    }

    private static bool CrossesProduction(AdmittedRun run) => IsProduction(run.SourceEnvironment) && !IsProduction(run.TargetEnvironment);

    private static bool IsProduction(string? environment) => string.Equals(environment, Production, StringComparison.OrdinalIgnoreCase);

    private static async Task EnsureMaskedAsync(ServerEndpoint source, CloneOperation op, string schema, string? table, CloneOptions? options, CancellationToken ct)
    {
        var rules = MaskRuleSet.Parse(options?.Mask, op, schema);
        var flagged = await SensitiveDataScanner.ScanAsync(source, schema, ct);
        var open = flagged
            .Where(c => table is null || c.Table == new QualifiedName(schema, table))
            .Where(c => !rules.Covers(c.Table, c.Column, c.InheritedFrom))
            .Select(c => $"{c.Table}.{Sql.Ident(c.Column)}")
            .ToList();
        if (open.Count > 0)
            throw new RunRejectedException(RunRejection.Conflict,
                $"source '{source.Name}' is a production connection and the target is not: mask these columns or confirm the clone without masking: {string.Join(", ", open)}");
    }

    private async Task EnsureUsableAsync(ClaimsPrincipal user, int id, ConnectionUse use, CancellationToken ct)
    {
        try { await connections.EnsureCanUseAsync(user, id, use, ct); }
        catch (ConnectionAccessDeniedException e) { throw new RunRejectedException(RunRejection.Forbidden, e.Message); }
        catch (ConnectionNotFoundException e) { throw new RunRejectedException(RunRejection.Invalid, $"{(use == ConnectionUse.Source ? "source" : "target")}: {e.Message}"); }
    }

    /// <summary>The request's scope and options as they will run; throws on anything malformed.</summary>
    private static (string? Schema, CloneOptions? Options) Normalize(RunRequest r)
    {
        if (!RunOperations.All.Contains(r.Operation))
            throw new RunRejectedException(RunRejection.Invalid, $"unknown operation '{r.Operation}': expected one of {string.Join(", ", RunOperations.All)}");
        if (r.SourceConnectionId == r.TargetConnectionId && r.Operation != CloneOperation.Table.Name())
            throw new RunRejectedException(RunRejection.Invalid, "source and target are the same connection");
        var schema = string.IsNullOrWhiteSpace(r.Schema) ? null : r.Schema;
        var op = RunOperations.ToClone(r.Operation);
        switch (op)
        {
            case CloneOperation.Table when string.IsNullOrWhiteSpace(r.Table):
                throw new RunRejectedException(RunRejection.Invalid, "a table clone needs a table");
            case CloneOperation.Table:
                schema ??= "public";
                break;
            case CloneOperation.Schema or CloneOperation.Functions when schema is null:
                throw new RunRejectedException(RunRejection.Invalid, $"a {r.Operation} clone needs a schema");
        }
        if (op is null) return (null, null);
        try
        {
            // Parsed again from its JSON: the same validation as the CLI's --options and the stored form.
            var options = r.Options is null ? null : CloneOptions.Parse(r.Options.ToJson());
            MaskRuleSet.Parse(options?.Mask, op.Value, schema);
            return (schema, options);
        }
        catch (PgCloneException e) { throw new RunRejectedException(RunRejection.Invalid, e.Message); }
    }
}
