using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Verification;

/// <summary>
/// Compares the definitions of one schema on the source and the target: tables column by column, and indexes
/// (except those backing constraints), constraints, user triggers, views, materialized views, sequences, functions,
/// types and every other kind pg_dump emits (<see cref="DiffCatalogKinds"/>, database-wide ones included unless
/// <see cref="DatabaseWide"/> is off) by their server-rendered definitions. Read-only on both servers.
/// </summary>
public sealed class SchemaDiffer
{
    /// <summary>The category of everything's owners and grants (on by default, as in pg_dump -s); off, a clone made
    /// into a database without the source's roles, which differs in them by design, can be compared.</summary>
    public bool Privileges { get; init; } = true;

    /// <summary>The objects of the database rather than of the schema (access methods, foreign-data wrappers, servers and
    /// user mappings, publications, event triggers, default privileges not IN SCHEMA, and their owners and grants and
    /// those of large objects). On by default, as a database clone brings them; off after a schema or table clone,
    /// which (like pg_dump -n) does not, so that they are not reported as drift.</summary>
    public bool DatabaseWide { get; init; } = true;

    /// <summary>Only these categories (null: all of them): the functions after a functions clone, which brings nothing else of its schema.</summary>
    public IReadOnlySet<string>? Categories { get; init; }

    public Task<SchemaDiffResult> DiffAsync(ServerEndpoint source, ServerEndpoint target, string schema, CancellationToken ct = default) =>
        DiffAsync(source, target, schema, null, ct);

    /// <param name="targetSchema">
    /// The schema's name on the target when it was cloned under another one (target_name): the target's names and
    /// definitions are read back as if they were in <paramref name="schema"/>, so only real differences show.
    /// </param>
    public async Task<SchemaDiffResult> DiffAsync(ServerEndpoint source, ServerEndpoint target, string schema, string? targetSchema, CancellationToken ct = default)
    {
        await using var s = await ReadOnlySession.OpenAsync(source, ct);
        await using var t = await ReadOnlySession.OpenAsync(target, ct, s.ByteForByte);
        var asRead = await VerifyCatalog.SchemaAsReadAsync(s, schema, ct)
            ?? throw PgCloneException.For(source, $"schema {Sql.Ident(schema)}", "does not exist");
        var onTarget = targetSchema is null ? asRead : await VerifyCatalog.SchemaAsReadAsync(t, targetSchema, ct) ?? t.AsRead(targetSchema);
        schema = asRead;
        var back = onTarget == schema ? null : new SchemaRename(onTarget, schema,
            (await t.QueryAsync(CatalogReader.SchemaObjectNames, r => r.GetString(0), ct, null, [new[] { onTarget }])).ToHashSet(StringComparer.Ordinal),
            await s.ScalarAsync<string>("SELECT pg_catalog.quote_ident($1)", ct, [schema]));

        var (sc, tc) = await ReadOnlySession.BothAsync(ReadColumnsAsync(s, schema, ct), ReadColumnsAsync(t, onTarget, ct));
        if (back is not null)
            tc = tc.ToDictionary(kv => kv.Key, kv => kv.Value.Select(c => c with { Type = back.Rewrite(c.Type), Default = c.Default is null ? null : back.Rewrite(c.Default) }).ToList(), StringComparer.Ordinal);
        var categories = new List<CategoryDiff>();
        foreach (var (category, sql) in DiffCatalog.Definitions.Concat(DiffCatalogKinds.Queries(DatabaseWide))
                     .Where(d => (Privileges || d.Category != DiffCatalogKinds.PrivilegesCategory) && (Categories is null || Categories.Contains(d.Category))))
        {
            var (sourceDefs, targetDefs) = await ReadOnlySession.BothAsync(DiffCatalog.ReadDefinitionsAsync(s, sql, schema, ct), DiffCatalog.ReadDefinitionsAsync(t, sql, onTarget, ct));
            var (sd, td) = (ToMap(sourceDefs), ToMap(back is null ? targetDefs : targetDefs.Select(d => (back.Rewrite(d.Name), back.Rewrite(d.Definition))).ToList()));
            categories.Add(category switch
            {
                "tables" => CompareTables(sd, td, sc, tc),
                // An object on one side only is its own category's drift; here only what both have, owned or granted otherwise.
                DiffCatalogKinds.PrivilegesCategory => Compare(category, sd, td) with { OnlyInSource = [], OnlyInTarget = [] },
                _ => Compare(category, sd, td),
            });
        }
        return new SchemaDiffResult(schema, categories, DatabaseWide);
    }

    private static async Task<Dictionary<string, List<DiffColumn>>> ReadColumnsAsync(ReadOnlySession s, string schema, CancellationToken ct) =>
        (await DiffCatalog.ReadColumnsAsync(s, schema, ct)).GroupBy(c => c.Table).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

    private static SortedDictionary<string, string> ToMap(List<(string Name, string Definition)> rows) =>
        new(rows.ToDictionary(r => r.Name, r => r.Definition, StringComparer.Ordinal), StringComparer.Ordinal);

    private static CategoryDiff Compare(string category, SortedDictionary<string, string> source, SortedDictionary<string, string> target) =>
        new(category,
            source.Keys.Where(k => !target.ContainsKey(k)).ToList(),
            target.Keys.Where(k => !source.ContainsKey(k)).ToList(),
            source.Where(kv => target.TryGetValue(kv.Key, out var other) && DefinitionForm.Canonical(other) != DefinitionForm.Canonical(kv.Value))
                .Select(kv => new ModifiedObject(kv.Key, kv.Value, target[kv.Key])).ToList());

    /// <summary>
    /// A table is modified when a column was added, dropped, changed (type, NOT NULL, default) or moved, or its
    /// partitioning (partition key, partition bounds) differs. Both definitions list the columns in their own order.
    /// </summary>
    private static CategoryDiff CompareTables(SortedDictionary<string, string> source, SortedDictionary<string, string> target,
        Dictionary<string, List<DiffColumn>> sourceColumns, Dictionary<string, List<DiffColumn>> targetColumns)
    {
        var modified = new List<ModifiedObject>();
        foreach (var (name, clauses) in source)
        {
            if (!target.TryGetValue(name, out var targetClauses)) continue;
            var sc = sourceColumns.GetValueOrDefault(name) ?? [];
            var tc = targetColumns.GetValueOrDefault(name) ?? [];
            var drift = ColumnDrifts(sc, tc);
            if (drift.Count > 0 || clauses != targetClauses)
                modified.Add(new ModifiedObject(name, TableDefinition(sc, clauses), TableDefinition(tc, targetClauses), drift));
        }
        var diff = Compare("tables", source, target);
        return diff with { Modified = modified };
    }

    private static List<ColumnDrift> ColumnDrifts(List<DiffColumn> source, List<DiffColumn> target)
    {
        var drift = new List<ColumnDrift>();
        var targetByName = target.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var s in source)
        {
            if (!targetByName.TryGetValue(s.Name, out var t)) { drift.Add(new ColumnDrift(s.Name, "only_in_source", ColumnDefinition(s), null)); continue; }
            if (s.Type != t.Type) drift.Add(new ColumnDrift(s.Name, "type", s.Type, t.Type));
            if (s.NotNull != t.NotNull) drift.Add(new ColumnDrift(s.Name, "not_null", Nullability(s), Nullability(t)));
            if (s.Default != t.Default) drift.Add(new ColumnDrift(s.Name, "default", s.Default, t.Default));
        }
        var sourceNames = source.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        drift.AddRange(target.Where(c => !sourceNames.Contains(c.Name)).Select(c => new ColumnDrift(c.Name, "only_in_target", null, ColumnDefinition(c))));
        drift.AddRange(Moved(source, target, targetByName.Keys.ToHashSet(StringComparer.Ordinal), sourceNames));
        return drift;
    }

    /// <summary>
    /// Columns both sides have, in another order relative to each other (a partition attached, or an inheritance child
    /// made, with its own order): SELECT * and COPY without a column list see the order. Each moved column with its
    /// position (1 = first) on each side; one only added or dropped moves nothing.
    /// </summary>
    private static IEnumerable<ColumnDrift> Moved(List<DiffColumn> source, List<DiffColumn> target, HashSet<string> inTarget, HashSet<string> inSource)
    {
        var sourceOrder = source.Where(c => inTarget.Contains(c.Name)).Select(c => c.Name).ToList();
        var targetOrder = target.Where(c => inSource.Contains(c.Name)).Select(c => c.Name).ToList();
        for (var i = 0; i < sourceOrder.Count; i++)
        {
            if (sourceOrder[i] == targetOrder[i]) continue;
            var name = sourceOrder[i];
            yield return new ColumnDrift(name, "position", Position(source, name), Position(target, name));
        }
    }

    private static string Position(List<DiffColumn> columns, string name) =>
        (columns.FindIndex(c => c.Name == name) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Nullability(DiffColumn c) => c.NotNull ? "NOT NULL" : "NULL";

    private static string ColumnDefinition(DiffColumn c) =>
        $"{Sql.Ident(c.Name)} {c.Type}{(c.NotNull ? " NOT NULL" : "")}{(c.Default is null ? "" : c.Default.StartsWith("GENERATED ") ? " " + c.Default : " DEFAULT " + c.Default)}";

    private static string TableDefinition(List<DiffColumn> columns, string clauses) =>
        $"({string.Join(", ", columns.Select(ColumnDefinition))}){(clauses.Length > 0 ? " " + clauses : "")}";
}
