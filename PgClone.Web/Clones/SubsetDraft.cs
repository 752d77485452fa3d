using PgClone.Core;
using PgClone.Core.Subsetting;

namespace PgClone.Web.Clones;

/// <summary>How the Subset step chooses the root rows: a filter, a share, a count, or a filter plus a share or count.</summary>
public enum SubsetChoice { Where, Percent, Limit, WherePercent, WhereLimit }

/// <summary>A relation the schema does not declare, as the Subset step edits it: <c>from</c> references <c>to</c>.</summary>
public sealed record DraftVirtualKey(string From, string To);

/// <summary>
/// The wizard's <c>subset</c> option while it is edited (the engine's <see cref="SubsetOptions"/> is immutable): the
/// root table, how its rows are chosen, the child depth, virtual foreign keys and what happens to tables outside the
/// foreign-key graph. <see cref="ToOptions"/> gives the option the CLI takes; the engine validates it as it does there.
/// </summary>
public sealed class SubsetDraft
{
    /// <summary>The root table, schema and name.</summary>
    public Core.Catalog.QualifiedName? Root { get; set; }
    public SubsetChoice Choice { get; set; } = SubsetChoice.Where;
    public string? Where { get; set; }
    public double? Percent { get; set; }
    public long? Limit { get; set; }
    /// <summary>Foreign-key hops down from the root rows; null follows all.</summary>
    public int? ChildDepth { get; set; }
    public List<DraftVirtualKey> VirtualKeys { get; } = [];
    public SubsetOutside Outside { get; set; } = SubsetOutside.Full;

    private bool UsesWhere => Choice is SubsetChoice.Where or SubsetChoice.WherePercent or SubsetChoice.WhereLimit;
    private bool UsesPercent => Choice is SubsetChoice.Percent or SubsetChoice.WherePercent;
    private bool UsesLimit => Choice is SubsetChoice.Limit or SubsetChoice.WhereLimit;

    /// <summary>What the option still lacks, one sentence each (the engine's own validation message when it rejects it).</summary>
    public IReadOnlyList<string> Problems()
    {
        if (Root is null) return ["Choose the subset's root table in the tree (or turn the subset off)."];
        if (UsesWhere && string.IsNullOrWhiteSpace(Where)) return ["Give the row filter (where) of the root table."];
        if (UsesPercent && Percent is null) return ["Give the share of root rows (percent)."];
        if (UsesLimit && Limit is null) return ["Give the number of root rows (limit)."];
        try { ToOptions().Validate(); }
        catch (PgCloneException e) { return [e.Message]; }
        return [];
    }

    public SubsetOptions ToOptions() => new()
    {
        Root = Root is { } r ? $"{Core.Connections.Sql.Ident(r.Schema)}.{Core.Connections.Sql.Ident(r.Name)}" : "",
        Where = UsesWhere && !string.IsNullOrWhiteSpace(Where) ? Where.Trim() : null,
        Percent = UsesPercent ? Percent : null,
        Limit = UsesLimit ? Limit : null,
        ChildDepth = ChildDepth,
        VirtualForeignKeys = [.. VirtualKeys.Select(k => new VirtualForeignKey { From = k.From, To = k.To })],
        Outside = Outside,
    };

    /// <summary>The draft of a saved option (editing a profile).</summary>
    public static SubsetDraft From(SubsetOptions o)
    {
        var draft = new SubsetDraft
        {
            Root = ParseRoot(o.Root), Where = o.Where, Percent = o.Percent, Limit = o.Limit, ChildDepth = o.ChildDepth, Outside = o.Outside,
            Choice = (o.Where is not null, o.Percent is not null, o.Limit is not null) switch
            {
                (true, true, _) => SubsetChoice.WherePercent,
                (true, _, true) => SubsetChoice.WhereLimit,
                (false, true, _) => SubsetChoice.Percent,
                (false, _, true) => SubsetChoice.Limit,
                _ => SubsetChoice.Where,
            },
        };
        draft.VirtualKeys.AddRange(o.VirtualForeignKeys.Select(k => new DraftVirtualKey(k.From, k.To)));
        return draft;
    }

    /// <summary>The root as the engine reads it (quoted or plain names, schema optional: public).</summary>
    private static Core.Catalog.QualifiedName? ParseRoot(string root)
    {
        try { return SubsetOptions.ParseTable(root); }
        catch (PgCloneException) { return null; }
    }
}
