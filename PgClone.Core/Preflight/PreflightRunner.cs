using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Core.Subsetting;

namespace PgClone.Core.Preflight;

/// <summary>
/// Checks a clone request before it runs, changing nothing: both servers, privileges on each side, extensions and
/// name conflicts (the planner's own logic, asked to list instead of stop), sizes, duration, disk space, objects
/// needing care, the masking coverage gate and the subset's rows. The clone runs the same checks on its own
/// sessions before it changes anything and refuses to start on a blocker.
/// </summary>
public static class PreflightRunner
{
    /// <param name="masker">The run's masker (mask rules, require_masking), or null.</param>
    public static async Task<PreflightReport> RunAsync(CloneRequest request, IColumnMasker? masker, PreflightOptions? options = null, CancellationToken ct = default)
    {
        options ??= new PreflightOptions();
        var checks = new List<PreflightCheck>();
        var (target, exists) = (request.Target, true);
        if (request.Operation == CloneOperation.DatabaseCreate)
            (target, exists) = await DatabaseToCreateAsync(request, checks, ct);
        await using var sourceConn = await ConnectAsync(request.Source, "connection.source", checks, ct);
        await using var targetConn = await ConnectAsync(target, "connection.target", checks, ct);
        if (sourceConn is null || targetConn is null) return new PreflightReport(checks);
        try
        {
            await using (var begin = new NpgsqlCommand($"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {CatalogReader.ReadSettings}", sourceConn))
                await begin.ExecuteNonQueryAsync(ct);
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(request.Source, "preflight", e); }
        checks.AddRange((await CheckAsync(request, sourceConn, targetConn, target, masker, options, ct, exists ? null : AsNewDatabase)).Checks);
        return new PreflightReport(checks);
    }

    /// <summary>
    /// The checks on open sessions: <paramref name="source"/> inside a REPEATABLE READ READ ONLY transaction with
    /// search_path = pg_catalog (the run's coordinator, or the preflight's own). Returns the plan when it could be made.
    /// </summary>
    /// <param name="asTarget">Turns what <paramref name="target"/> holds into the state planned against (a database not created yet).</param>
    /// <param name="catalogHelper">A second source session in the snapshot of <paramref name="source"/>, being opened, for the catalog reads.</param>
    internal static async Task<(List<PreflightCheck> Checks, ClonePlan? Plan)> CheckAsync(CloneRequest request, NpgsqlConnection source,
        NpgsqlConnection target, ServerEndpoint targetServer, IColumnMasker? masker, PreflightOptions options, CancellationToken ct,
        Func<TargetState, TargetState>? asTarget = null, Task<NpgsqlConnection>? catalogHelper = null)
    {
        var checks = new List<PreflightCheck>();
        // Both at once, a round trip off the start of every run (a failure is the source's first, as when read in turn).
        var sourceRead = ServerFacts.ReadAsync(source, request.Source, ct);
        var targetRead = ServerFacts.ReadAsync(target, targetServer, ct);
        await Task.WhenAll(sourceRead, targetRead);
        var (sourceFacts, targetFacts) = (sourceRead.Result, targetRead.Result);
        checks.AddRange(ServerChecks.Versions(sourceFacts, targetFacts));
        checks.Add(ServerChecks.Superuser(targetFacts));
        if (ServerChecks.SameDatabase(request, sourceFacts, targetFacts) is { } same)
        {
            checks.Add(same);
            return (checks, null);
        }
        if (ServerChecks.ReadOnlyTarget(targetFacts, targetServer) is { } readOnly)
        {
            checks.Add(readOnly);
            return (checks, null);
        }

        var issues = new List<PlanIssue>();
        ClonePlan plan;
        try { plan = await ClonePlanner.PlanAsync(CloneJob.PlanRequest(request), source, target, asTarget, masker, issues.Add, ct, catalogHelper); }
        catch (PgCloneException e)
        {
            checks.AddRange(IssueChecks(issues, null));
            checks.Add(new PreflightCheck("plan", PreflightStatus.Blocker, e.Message) { Error = e });
            return (checks, null);
        }
        checks.AddRange(IssueChecks(issues, plan));
        // What the run will leave out and list (skip_unsupported, roles the target lacks, a table clone's foreign key to an absent table): said before it starts.
        checks.AddRange(plan.Skipped.Select(s => new PreflightCheck("skipped", PreflightStatus.Warning, s)));
        checks.AddRange(await PrivilegeChecks.SourceAsync(source, request.Source, sourceFacts, plan, ct));
        checks.AddRange(await PrivilegeChecks.TargetAsync(target, targetServer, targetFacts, request, plan, ct));
        checks.AddRange(await SpecialCareChecks.RunAsync(source, request.Source, plan, masker, ct));
        checks.Add(await MaskingGateAsync(source, plan, masker, ct));
        if (await WhereFiltersAsync(source, request.Source, plan, ct) is { } where) checks.Add(where);

        var data = plan;
        if (options.PreviewSubset && request.EffectiveOptions.Subset is not null && request.EffectiveOptions.IncludeData)
        {
            try
            {
                (data, var subset) = await SubsetPlanner.ApplyAsync(request, plan, source, ct);
                checks.AddRange(subset.Tables.Select(t => new PreflightCheck("subset", PreflightStatus.Ok,
                    $"{(t.Rows is { } n ? Words.Count(n, "row") : "all rows")}: {t.Describe()}", $"table {t.Table}")));
            }
            catch (PgCloneException e) { checks.Add(new PreflightCheck("subset", PreflightStatus.Blocker, e.Message) { Error = e }); }
        }
        checks.AddRange(DataChecks.Sizes(data));
        checks.Add(DataChecks.Duration(data, options));
        checks.Add(await DataChecks.DiskAsync(target, targetServer, data, ct));
        return (checks, plan);
    }

    private static IEnumerable<PreflightCheck> IssueChecks(List<PlanIssue> issues, ClonePlan? plan)
    {
        foreach (var i in issues)
            yield return new PreflightCheck(i.Kind, i.Blocking ? PreflightStatus.Blocker : PreflightStatus.Warning, i.Message, i.Object) { Error = i.Error };
        if (plan is null) yield break;
        if (!issues.Any(i => i.Kind == "extension"))
        {
            var created = plan.PreData.Where(s => s.ObjectKind == "extension").Select(s => s.ObjectName).ToList();
            yield return new PreflightCheck("extension", PreflightStatus.Ok, created.Count == 0
                ? "the target has every extension the clone needs"
                : $"extension(s) {string.Join(", ", created)} are available on the target and will be created");
        }
        if (!issues.Any(i => i.Kind == "conflict"))
            yield return new PreflightCheck("conflict", PreflightStatus.Ok, "no object the clone creates exists on the target");
    }

    private static async Task<PreflightCheck> MaskingGateAsync(NpgsqlConnection source, ClonePlan plan, IColumnMasker? masker, CancellationToken ct)
    {
        if (masker is null) return new PreflightCheck("masking", PreflightStatus.Ok, "no mask rules and no masking required");
        try
        {
            await masker.EnsureCoverageAsync(source, plan, ct);
            return new PreflightCheck("masking", PreflightStatus.Ok, "the mask rules apply to the copied columns, and the coverage gate (require_masking, when set) passes");
        }
        catch (PgCloneException e) { return new PreflightCheck("masking", PreflightStatus.Blocker, e.Message) { Error = e }; }
    }

    /// <summary>
    /// The row filters as the run checks them before its first row: planned (never run) on the source, no volatile
    /// call; then the rows they keep, for the foreign keys between filtered tables (the run counts on this check).
    /// </summary>
    private static async Task<PreflightCheck?> WhereFiltersAsync(NpgsqlConnection source, ServerEndpoint server, ClonePlan plan, CancellationToken ct)
    {
        if (plan.Tables.All(t => t.Where is null)) return null;
        try
        {
            var warmup = await PlannerWarmup.LoadAsync(source, server, ct);
            await WhereFunctions.CheckAsync(source, server, warmup, plan.Tables, ct);
            await WhereForeignKeys.CheckAsync(source, server, warmup, plan, ct);
            return new PreflightCheck("where", PreflightStatus.Ok, "the row filters are valid on the source and call no volatile function" +
                (plan.FilteredForeignKeys.Count == 0 ? "" : ", and keep every row their foreign keys reference"));
        }
        catch (PgCloneException e) { return new PreflightCheck("where", PreflightStatus.Blocker, e.Message) { Error = e }; }
    }

    private static async Task<NpgsqlConnection?> ConnectAsync(ServerEndpoint server, string id, List<PreflightCheck> checks, CancellationToken ct)
    {
        try
        {
            var conn = await server.OpenAsync(ct);
            checks.Add(new PreflightCheck(id, PreflightStatus.Ok, $"connected to {server.Describe()}"));
            return conn;
        }
        catch (PgCloneException e)
        {
            checks.Add(new PreflightCheck(id, PreflightStatus.Blocker, e.Message) { Error = e });
            return null;
        }
    }

    /// <summary>
    /// database-create: the database the clone would create; when it does not exist yet, the user must be allowed to
    /// create it, and the checks run on the maintenance database, planned as against a new, empty database (<see cref="AsNewDatabase"/>).
    /// </summary>
    private static async Task<(ServerEndpoint Target, bool Exists)> DatabaseToCreateAsync(CloneRequest request, List<PreflightCheck> checks, CancellationToken ct)
    {
        var name = CloneJob.TargetDatabaseName(request);
        var maintenance = request.Target.WithDatabase("postgres");
        try
        {
            await using var conn = await maintenance.OpenAsync(ct);
            var (exists, mayCreate) = await PreflightSql.RowAsync(conn, maintenance, """
                SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1),
                       (SELECT rolcreatedb OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
                """, r => (r.GetBoolean(0), r.GetBoolean(1)), ct, name);
            if (exists) return (request.Target.WithDatabase(name), true);
            checks.Add(mayCreate
                ? new PreflightCheck("privilege.createdb", PreflightStatus.Ok, "does not exist yet and will be created", $"database {Sql.Ident(name)}")
                : new PreflightCheck("privilege.createdb", PreflightStatus.Blocker, "does not exist, and the target user may not create databases (CREATEDB)", $"database {Sql.Ident(name)}"));
        }
        catch (PgCloneException) { /* reported by the connection check below */ }
        return (maintenance, false);
    }

    /// <summary>
    /// A database CREATE DATABASE would make: the server-wide facts (roles, available extensions, the user) read on
    /// the maintenance database, and in the database itself only schema public and plpgsql, owned by the cloning user. Not read from template1:
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
        OwnsDatabase = true,
    };
}
