using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace PgClone.Core;

/// <summary>
/// JSON through the generated metadata that an options object resolves to (its TypeInfoResolver, a
/// JsonSerializerContext), never reflection: pgclone is compiled natively, where reflection-based serialization is
/// not available, and the generated code also spares the JIT its start-up cost.
/// </summary>
public static class JsonText
{
    public static string Write<T>(T value, JsonSerializerOptions options) => JsonSerializer.Serialize(value, Info<T>(options));

    public static byte[] WriteUtf8<T>(T value, JsonSerializerOptions options) => JsonSerializer.SerializeToUtf8Bytes(value, Info<T>(options));

    public static T? Read<T>(string json, JsonSerializerOptions options) => JsonSerializer.Deserialize(json, Info<T>(options));

    private static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    /// <summary>
    /// A refusal of <see cref="Read{T}"/> in a user's words: the option it names and what it takes
    /// (<c>unknown option "paralel"</c>, <c>"conflict" must be one of "error", "skip", "replace", "rename"</c>), not
    /// the serializer's .NET type names and byte positions.
    /// </summary>
    public static string Explain<T>(JsonException e, JsonSerializerOptions options)
    {
        var path = Regex.Replace(e.Path ?? "$", @"^\$\.?", "");
        if (Regex.Match(e.Message, "^The JSON property '(.+?)' could not be mapped") is { Success: true } unknown)
        {
            // The path names the unknown property itself, except at the top level, where it is "$".
            var name = unknown.Groups[1].Value;
            return $"unknown option \"{(path.Length == 0 ? name : path)}\"";
        }
        if (!e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            return $"not valid JSON: {Plain(e.Message)}{(e.BytePositionInLine is { } at ? $" (at character {at + 1})" : "")}";
        if (path.Length == 0) return "expected a JSON object";
        return PropertyType(options, typeof(T), path) is { } type
            ? $"\"{path}\" must be {Kind(type, options)}"
            : $"\"{path}\" has a value of the wrong kind";
    }

    /// <summary>The serializer's message without the position it appends (" Path: $.x | LineNumber: 0 | BytePositionInLine: 9.").</summary>
    private static string Plain(string message) => Regex.Replace(message, @"\s*(Path: .*?)?\s*\|?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?$", "");

    /// <summary>The declared type at a path of plain property names (a.b.c), or null where the path goes through a list or map.</summary>
    private static Type? PropertyType(JsonSerializerOptions options, Type root, string path)
    {
        var type = root;
        foreach (var name in path.Split('.'))
        {
            var info = options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
            if (info.Kind != JsonTypeInfoKind.Object || info.Properties.FirstOrDefault(p => p.Name == name) is not { } property) return null;
            type = property.PropertyType;
        }
        return type;
    }

    private static string Kind(Type type, JsonSerializerOptions options)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long) || type == typeof(short)) return "a whole number";
        if (type == typeof(double) || type == typeof(decimal) || type == typeof(float)) return "a number";
        if (type == typeof(string)) return "a string";
        if (type.IsEnum)
        {
            var info = options.GetTypeInfo(type);
            var names = Enum.GetValuesAsUnderlyingType(type).Cast<object>()
                .Select(v => JsonSerializer.Serialize(Enum.ToObject(type, v), info));
            return $"one of {string.Join(", ", names)}";
        }
        if (typeof(System.Text.Json.Nodes.JsonObject).IsAssignableFrom(type)) return "an object";
        if (typeof(System.Text.Json.Nodes.JsonArray).IsAssignableFrom(type)) return "a list";
        return options.GetTypeInfo(type).Kind switch
        {
            JsonTypeInfoKind.Enumerable => "a list",
            JsonTypeInfoKind.Dictionary or JsonTypeInfoKind.Object => "an object",
            _ => "a value of another kind",
        };
    }
}
