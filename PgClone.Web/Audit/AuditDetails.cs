using System.Text.Encodings.Web;
using System.Text.Json;

namespace PgClone.Web.Audit;

/// <summary>
/// An audit entry's details as a person reads them: its fields in a line (an object by its name, nulls and empty
/// values left out, a connection by its name), and the JSON indented without escapes (<c>'</c> rather than <c>\u0027</c>)
/// for the rest.
/// </summary>
public sealed record AuditDetails(IReadOnlyList<(string Field, string Value)> Fields, string Json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The fields shown in the line; the JSON below holds every one.</summary>
    private const int MaxFields = 8;

    /// <param name="connectionNames">Connections by id: an entry names a connection by its id (the name can change, the
    /// entry cannot), which the line shows with its current name.</param>
    public static AuditDetails Read(string? details, IReadOnlyDictionary<int, string>? connectionNames = null)
    {
        if (string.IsNullOrWhiteSpace(details)) return new([], "");
        try
        {
            using var doc = JsonDocument.Parse(details);
            var json = JsonSerializer.Serialize(doc.RootElement, Indented);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return new([], json);
            var fields = doc.RootElement.EnumerateObject()
                .Select(p => ConnectionId(p, connectionNames) ?? (Field: Words(p.Name), Value: Shown(p.Value)))
                .Where(f => f.Value is { Length: > 0 })
                .Take(MaxFields)
                .Select(f => (f.Field, f.Value!))
                .ToList();
            return new(fields, json);
        }
        catch (JsonException) { return new([], details); }
    }

    /// <summary>"sourceConnectionId": 1 reads "source connection 'prod' (#1)", or "#1" for a connection deleted since.</summary>
    private static (string Field, string? Value)? ConnectionId(JsonProperty p, IReadOnlyDictionary<int, string>? names)
    {
        const string suffix = "ConnectionId";
        if (!p.Name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) || !p.Value.TryGetInt32(out var id)) return null;
        var field = Words(p.Name[..^"Id".Length]);
        return (field, names is not null && names.TryGetValue(id, out var name) ? $"'{name}' (#{id})" : $"#{id}");
    }

    /// <summary>A value in a few words: text and numbers as they are, yes/no, an object by its name, a list by its count.</summary>
    private static string? Shown(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "yes",
        JsonValueKind.False => null,
        JsonValueKind.Object => v.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
        JsonValueKind.Array => v.GetArrayLength() switch { 0 => null, 1 => Shown(v[0]), var n => $"{n} items" },
        _ => null,
    };

    /// <summary>"startedBy" reads "started by", "resumed_from" "resumed from".</summary>
    private static string Words(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? " " + char.ToLowerInvariant(c) : c == '_' ? " " : c.ToString()));
}
