using PgClone.Core.Copying;
using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Masking;

/// <summary>
/// The clone's masker: answers the planner with mask expressions from the request's rules, runs the coverage
/// gate before the copy and the proof after it. One instance per clone run.
/// </summary>
/// <remarks>The secret is asked for only when a keyed rule is used, so the CLI creates no key file for runs without one.</remarks>
public sealed class ColumnMasker(MaskRuleSet rules, Func<MaskingSecret> secret, ServerEndpoint source, ServerEndpoint target, bool requireMasking) : IColumnMasker
{
    private readonly Lazy<MaskKeySql> _key = new(() => secret().InlineSql());
    private readonly Dictionary<(QualifiedName Table, string Column), MaskedColumn> _masked = [];

    /// <summary>Every column masked so far, with its rule and expression (the proof reads it).</summary>
    public IReadOnlyCollection<MaskedColumn> Masked { get { lock (_masked) return _masked.Values.ToList(); } }

    public string? ExpressionFor(MaskColumn column)
    {
        var rule = rules.Find(column.Table, column.Column, column.InheritedFrom);
        if (rule is null) return null;
        // A user or extension type the planner did not classify (a domain over text, say) is taken for the kind the
        // rule needs; EnsureCoverageAsync checks it against pg_type before any row is copied.
        if (MaskExpressions.KindOf(column) == MaskTypeKind.Other && column.TypeCategory is null)
            column = column with { TypeCategory = MaskExpressions.CategoryNeeded(rule.Strategy) };
        var expression = MaskExpressions.Checked(rule, column, rule.IsKeyed ? _key.Value : MaskKeySql.None, source);
        lock (_masked) _masked[(column.Table, column.Column)] = new MaskedColumn(column, rule, expression);
        return expression;
    }

    /// <summary>
    /// Keyed and character-level strategies are computed in process on the stream where the result is exactly the
    /// SQL's: the source then only reads the value (no per-row expression on its one core, no key in its query).
    /// </summary>
    public ColumnRead? ReadFor(MaskColumn column)
    {
        if (ExpressionFor(column) is not { } expression) return null;
        var rule = rules.Find(column.Table, column.Column, column.InheritedFrom)!;
        return StreamMask.Plan(rule, column) is { } stream
            ? new ColumnRead(stream.ReadAs, new StreamMask(-1, rule, stream.Type) { MaxLength = stream.MaxLength })
            : new ColumnRead(expression, null);
    }

    public BinaryCopyWalker? RewriterFor(TableData table) => StreamMaskRewriters.For(table.TargetColumns.Count, table.StreamMasks, secret);

    private readonly List<MaskColumn> _computed = [];

    public void ComputedOnTarget(MaskColumn column)
    {
        if (rules.Find(column.Table, column.Column, column.InheritedFrom) is not null) lock (_computed) _computed.Add(column);
    }

    public void EnsureAllRulesUsed()
    {
        var unused = rules.Unused();
        if (unused.Count > 0)
            throw PgCloneException.For(source, null, $"mask rules match no copied column: {string.Join(", ", unused)}");
    }

    public async Task EnsureCoverageAsync(NpgsqlConnection sourceConnection, ClonePlan plan, CancellationToken ct)
    {
        await VerifyAgainstCatalogAsync(sourceConnection, ct);
        await EnsureComputedFromMaskedAsync(sourceConnection, ct);
        await EnsureNoPartitionKeyMaskedAsync(sourceConnection, ct);
        await EnsureForeignKeysMaskedAlikeAsync(sourceConnection, plan, ct);
        await MaskFitProbe.EnsureFitsAsync(source, sourceConnection, Masked, ct);
        if (!requireMasking) return;
        var uncovered = new List<string>();
        foreach (var schema in plan.Tables.GroupBy(t => t.Source.Schema).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var copied = schema.ToDictionary(t => t.Source.Name, t => t.TargetColumns.ToHashSet(StringComparer.Ordinal));
            var found = await SensitiveDataScanner.ScanAsync(sourceConnection, source, schema.Key, copied.Keys.ToList(), ct);
            uncovered.AddRange(found
                .Where(f => copied[f.Table.Name].Contains(f.Column) && !rules.Covers(f.Table, f.Column, f.InheritedFrom))
                .Select(f => $"{f.Table.Quoted}.{Sql.Ident(f.Column)} ({f.Category})"));
        }
        if (uncovered.Count > 0)
            throw PgCloneException.For(source, null,
                $"require_masking: {uncovered.Count} sensitive column{(uncovered.Count == 1 ? "" : "s")} without a mask rule: {string.Join(", ", uncovered)}");
    }

    /// <summary>
    /// A rule on a stored generated column holds only through the columns it is computed from: the target computes it
    /// again from them, so each must be masked too, or the generated value reaches the target as the source has it.
    /// </summary>
    private async Task EnsureComputedFromMaskedAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        List<MaskColumn> computed;
        lock (_computed) computed = [.. _computed];
        foreach (var c in computed)
        {
            var unmasked = (await MaskCatalog.GeneratedFromAsync(conn, source, c.Table, c.Column, ct)).Where(from => !rules.Covers(c.Table, from, c.InheritedFrom)).ToList();
            if (unmasked.Count > 0)
                throw PgCloneException.For(source, $"column {c.Table.Quoted}.{Sql.Ident(c.Column)}",
                    $"its mask rule cannot apply: a generated column is computed on the target from {string.Join(", ", unmasked.Select(Sql.Ident))}, " +
                    $"which {(unmasked.Count == 1 ? "has" : "have")} no mask rule; mask {(unmasked.Count == 1 ? "that column" : "those columns")} (the generated column follows them)");
        }
    }

    /// <summary>
    /// Each partition is loaded by itself, so a masked value of a partition key column would belong in another
    /// partition than its row's: the load fails on the partition's constraint. Refused before anything is written.
    /// </summary>
    private async Task EnsureNoPartitionKeyMaskedAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var keys = await MaskCatalog.PartitionKeyColumnsAsync(conn, source, Masked.Select(m => (m.Column.Table, m.Column.Column)).ToList(), ct);
        if (keys.Count == 0) return;
        var first = keys[0];
        throw PgCloneException.For(source, $"column {first.Partitioned.Quoted}.{Sql.Ident(first.Column)}",
            $"its mask rule cannot apply: the column is in the partition key of {first.Partitioned.Quoted}, and its masked values would belong in " +
            "other partitions than their rows (each partition is loaded by itself); leave its rule out and mask it on the target after the clone " +
            "with mask-in-place (an UPDATE moves each row to its partition)");
    }

    /// <summary>
    /// A foreign key holds on masked rows only when both its columns are masked alike by a deterministic rule (or the
    /// referencing one is nulled): one side masked, or the two masked differently, breaks it when the key is added
    /// after the data. Refused before anything is written, naming the key and both rules.
    /// </summary>
    private async Task EnsureForeignKeysMaskedAlikeAsync(NpgsqlConnection conn, ClonePlan plan, CancellationToken ct)
    {
        foreach (var fk in await MaskCatalog.ForeignKeysOfAsync(conn, source, plan.Tables.Select(t => t.Source).ToHashSet(), ct))
        {
            if (!fk.ReferencedCopied) continue;
            var rule = rules.Peek(fk.Table, fk.Column, fk.TableAncestors);
            var referenced = rules.Peek(fk.Referenced, fk.ReferencedColumn, fk.ReferencedAncestors);
            if (rule is { Strategy: MaskStrategy.Null }) continue;
            var cutApart = rule is { Strategy: MaskStrategy.Hash or MaskStrategy.KeyedHash or MaskStrategy.KeyedEmail } && CutTo(fk.Type, rule) != CutTo(fk.ReferencedType, rule);
            if (rule?.ToString() == referenced?.ToString() && (rule is null || rule.IsDeterministic) && !cutApart) continue;
            string Said(MaskRule? r) => r is null ? "unmasked" : $"masked by {r}";
            throw PgCloneException.For(source, $"foreign key {Sql.Ident(fk.Constraint)} on {fk.Table.Quoted}",
                $"its column {Sql.Ident(fk.Column)} is {Said(rule)} and the column it references, {fk.Referenced.Quoted}.{Sql.Ident(fk.ReferencedColumn)}, " +
                $"is {Said(referenced)}: the clone's rows would break the key; give both the same deterministic rule (keyed_hash keeps them linked)" +
                (cutApart ? $", but a hash is cut to its column's length: {fk.Type} against {fk.ReferencedType}; give both columns one type"
                 : rule?.ToString() == referenced?.ToString() ? $", {rule!.StrategyName} gives each row a value of its own" : ""));
        }
    }

    /// <summary>
    /// The length a hash's hex digits (md5: 32, keyed: 64) are cut to in a column of the type; null when they fit.
    /// keyed_email keeps the domain, of any length: any limit may cut it.
    /// </summary>
    internal static int? CutTo(string type, MaskRule rule)
    {
        if (rule.Strategy is not (MaskStrategy.Hash or MaskStrategy.KeyedHash or MaskStrategy.KeyedEmail)) return null;
        var digits = rule.Strategy switch { MaskStrategy.Hash => 32, MaskStrategy.KeyedHash => 64, _ => int.MaxValue };
        return LengthOf(type) is { } n && n < digits ? n : null;
    }

    /// <summary>The characters a column of a character or bit type with a length holds; null for any other type.</summary>
    internal static int? LengthOf(string type)
    {
        var length = System.Text.RegularExpressions.Regex.Match(type, @"^(?:character varying|character|bit varying)\((\d+)\)$");
        return length.Success ? int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// Re-checks every masked column with what the catalog says: the real type category (domains) and unique
    /// indexes, which the planner's view of a column may not include.
    /// </summary>
    private async Task VerifyAgainstCatalogAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        foreach (var schema in Masked.GroupBy(m => m.Column.Table.Schema))
        {
            var catalog = (await MaskCatalog.ColumnsAsync(conn, source, schema.Key, schema.Select(m => m.Column.Table.Name).Distinct().ToList(), ct))
                .ToDictionary(c => (c.Table, c.Column));
            foreach (var m in schema)
            {
                if (!catalog.TryGetValue((m.Column.Table, m.Column.Column), out var c)) continue;
                var actual = c.ToMaskColumn() with
                {
                    InPrimaryKey = c.InPrimaryKey || m.Column.InPrimaryKey, InUnique = c.InUnique || m.Column.InUnique,
                    InForeignKey = c.InForeignKey || m.Column.InForeignKey,
                };
                if (MaskExpressions.Problem(m.Rule, actual) is { } problem) throw MaskExpressions.Refusal(source, actual, problem);
            }
        }
    }

    public Task<string?> ProveAsync(NpgsqlConnection sourceConnection, NpgsqlConnection targetConnection, ClonePlan plan, CancellationToken ct) =>
        MaskProof.ProveAsync(sourceConnection, targetConnection, source, target, plan, Masked,
            Masked.Any(m => m.Rule.IsKeyed) ? _key.Value : MaskKeySql.None, ct);
}

/// <summary>A column the masker answered for: its catalog view, rule, and the expression it returned.</summary>
public sealed record MaskedColumn(MaskColumn Column, MaskRule Rule, string Expression);

/// <summary>What the engine calls to get a run's masker.</summary>
public static class MaskingFactory
{
    /// <summary>The masker for the request, or null when it has no mask rules and does not require masking.</summary>
    public static IColumnMasker? Create(CloneRequest request, MaskingSecret secret) => Create(request, () => secret);

    /// <summary>As above; <paramref name="secret"/> is called only if a keyed rule is used.</summary>
    public static IColumnMasker? Create(CloneRequest request, Func<MaskingSecret> secret)
    {
        var options = request.EffectiveOptions;
        var rules = MaskRuleSet.Parse(options.Mask, request.Operation, request.Schema);
        if (rules.IsEmpty && !options.RequireMasking) return null;
        return new ColumnMasker(rules, secret, request.Source, request.Target, options.RequireMasking);
    }
}
