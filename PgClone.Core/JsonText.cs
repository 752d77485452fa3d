using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

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
}
