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
        IColumnMasker? masker, CancellationToken ct) => PlanAsync(request, source, target, masker, null, ct);

    /// <summary>
    /// As <see cref="PlanAsync(CloneRequest, NpgsqlConnection, NpgsqlConnection, IColumnMasker?, CancellationToken)"/>, but
    /// a missing extension or a name conflict goes to <paramref name="issues"/> (with what the conflict strategy will do)
    /// instead of stopping the plan: the preflight lists them all.
    /// </summary>
    public static Task<ClonePlan> PlanAsync(CloneRequest request, NpgsqlConnection source, NpgsqlConnection target,
        IColumnMasker? masker, Action<PlanIssue>? issues, CancellationToken ct) => PlanAsync(request, source, target, null, masker, issues, ct);

    /// <param name="asTarget">Turns what <paramref name="target"/> holds into the state planned against (a preview of a database not created yet).</param>
    /// <param name="catalogHelper">A second source session in the snapshot of <paramref name="source"/>, being opened (<see cref="CatalogReader.ReadAsync"/>).</param>
    internal static async Task<ClonePlan> PlanAsync(CloneRequest request, NpgsqlConnection source, NpgsqlConnection target,
        Func<TargetState, TargetState>? asTarget, IColumnMasker? masker, Action<PlanIssue>? issues, CancellationToken ct,
        Task<NpgsqlConnection>? catalogHelper = null)
    {
        request = await AsReadAsync(request, source, ct);
        var options = request.EffectiveOptions;
        var where = WhereFilter.Validate(options.Where);
        if (request.Operation is not (CloneOperation.Table or CloneOperation.Schema) && options.TargetName is not null)
            throw new PgCloneException("invalid options: target_name applies to a table or schema clone only");
        if (options.TargetName is { } targetName) PgName.CheckTargetName(targetName);
        if (request.Operation != CloneOperation.Table && options.Columns is not null)
            throw new PgCloneException("invalid options: columns applies to a table clone only");

        SourceCatalog catalog;
        PlanScope scope;
        SchemaRename? rename = null;
        List<ValueNamedObject> named = [];
        List<OutsideDependency> outside = [];
        IReadOnlyList<string> schemas;
        List<ExtensionInfo> extensions;
        try
        {
            schemas = await SchemasAsync(request, source, ct);
            extensions = await CatalogReader.ReadExtensionsAsync(source, ct);
        }
        catch (Exception e) when (e is NpgsqlException) { throw PgCloneException.FromDriver(request.Source, null, e); }
        // The target's state is read beside the source's catalog (its schemas and those of the extensions, the
        // renamed schema under its new name): on a 300-table database, 20 queries the plan otherwise waited for.
        var newSchema = request.Operation == CloneOperation.Schema && options.TargetName is { } to && to != request.Schema ? to : null;
        var targetRead = TargetState.ReadAsync(target, [.. schemas.Concat(extensions.Select(e => e.Schema))
            .Select(s => newSchema is not null && s == request.Schema ? newSchema : s).Distinct()], ct, extensions);
        try
        {
            catalog = await CatalogReader.ReadAsync(source, schemas, extensions, request.Operation is CloneOperation.Database or CloneOperation.DatabaseCreate, ct, catalogHelper);
            scope = PlanScope.Build(request, catalog);
            if (request.Operation is not (CloneOperation.Database or CloneOperation.DatabaseCreate))
            {
                outside = await CatalogReader.OutsideDependenciesAsync(source, [.. schemas], request.Operation is CloneOperation.Table or CloneOperation.Functions, ct);
                outside.AddRange(await CatalogReader.FunctionsCalledAsync(source, scope.OutsideCallsAtLoad(catalog), ct));
            }
            if (request.Operation is CloneOperation.Table or CloneOperation.Functions) outside.AddRange(scope.RelationsLeftBehind(request, catalog));
            outside.AddRange(await CatalogReader.SystemCollationsUsedAsync(source, [.. schemas], ct));
            if (options.IncludeData)
            {
                named = await CatalogReader.ObjectsNamedByValuesAsync(source, new SessionWarmup(source, request.Source),
                    scope.Tables.Select(t => (t, scope.Columns[t.Oid])), request.Operation == CloneOperation.Table ? where : null, ct);
                catalog = catalog with { IndexesNamedByValues = named.Select(v => v.Key).OfType<ObjectKey>().Where(k => k.Kind == 'i').Select(k => k.Oid).ToHashSet() };
            }
            if (newSchema is not null)
                rename = new SchemaRename(request.Schema!, newSchema, await CatalogReader.SchemaObjectNamesAsync(source, request.Schema!, ct),
                    printedFrom: await Jobs.JobSession.ScalarAsync<string>(source, request.Source, "SELECT pg_catalog.quote_ident($1)", ct, request.Schema!));
        }
        catch (Exception e)
        {
            // The target session is not free until its reads are over, whatever they give.
            try { await targetRead; }
            catch (Exception) { /* the source's failure is the one reported */ }
            if (e is NpgsqlException) throw PgCloneException.FromDriver(request.Source, null, e);
            throw;
        }

        TargetState state;
        try
        {
            state = await targetRead;
            if (rename is not null) state = rename.AsSource(state);
            if (asTarget is not null) state = asTarget(state);
            scope.RefuseUnsupported(request, catalog, await TargetState.MissingLibrariesAsync(target,
                scope.Functions.Select(f => f.Library).OfType<string>().Distinct().ToList(), ct),
                await TargetState.MissingTextSearchFilesAsync(target, scope.TextSearchFiles(request, catalog), ct), state);
            scope.RefuseWhatNeedsMissingOutside(request, catalog, outside,
                await TargetState.UnresolvedNamesAsync(target, outside.Select(d => (d.RegType, d.Name)).Distinct().ToList(), ct));
            scope.RefuseValuesNamingMissing(request, catalog, named,
                await TargetState.UnresolvedNamesAsync(target, named.Select(v => (v.RegType, v.Name)).Distinct().ToList(), ct));
            if (newSchema is not null) scope.RefuseValuesNamingRenamedSchema(request, catalog, named, request.Schema!, newSchema);
            scope.KeepRequestedTable(request);
        }
        catch (Exception e) when (e is NpgsqlException) { throw PgCloneException.FromDriver(request.Target, null, e); }

        var naming = options.TargetName is { } newName && request.Operation == CloneOperation.Table ? new TargetNaming(scope.Tables, newName, catalog, state) : TargetNaming.Identity;
        var plan = new PlanAssembler(request, catalog, scope, state, naming, where, issues).Build(masker);
        if (options.IncludeData) masker?.EnsureAllRulesUsed();
        if (rename is not null)
        {
            plan = rename.Apply(plan);
            plan = plan with { Notes = [.. plan.Notes, .. rename.BodiesNamingSource(plan)] };
        }
        // The names as the target gets them, under a new schema name too. (A preview of a database not created yet reads another database of the target server.)
        if (asTarget is null) await RefuseNamesTheTargetCannotHoldAsync(request, plan, source, target, issues, ct);
        if (request.Operation == CloneOperation.Database && await TargetLocaleAsync(request, source, target, ct) is { } locale) plan = plan with { Notes = [.. plan.Notes, locale] };
        IReadOnlyList<DroppedAlong> along;
        try { along = await TargetState.DroppedAlongAsync(target, plan.Replaced, ct); }
        catch (Exception e) when (e is NpgsqlException) { throw PgCloneException.FromDriver(request.Target, null, e); }
        var dropped = RefuseReplaceDroppingMore(request, along, schemas.Select(s => s == request.Schema && newSchema is not null ? newSchema : s).ToHashSet(), issues);
        var kept = options.Conflict != ConflictStrategy.Error && request.Operation is CloneOperation.Schema or CloneOperation.Database or CloneOperation.DatabaseCreate
            ? ConflictResolver.KeptNote(state, catalog, schemas.ToHashSet(), along.Where(a => a.Relation.HasValue).Select(a => a.Relation!.Value), n => rename?.Name(n) ?? n)
            : null;
        return plan with { Skipped = [.. plan.Skipped, .. dropped], Notes = kept is null ? plan.Notes : [.. plan.Notes, kept] };
    }

    /// <summary>A database clone's note of the target database's encoding and locale where they differ from the source's (<see cref="DatabaseDdl.TargetLocale"/>).</summary>
    private static async Task<string?> TargetLocaleAsync(CloneRequest request, NpgsqlConnection source, NpgsqlConnection target, CancellationToken ct)
    {
        DatabaseProperties from, to;
        try { from = await CatalogReader.ReadDatabasePropertiesAsync(source, ct); }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(request.Source, null, e); }
        try { to = await CatalogReader.ReadDatabasePropertiesAsync(target, ct); }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(request.Target, null, e); }
        return DatabaseDdl.TargetLocale(target.Database, to, from);
    }

    /// <summary>
    /// PostgreSQL cuts a name to 63 bytes of its database's encoding. A source of another encoding may hold names that
    /// are longer in the target's (LATIN1's é is two bytes in UTF-8), or characters it cannot hold: the server would
    /// cut such a name quietly (two cut alike then collide, after rows were written) or fail half-way. Refused before
    /// anything is written, naming each and an object it names. A SQL_ASCII database declares no encoding: its bytes go
    /// as they are (<see cref="ServerEndpoint.OpenAsync"/>).
    /// </summary>
    private static async Task RefuseNamesTheTargetCannotHoldAsync(CloneRequest request, ClonePlan plan, NpgsqlConnection source, NpgsqlConnection target,
        Action<PlanIssue>? issues, CancellationToken ct)
    {
        var (from, to) = (ServerEndpoint.DatabaseEncoding(source), ServerEndpoint.DatabaseEncoding(target));
        if (from == to || from == ServerEndpoint.SqlAscii || to == ServerEndpoint.SqlAscii) return;
        // ASCII is the same bytes in every server encoding: only the other names can grow or fail to convert.
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in plan.PreData.Concat(plan.Tables.SelectMany(t => t.Create)).Concat(plan.Indexes).Concat(plan.Constraints).Concat(plan.PostData))
            foreach (var token in SqlTokens.Read(s.Sql))
                if (token.IsIdentifier && !System.Text.Ascii.IsValid(token.Value)) names.TryAdd(token.Value, $"{s.ObjectKind} {s.ObjectName}");
        IReadOnlyList<(string Name, int? Bytes)> notHeld;
        try { notHeld = await TargetState.NamesNotHeldAsync(target, names.Keys, ct); }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(request.Target, null, e); }
        foreach (var (name, bytes) in notHeld.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var problem = (bytes is { } n
                              ? $"the name {Sql.Ident(name)} is {n} bytes in the target database's encoding {to} (the source's is {from}), more than the 63 PostgreSQL keeps of a name: it would be cut short"
                              : $"the name {Sql.Ident(name)} has a character the target database's encoding {to} has no equivalent for (the source's is {from})")
                          + $" (nothing was changed; rename it on the source, or clone into a database of encoding {from})";
            var error = PgCloneException.For(request.Target, names[name], problem);
            if (issues is null) throw error;
            issues(new PlanIssue("encoding", true, names[name], problem, error));
        }
    }

    /// <summary>
    /// conflict=replace drops the target's objects with CASCADE, which also drops what depends on them. That is
    /// refused before anything changes, naming each, when it is anything the clone does not create again: a table or a
    /// column (rows), a constraint, default, trigger, index, policy or rule of a relation that stays, or any object
    /// outside the schemas a schema or database clone creates afresh (a view of another schema, a table's CHECK
    /// calling a function a functions clone replaces). pg_restore --clean refuses such drops too.
    /// </summary>
    /// <returns>
    /// What it drops of the target's own in those schemas that the clone does not make again (views, materialized
    /// views and routines: one the source has too is replaced itself), for the run to list.
    /// </returns>
    private static List<string> RefuseReplaceDroppingMore(CloneRequest request, IReadOnlyList<DroppedAlong> along, IReadOnlySet<string> clonedSchemas, Action<PlanIssue>? issues)
    {
        var wholeSchemas = request.Operation is CloneOperation.Schema or CloneOperation.Database or CloneOperation.DatabaseCreate;
        // A schema or database clone brings its schemas' objects and the casts of their types (no schema of their own).
        var lost = along.Where(d => d.HoldsData || d.AttachedToKept || !wholeSchemas || d.Schema is not null && !clonedSchemas.Contains(d.Schema))
            .Select(d => d.Description).ToList();
        if (lost.Count == 0)
        {
            const string dropped = "the target's own (the source has none), dropped with what conflict=replace replaced";
            var own = along.Where(d => d.Kind is "view" or "materialized view" or "function" or "procedure" or "aggregate").Select(d => d.Description).ToList();
            foreach (var o in own) issues?.Invoke(new PlanIssue("conflict", false, o, dropped));
            return [.. own.Select(o => $"{o}: {dropped}")];
        }
        const string what = "conflict=replace";
        var problem = $"dropping the target's objects to create them again would also drop {Words.Count(lost.Count, "object")} the clone does not create again: " +
                      $"{string.Join(", ", lost)} (nothing was changed; move or drop those first, or choose conflict rename or skip)";
        var error = PgCloneException.For(request.Target, what, problem);
        if (issues is null) throw error;
        issues(new PlanIssue("conflict", true, what, problem, error));
        return [];
    }

    /// <summary>
    /// The request as a source read byte for byte (a SQL_ASCII database's) reads it. A schema, table or column is
    /// taken as given when it exists so (picked from a list that session read), else as the UTF-8 of what the user
    /// typed; a filter and a new name are typed, so its literals match the rows stored in UTF-8 and the target,
    /// written byte for byte too, gets the UTF-8 of the new name.
    /// </summary>
    private static async Task<CloneRequest> AsReadAsync(CloneRequest request, NpgsqlConnection source, CancellationToken ct)
    {
        if (!ServerEndpoint.IsByteForByte(source)) return request;
        static string? Typed(string? text) => text is null ? null : ServerEndpoint.AsByteForByte(text);
        async Task<string?> NameAsync(string? name, string sql, params string?[] context) =>
            name is null ? null
            : await Jobs.JobSession.ScalarAsync<bool>(source, request.Source, sql, ct, [.. context.Append(name).Select(v => (object?)v ?? DBNull.Value)]) ? name
            : Typed(name);
        var schema = await NameAsync(request.Schema, Catalog.CatalogReader.SchemaExists);
        var table = await NameAsync(request.Table, "SELECT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2)", schema);
        var o = request.EffectiveOptions;
        var columns = new List<string>();
        foreach (var c in o.Columns ?? [])
            columns.Add((await NameAsync(c, "SELECT EXISTS (SELECT FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
                                            "WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3)", schema, table))!);
        return request with
        {
            Schema = schema, Table = table,
            Options = o with { Where = Typed(o.Where), TargetName = Typed(o.TargetName), Columns = o.Columns is null ? null : columns },
        };
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
        if (found.Count == 0) throw PgCloneException.For(request.Source, null, $"schema {Sql.Ident(request.Schema)} does not exist{PgName.TooLongHint(request.Schema)}");
        return [request.Schema];
    }
}
