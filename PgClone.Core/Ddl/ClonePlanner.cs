using Npgsql;
using PgClone.Core.Masking;

namespace PgClone.Core.Ddl;

/// <summary>Builds the <see cref="ClonePlan"/> of a request from the source catalog and the target's state.</summary>
public static class ClonePlanner
{
    /// <param name="source">Open, inside the run's REPEATABLE READ READ ONLY transaction, search_path = pg_catalog.</param>
    /// <param name="target">Open on the target database; the planner only reads from it.</param>
    public static Task<ClonePlan> PlanAsync(CloneRequest request, NpgsqlConnection source, NpgsqlConnection target,
        IColumnMasker? masker, CancellationToken ct) =>
        throw new NotImplementedException("the catalog/DDL work lands this");
}
