using System.Text.Json.Serialization;
using PgClone.Core.Catalog;
using PgClone.Core.Ddl;

namespace PgClone.Core.Subsetting;

/// <summary>What happens to tables that no foreign key (declared or virtual) links to the root table.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SubsetOutside>))]
public enum SubsetOutside
{
    /// <summary>Copied whole.</summary>
    [JsonStringEnumMemberName("full")] Full,
    /// <summary>Created on the target, but no row is copied.</summary>
    [JsonStringEnumMemberName("exclude")] Exclude,
}

/// <summary>A relation the schema does not declare: <c>"from": "s.t(a,b)"</c> references <c>"to": "s.u(x,y)"</c>.</summary>
public sealed record VirtualForeignKey
{
    /// <summary>The referencing (child) side.</summary>
    [JsonPropertyName("from")] public required string From { get; init; }
    /// <summary>The referenced (parent) side.</summary>
    [JsonPropertyName("to")] public required string To { get; init; }
}

/// <summary>
/// The <c>"subset"</c> clone option: rows of the root table chosen by a filter, a share or a count (or a filter plus
/// a share or count), then closed over foreign keys so the copy is referentially complete.
/// </summary>
public sealed record SubsetOptions
{
    /// <summary>The root table, <c>schema.table</c> (the request's schema when unqualified).</summary>
    [JsonPropertyName("root")] public required string Root { get; init; }
    /// <summary>A row filter on the root table, checked like the <c>where</c> option.</summary>
    [JsonPropertyName("where")] public string? Where { get; init; }
    /// <summary>A random share (0 &lt; percent &lt;= 100) of the root rows (of those the filter keeps).</summary>
    [JsonPropertyName("percent")] public double? Percent { get; init; }
    /// <summary>At most this many root rows, chosen at random (of those the filter and share keep).</summary>
    [JsonPropertyName("limit")] public long? Limit { get; init; }
    /// <summary>How many foreign-key hops down (to referencing rows) to follow from the root rows; null = all.</summary>
    [JsonPropertyName("child_depth")] public int? ChildDepth { get; init; }
    // Setters, not init, keep the defaults when absent (see CloneOptions).
    [JsonPropertyName("virtual_fks")] public IReadOnlyList<VirtualForeignKey> VirtualForeignKeys { get; set; } = [];
    [JsonPropertyName("outside")] public SubsetOutside Outside { get; set; } = SubsetOutside.Full;

    /// <summary>Checks the option's own rules (not the catalog); returns the validated filter.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Root)) throw Invalid("root must name a table");
        if (Where is null && Percent is null && Limit is null) throw Invalid("give where, percent or limit (or where plus percent or limit)");
        if (Percent is { } p && (double.IsNaN(p) || p <= 0 || p > 100)) throw Invalid($"percent must be in (0, 100], got {p}");
        if (Limit is < 0) throw Invalid($"limit must not be negative, got {Limit}");
        if (ChildDepth is < 0) throw Invalid($"child_depth must not be negative, got {ChildDepth}");
        foreach (var fk in VirtualForeignKeys) { RelationRef.Parse(fk.From, "virtual_fks.from", null); RelationRef.Parse(fk.To, "virtual_fks.to", null); }
        try { return WhereFilter.Validate(Where); }
        catch (PgCloneException e) { throw Invalid(e.Message); }
    }

    /// <summary>A table name as the option writes it (<c>s.t</c>, <c>"My S"."T"</c>; unqualified: <paramref name="defaultSchema"/>, else public).</summary>
    public static QualifiedName ParseTable(string text, string? defaultSchema = null) => RelationRef.Parse(text, "root", defaultSchema).Table;

    internal static PgCloneException Invalid(string reason) => new($"invalid options: subset: {reason}");
}

/// <summary>A table name with an optional column list, as the subset option writes it: <c>s.t</c>, <c>"My S"."T"(a, "B")</c>.</summary>
internal sealed record RelationRef(QualifiedName Table, IReadOnlyList<string> Columns)
{
    public static RelationRef Parse(string text, string what, string? defaultSchema)
    {
        var parts = new List<string>();
        var columns = new List<string>();
        var i = 0;
        var inColumns = false;
        while (true)
        {
            SkipSpaces(text, ref i);
            var name = Identifier(text, ref i) ?? throw SubsetOptions.Invalid($"{what} \"{text}\": expected a name at position {i + 1}");
            (inColumns ? columns : parts).Add(name);
            SkipSpaces(text, ref i);
            if (i == text.Length && !inColumns) break;
            var ch = i < text.Length ? text[i++] : '\0';
            if (!inColumns && ch == '.' && parts.Count < 2) continue;
            if (!inColumns && ch == '(') { inColumns = true; continue; }
            if (inColumns && ch == ',') continue;
            if (inColumns && ch == ')')
            {
                SkipSpaces(text, ref i);
                if (i == text.Length) break;
            }
            throw SubsetOptions.Invalid($"{what} \"{text}\": unexpected text at position {i}");
        }
        var schema = parts.Count == 2 ? parts[0] : defaultSchema ?? "public";
        return new RelationRef(new QualifiedName(schema, parts[^1]), columns);
    }

    private static void SkipSpaces(string s, ref int i) { while (i < s.Length && char.IsWhiteSpace(s[i])) i++; }

    /// <summary>A "quoted" name (kept as written) or a plain one (folded to lower case, as PostgreSQL does).</summary>
    private static string? Identifier(string s, ref int i)
    {
        if (i < s.Length && s[i] == '"') return Connections.Sql.ReadIdent(s, ref i);
        var start = i;
        while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '_' or '$')) i++;
        return i == start ? null : s[start..i].ToLowerInvariant();
    }
}
