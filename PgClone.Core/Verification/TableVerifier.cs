using PgClone.Core.Connections;

namespace PgClone.Core.Verification;

/// <summary>
/// Compares the tables of the source and the target, by estimate, by count, or by content checksum. Both servers
/// are read inside read-only transactions, each table on both servers at once.
/// </summary>
public sealed class TableVerifier
{
    public async Task<VerifyResult> VerifyAsync(ServerEndpoint source, ServerEndpoint target, VerifyOptions options, CancellationToken ct = default)
    {
        await using var s = await ReadOnlySession.OpenAsync(source, ct);
        await using var t = await ReadOnlySession.OpenAsync(target, ct, s.ByteForByte);
        if (options.Schema is { } schema)
            options = options with { Schema = await VerifyCatalog.SchemaAsReadAsync(s, schema, ct) ?? throw PgCloneException.For(source, $"schema {Sql.Ident(schema)}", "does not exist") };
        var onTarget = await TargetSchemaAsync(t, target, options, ct);
        var exclusions = ColumnExclusions.Parse(options.ExcludeColumns);
        var (table, onTargetTable) = TablesNamed(source, target, options);
        var sourceTables = Only(await VerifyCatalog.ReadTablesAsync(s, options.Schema, ct, Named(s, table)), s, table);
        if (table is not null && sourceTables.All(x => x.Kind == VerifiedKind.Sequence))
            throw PgCloneException.For(source, $"table {Sql.Qualified(options.Schema!, table)}", "does not exist");
        // A schema or table cloned under another name: keyed by the source's names, to pair with the source's (a
        // table's sequences by the column they belong to).
        var targetTables = Only(await VerifyCatalog.ReadTablesAsync(t, onTarget, ct, Named(t, onTargetTable)), t, onTargetTable)
            .ToDictionary(tt => (onTarget == options.Schema ? tt.Schema : options.Schema!, onTargetTable is null ? tt.Name : SourceName(tt, sourceTables)));

        var results = new List<TableVerification>();
        var sequences = new List<(VerifiedTable Source, VerifiedTable Target)>();
        foreach (var st in sourceTables)
        {
            if (!targetTables.Remove(Key(st), out var tt))
                results.Add(Tagged(new TableVerification(st.Schema, st.Name, await RowsAsync(s, st, options.Mode, ct), null, VerifyStatus.MissingOnTarget), st));
            else if (st.Kind != tt.Kind)
                results.Add(new TableVerification(st.Schema, st.Name, await RowsAsync(s, st, options.Mode, ct), await RowsAsync(t, tt, options.Mode, ct),
                    VerifyStatus.Mismatch, Note: $"{st.Kind.Name()} on the source, {tt.Kind.Name()} on the target", Kind: st.Kind));
            else if (st.Kind == VerifiedKind.Sequence)
                sequences.Add((st, tt));
            else if (st.UnloggedOnStandby || tt.UnloggedOnStandby)
                results.Add(Tagged(NotOnStandby(st, tt), st));
            else if (!st.Populated || !tt.Populated)
                results.Add(Unpopulated(st, tt, await RowsAsync(s, st, options.Mode, ct), await RowsAsync(t, tt, options.Mode, ct)));
            else
                results.Add(Tagged(options.Mode switch
                {
                    VerifyMode.Fast => Compare(st, st.Estimate, tt.Estimate),
                    VerifyMode.Exact => Compare(st, await Both(VerifyCatalog.CountAsync(s, st, ct), VerifyCatalog.CountAsync(t, tt, ct))),
                    _ => await ChecksumAsync(s, t, st, tt, exclusions, ct),
                }, st));
        }
        foreach (var tt in targetTables.Values)
            results.Add(Tagged(new TableVerification(tt.Schema, tt.Name, null, await RowsAsync(t, tt, options.Mode, ct), VerifyStatus.OnlyOnTarget), tt));
        results.AddRange(await SequencesAsync(s, t, sequences, ct));
        results.Sort((a, b) => string.CompareOrdinal(a.Schema, b.Schema) is var c and not 0 ? c : string.CompareOrdinal(a.Table, b.Table));
        if (options.Schema is null && await LargeObjectsAsync(s, t, options.Mode, ct) is { } largeObjects) results.Add(largeObjects);
        return new VerifyResult(options.Mode, results);
    }

    /// <summary>
    /// A whole-database verification also compares the large objects (listed as pg_catalog.pg_largeobject), when
    /// either side has any: their number, and in checksum mode their contents.
    /// </summary>
    private static async Task<TableVerification?> LargeObjectsAsync(ReadOnlySession s, ReadOnlySession t, VerifyMode mode, CancellationToken ct)
    {
        var checksum = mode == VerifyMode.Checksum;
        var (source, target) = (await VerifyCatalog.LargeObjectsAsync(s, checksum, ct), await VerifyCatalog.LargeObjectsAsync(t, checksum, ct));
        if (source.Count == 0 && target.Count == 0) return null;
        var status = source == target ? VerifyStatus.Match : VerifyStatus.Mismatch;
        return new TableVerification("pg_catalog", "pg_largeobject", source.Count, target.Count, status, source.Hash, target.Hash,
            Note: VerifiedKind.LargeObjects.Name(), Kind: VerifiedKind.LargeObjects);
    }

    private static (string, string) Key(VerifiedTable t) => (t.Schema, t.Name);

    /// <summary>The table compared alone, if any, and its name on the target; both need what they narrow down named.</summary>
    private static (string? Table, string? OnTarget) TablesNamed(ServerEndpoint source, ServerEndpoint target, VerifyOptions options)
    {
        if (options.Table is { } table && options.Schema is null)
            throw PgCloneException.For(source, $"table {Sql.Ident(table)}", "is looked up in a schema, and none was named: name it too (--schema)");
        if (options.TargetTable is { } named && options.Table is null)
            throw PgCloneException.For(target, $"table {Sql.Ident(named)}", "is compared with a table of the source, and none was named: name that one too (--table)");
        return (options.Table, options.TargetTable ?? options.Table);
    }

    private static string[]? Named(ReadOnlySession session, string? table) => table is null ? null : [table, session.AsRead(table)];

    /// <summary>
    /// The relations read, or only the table named (as typed, or as the session reads a typed name) and the sequences
    /// its columns own (serial, identity), which a table clone brings with it.
    /// </summary>
    private static List<VerifiedTable> Only(List<VerifiedTable> tables, ReadOnlySession session, string? name)
    {
        if (name is null) return tables;
        var named = tables.Any(x => x.Name == name && x.Kind != VerifiedKind.Sequence) ? name : session.AsRead(name);
        return tables.Where(x => x.Kind == VerifiedKind.Sequence ? x.Owner?.Table == named : x.Name == named).ToList();
    }

    /// <summary>The source's name of a relation of a table verified under another name: the table's, or that of the sequence owned by the same column.</summary>
    private static string SourceName(VerifiedTable onTarget, List<VerifiedTable> source) =>
        onTarget.Kind == VerifiedKind.Sequence
            ? source.FirstOrDefault(x => x.Kind == VerifiedKind.Sequence && x.Owner?.Column == onTarget.Owner?.Column)?.Name ?? onTarget.Name
            : source.First(x => x.Kind != VerifiedKind.Sequence).Name;

    /// <summary>
    /// The schema read on the target: the source's, or the name it was cloned under, as the target spells it (one
    /// the target lacks is read as given, so each table shows as missing there, as with a source schema it lacks).
    /// </summary>
    private static async Task<string?> TargetSchemaAsync(ReadOnlySession t, ServerEndpoint target, VerifyOptions options, CancellationToken ct)
    {
        if (options.TargetSchema is not { } named) return options.Schema;
        if (options.Schema is null)
            throw PgCloneException.For(target, $"schema {Sql.Ident(named)}", "is compared with a schema of the source, and none was named: name that one too (--schema)");
        return await VerifyCatalog.SchemaAsReadAsync(t, named, ct) ?? t.AsRead(named);
    }

    /// <summary>A table's or populated materialized view's rows as the mode counts them; none for a sequence or an unpopulated view.</summary>
    private static async Task<long?> RowsAsync(ReadOnlySession session, VerifiedTable t, VerifyMode mode, CancellationToken ct) =>
        t.Kind == VerifiedKind.Sequence || !t.Populated || t.UnloggedOnStandby ? null
        : mode == VerifyMode.Fast ? t.Estimate
        : await VerifyCatalog.CountAsync(session, t, ct);

    /// <summary>
    /// Sequences match when they are in the same state (the same last_value and is_called), so the next nextval()
    /// on the target returns what it would have returned on the source. Read once per server for all of them.
    /// </summary>
    private static async Task<IEnumerable<TableVerification>> SequencesAsync(ReadOnlySession s, ReadOnlySession t,
        List<(VerifiedTable Source, VerifiedTable Target)> sequences, CancellationToken ct)
    {
        if (sequences.Count == 0) return [];
        var readable = sequences.Where(q => q.Source.Readable && q.Target.Readable && !q.Source.UnloggedOnStandby && !q.Target.UnloggedOnStandby).ToList();
        var sourceStates = await VerifyCatalog.SequencesAsync(s, [.. readable.Select(q => q.Source)], ct);
        var targetStates = await VerifyCatalog.SequencesAsync(t, [.. readable.Select(q => q.Target)], ct);
        return sequences.Select(q =>
        {
            if (q.Source.UnloggedOnStandby || q.Target.UnloggedOnStandby) return NotOnStandby(q.Source, q.Target);
            if (!q.Source.Readable || !q.Target.Readable)
                return new TableVerification(q.Source.Schema, q.Source.Name, null, null, VerifyStatus.Unknown,
                    Note: $"sequence not read: no SELECT privilege on it on the {(q.Source.Readable ? "target" : "source")}", Kind: VerifiedKind.Sequence);
            var (source, target) = (sourceStates[Key(q.Source)], targetStates[Key(q.Target)]);
            return source == target
                ? new TableVerification(q.Source.Schema, q.Source.Name, null, null, VerifyStatus.Match, Note: $"sequence at {source}", Kind: VerifiedKind.Sequence)
                : new TableVerification(q.Source.Schema, q.Source.Name, null, null, VerifyStatus.Mismatch,
                    Note: $"sequence at {source} on the source, {target} on the target", Kind: VerifiedKind.Sequence);
        });
    }

    /// <summary>An unlogged relation on a hot standby: the standby holds none of its rows or state, so nothing to compare.</summary>
    private static TableVerification NotOnStandby(VerifiedTable st, VerifiedTable tt) =>
        new(st.Schema, st.Name, null, null, VerifyStatus.Unknown, Kind: st.Kind,
            Note: $"unlogged on a hot standby (the {(st.UnloggedOnStandby ? "source" : "target")}), which holds none of its {(st.Kind == VerifiedKind.Sequence ? "state" : "rows")}: not compared");

    /// <summary>A materialized view left WITH NO DATA has no rows to read: it matches one that is unpopulated too.</summary>
    private static TableVerification Unpopulated(VerifiedTable st, VerifiedTable tt, long? sourceRows, long? targetRows) =>
        st.Populated == tt.Populated
            ? new(st.Schema, st.Name, null, null, VerifyStatus.Match, Note: "materialized view, not populated (WITH NO DATA)", Kind: st.Kind)
            : new(st.Schema, st.Name, sourceRows, targetRows, VerifyStatus.Mismatch,
                Note: $"materialized view populated on the {(st.Populated ? "source" : "target")} only", Kind: st.Kind);

    /// <summary>
    /// Names what a materialized view's entry compares; a view's rows are those of its last REFRESH, and a clone
    /// computes them from the rows it copied, so a view the source left stale, or whose query reads the clock or
    /// aggregates in no fixed order (json_object_agg without ORDER BY), differs from its clone.
    /// </summary>
    private static TableVerification Tagged(TableVerification entry, VerifiedTable t)
    {
        if (t.ForeignLeaves.Count > 0)
            return entry with { Note = Join($"foreign partitions not compared: {string.Join(", ", t.ForeignLeaves)}", entry.Note) };
        if (t.Kind == VerifiedKind.Table) return entry;
        var kind = t.Kind == VerifiedKind.MaterializedView && entry.Status == VerifyStatus.Mismatch
            ? "materialized view (rows of its last REFRESH, which the clone computes afresh: the source's is stale, or its query reads the clock or aggregates in no fixed order)"
            : t.Kind.Name();
        return entry with { Kind = t.Kind, Note = Join(kind, entry.Note) };
    }

    private static string Join(string first, string? then) => then is null ? first : $"{first}; {then}";

    private static Task<(T, T)> Both<T>(Task<T> source, Task<T> target) => ReadOnlySession.BothAsync(source, target);

    private static TableVerification Compare(VerifiedTable t, (long Source, long Target) counts) => Compare(t, counts.Source, counts.Target);

    private static TableVerification Compare(VerifiedTable t, long? source, long? target) =>
        new(t.Schema, t.Name, source, target,
            source is null || target is null ? VerifyStatus.Unknown : source == target ? VerifyStatus.Match : VerifyStatus.Mismatch,
            Note: source is null || target is null ? "no estimate: the table was never analyzed" : null);

    private static async Task<TableVerification> ChecksumAsync(ReadOnlySession s, ReadOnlySession t, VerifiedTable st, VerifiedTable tt,
        ColumnExclusions exclusions, CancellationToken ct)
    {
        var excluded = st.Columns.Where(c => exclusions.Excludes(st.Schema, st.Name, c)).ToList();
        var columns = st.Columns.Except(excluded).ToList();
        var missing = columns.Except(tt.Columns).ToList();
        var extra = tt.Columns.Except(st.Columns).Except(excluded).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            var (sourceRows, targetRows) = await Both(VerifyCatalog.CountAsync(s, st, ct), VerifyCatalog.CountAsync(t, tt, ct));
            var note = string.Join("; ", new[]
            {
                missing.Count > 0 ? "columns missing on the target: " + Sql.IdentList(missing) : null,
                extra.Count > 0 ? "columns only on the target: " + Sql.IdentList(extra) : null,
            }.OfType<string>());
            return new TableVerification(st.Schema, st.Name, sourceRows, targetRows, VerifyStatus.Mismatch, null, null, excluded, note);
        }
        var (source, target) = await Both(VerifyCatalog.ChecksumAsync(s, st, columns, ct), VerifyCatalog.ChecksumAsync(t, tt, columns, ct));
        var status = source == target ? VerifyStatus.Match : VerifyStatus.Mismatch;
        return new TableVerification(st.Schema, st.Name, source.Rows, target.Rows, status, source.Hash, target.Hash, excluded,
            excluded.Count > 0 ? "excluded from the checksum: " + Sql.IdentList(excluded) : null);
    }
}
