using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgClone.Core.Verification;

/// <summary>
/// One column difference of a table: Drift is type, not_null, default, only_in_source, only_in_target or position;
/// Source and Target are the values on each side (a column's full definition for only_in_*, its position for position).
/// </summary>
public sealed record ColumnDrift(string Column, string Drift, string? Source, string? Target);

/// <summary>An object present on both sides with different definitions; tables also list their column drift.</summary>
public sealed record ModifiedObject(string Name, string Source, string Target, IReadOnlyList<ColumnDrift>? Columns = null);

public sealed record CategoryDiff(string Category, IReadOnlyList<string> OnlyInSource, IReadOnlyList<string> OnlyInTarget, IReadOnlyList<ModifiedObject> Modified)
{
    public int Count => OnlyInSource.Count + OnlyInTarget.Count + Modified.Count;
}

/// <summary>
/// The definitions of one schema compared between source and target, category by category; DatabaseWide says whether
/// the database's own objects were among them, so a report without them cannot be read as their being in sync.
/// </summary>
public sealed record SchemaDiffResult(string Schema, IReadOnlyList<CategoryDiff> Categories, bool DatabaseWide = true)
{
    public int DiffCount => Categories.Sum(c => c.Count);
    public bool InSync => DiffCount == 0;

    /// <summary>The report as JSON: schema, database_wide, in_sync, diff_count, summary (counts per category), then each category.</summary>
    public JsonObject ToJson()
    {
        var summary = new JsonObject();
        foreach (var c in Categories)
            summary[c.Category] = new JsonObject
            {
                ["only_in_source"] = c.OnlyInSource.Count, ["only_in_target"] = c.OnlyInTarget.Count, ["modified"] = c.Modified.Count,
            };
        var json = new JsonObject { ["schema"] = Schema, ["database_wide"] = DatabaseWide, ["in_sync"] = InSync, ["diff_count"] = DiffCount, ["summary"] = summary };
        foreach (var c in Categories)
            json[c.Category] = new JsonObject
            {
                ["only_in_source"] = new JsonArray(c.OnlyInSource.Select(n => (JsonNode?)n).ToArray()),
                ["only_in_target"] = new JsonArray(c.OnlyInTarget.Select(n => (JsonNode?)n).ToArray()),
                ["modified"] = new JsonArray(c.Modified.Select(Modified).ToArray()),
            };
        return json;
    }

    /// <summary>The JSON as text; definitions keep their quotes and operators readable (no \u0027 escapes).</summary>
    public string ToJsonText(bool indented = true) => ToJson().ToJsonString(new JsonSerializerOptions
    {
        WriteIndented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static JsonNode? Modified(ModifiedObject m)
    {
        var node = new JsonObject { ["name"] = m.Name, ["source"] = m.Source, ["target"] = m.Target };
        if (m.Columns is not null)
            node["columns"] = new JsonArray(m.Columns.Select(d => (JsonNode?)new JsonObject
            {
                ["column"] = d.Column, ["drift"] = d.Drift, ["source"] = d.Source, ["target"] = d.Target,
            }).ToArray());
        return node;
    }
}
