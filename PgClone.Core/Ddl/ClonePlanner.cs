using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;

namespace PgClone.Core.Ddl;

/// <summary>Builds the <see cref="ClonePlan"/> of a request from the source catalog and the target's state.</summary>
public static class ClonePlanner
{
    /// <param name="source">Open, inside the run's REPEATABLE READ READ ONLY transaction, search_path = pg_catalog.</param>
    /// <param name="target">Open on the target database; the planner only reads from it.</param>
    public static Task<ClonePlan> PlanAsync(CloneRequest request, NpgsqlConnection source, NpgsqlConnection target,
        IColumnMasker? masker, CancellationToken ct) =>
        PlanAsync(request, source, (schemas, token) => TargetState.ReadAsync(target, schemas, token), masker, ct);

    /// <param name="targetState">Reads what exists on the target in the given schemas (a preview may supply it another way).</param>
    internal static async Task<ClonePlan> PlanAsync(CloneRequest request, NpgsqlConnection source,
        Func<IReadOnlyList<string>, CancellationToken, Task<TargetState>> targetState, IColumnMasker? masker, CancellationToken ct)
    {
        var options = request.EffectiveOptions;
        var where = WhereFilter.Validate(options.Where);
        if (request.Operation != CloneOperation.Table && options.TargetName is not null)
            throw new PgCloneException("invalid options: target_name applies to a table clone only");
        if (request.Operation != CloneOperation.Table && options.Columns is not null)
            throw new PgCloneException("invalid options: columns applies to a table clone only");

        SourceCatalog catalog;
        PlanScope scope;
        try
        {
            var schemas = await SchemasAsync(request, source, ct);
            catalog = await CatalogReader.ReadAsync(source, schemas, ct);
            scope = PlanScope.Build(request, catalog);
        }
        catch (Exception e) when (e is NpgsqlException) { throw PgCloneException.FromDriver(request.Source, null, e); }

        TargetState state;
        try
        {
            var targetSchemas = catalog.Schemas.Select(s => s.Name).Concat(catalog.Extensions.Select(e => e.Schema)).Distinct().ToList();
            state = await targetState(targetSchemas, ct);
        }
        catch (Exception e) when (e is NpgsqlException) { throw PgCloneException.FromDriver(request.Target, null, e); }

        var naming = options.TargetName is { } newName ? new TargetNaming(scope.Tables, newName, catalog, state) : TargetNaming.Identity;
        var plan = new PlanAssembler(request, catalog, scope, state, naming, where).Build(masker);
        if (options.IncludeData) masker?.EnsureAllRulesUsed();
        return plan;
    }

    private static async Task<IReadOnlyList<string>> SchemasAsync(CloneRequest request, NpgsqlConnection source, CancellationToken ct)
    {
        if (request.Operation is CloneOperation.Database or CloneOperation.DatabaseCreate)
            return await CatalogReader.UserSchemasAsync(source, ct);
        if (string.IsNullOrEmpty(request.Schema))
            throw new PgCloneException($"a {request.Operation.ToString().ToLowerInvariant()} clone needs a schema");
        if (request.Operation == CloneOperation.Table && string.IsNullOrEmpty(request.Table))
            throw new PgCloneException("a table clone needs a table");
        var found = await CatalogReader.QueryAsync(source, "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)", [request.Schema], r => r.GetString(0), ct);
        if (found.Count == 0) throw PgCloneException.For(request.Source, null, $"schema {Sql.Ident(request.Schema)} does not exist");
        return [request.Schema];
    }
}
