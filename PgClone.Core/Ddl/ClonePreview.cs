using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;

namespace PgClone.Core.Ddl;

/// <summary>One table a run would copy, with the planner's estimates.</summary>
public sealed record PreviewTable(QualifiedName Source, QualifiedName Target, long EstimatedRows, long EstimatedBytes);

/// <summary>
/// What a request would do, before it runs: the tables to copy and their estimated size, how many DDL
/// statements run on the target, the objects that already exist there (<see cref="Conflicts"/>) and, under
/// the <c>error</c> strategy, the failure the run would stop with (<see cref="Blocker"/>).
/// </summary>
public sealed record ClonePreviewResult(
    IReadOnlyList<PreviewTable> Tables,
    int Statements,
    ConflictStrategy Strategy,
    IReadOnlyList<string> Conflicts,
    IReadOnlyList<string> Skipped,
    string? Blocker)
{
    public long EstimatedRows => Tables.Sum(t => t.EstimatedRows);
    public long EstimatedBytes => Tables.Sum(t => t.EstimatedBytes);
}

/// <summary>
/// Plans a request with the engine's own planner and changes nothing: the source is read in a REPEATABLE READ
/// READ ONLY transaction (as a run's snapshot is), the target is only read. Under the <c>error</c> strategy the
/// preview plans as <c>skip</c> would, so it lists every conflict rather than the first one, and reports the
/// run's failure as <see cref="ClonePreviewResult.Blocker"/>. For database-create into a database that does not
/// exist yet, the target is a new, empty database.
/// </summary>
public static class ClonePreview
{
    public static async Task<ClonePreviewResult> PlanAsync(CloneRequest request, IColumnMasker? masker, CancellationToken ct)
    {
        var strategy = request.EffectiveOptions.Conflict;
        var planRequest = request with
        {
            Options = request.EffectiveOptions with
            {
                Conflict = strategy == ConflictStrategy.Error ? ConflictStrategy.Skip : strategy,
                // database-create's target_name named the database; the planner reads it as a table's new name.
                TargetName = request.Operation == CloneOperation.DatabaseCreate ? null : request.EffectiveOptions.TargetName,
            },
        };
        await using var source = await request.Source.OpenAsync(ct);
        var (target, newDatabase) = await OpenTargetAsync(request, ct);
        await using var _ = target;
        ClonePlan plan;
        try
        {
            await using var tx = await source.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await using (var setup = new NpgsqlCommand("SET TRANSACTION READ ONLY; SET LOCAL search_path = pg_catalog", source, tx))
                await setup.ExecuteNonQueryAsync(ct);
            plan = await ClonePlanner.PlanAsync(planRequest, source, target, newDatabase ? AsNewDatabase : null, masker, null, ct);
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(request.Source, null, e); }
        var blocker = strategy == ConflictStrategy.Error && plan.Conflicts.Count > 0
            ? PgCloneException.For(request.Target, plan.Conflicts[0], "already exists (conflict strategy is error; nothing was changed)").Message
            : null;
        var skipped = strategy == ConflictStrategy.Error ? plan.Skipped.Where(s => !s.EndsWith("(conflict=skip)", StringComparison.Ordinal)).ToList() : plan.Skipped;
        return new ClonePreviewResult(
            plan.Tables.Select(t => new PreviewTable(t.Source, t.Target, t.EstimatedRows, t.EstimatedBytes)).ToList(),
            plan.PreData.Count + plan.Indexes.Count + plan.Constraints.Count + plan.PostData.Count,
            strategy, plan.Conflicts, skipped, blocker);
    }

    /// <summary>The target database, or for database-create into a database that does not exist yet, the server's maintenance database.</summary>
    private static async Task<(NpgsqlConnection Connection, bool NewDatabase)> OpenTargetAsync(CloneRequest request, CancellationToken ct)
    {
        if (request.Operation != CloneOperation.DatabaseCreate) return (await request.Target.OpenAsync(ct), false);
        var name = CloneJob.TargetDatabaseName(request);
        var maintenance = await request.Target.WithDatabase("postgres").OpenAsync(ct);
        try
        {
            await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)", maintenance);
            exists.Parameters.Add(new NpgsqlParameter { Value = name });
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return (maintenance, true);
        }
        catch (NpgsqlException e) { await maintenance.DisposeAsync(); throw PgCloneException.FromDriver(request.Target, $"database {Sql.Ident(name)}", e); }
        await maintenance.DisposeAsync();
        return (await request.Target.WithDatabase(name).OpenAsync(ct), false);
    }

    /// <summary>
    /// A database CREATE DATABASE would make: the server-wide facts (roles, available extensions, the user) read on
    /// the maintenance database, and in the database itself only schema public and plpgsql. Not read from template1:
    /// a session there makes every concurrent CREATE DATABASE on the server fail.
    /// </summary>
    private static TargetState AsNewDatabase(TargetState server) => server with
    {
        Schemas = server.Schemas.Where(s => s == "public").ToHashSet(),
        Relations = new Dictionary<QualifiedName, TargetRelation>(),
        Types = new Dictionary<QualifiedName, char>(),
        Collations = new HashSet<QualifiedName>(),
        Functions = new HashSet<string>(),
        InstalledExtensions = new HashSet<string> { "plpgsql" },
    };
}
