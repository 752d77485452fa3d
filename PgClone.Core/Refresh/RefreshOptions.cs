using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgClone.Core.Refresh;

/// <summary>What a swap does with the sessions still connected to the live database.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SwapSessions>))]
public enum SwapSessions
{
    /// <summary>Terminate them at the instant of the swap (they reconnect to the new copy).</summary>
    [JsonStringEnumMemberName("terminate")] Terminate,
    /// <summary>Wait until they are gone, up to <see cref="RefreshOptions.SwapTimeout"/>; then fail, leaving the live database as it was.</summary>
    [JsonStringEnumMemberName("wait")] Wait,
}

/// <summary>
/// A zero-downtime refresh: the clone goes into a shadow database, is verified and proved masked there, and only then
/// takes the live database's name; the live copy is kept under a <c>_prev_</c> name, the last
/// <see cref="KeepPrevious"/> of them.
/// </summary>
public sealed record RefreshOptions
{
    [JsonPropertyName("keep_previous")] public int KeepPrevious { get; init; } = 1;
    [JsonPropertyName("sessions")] public SwapSessions Sessions { get; init; } = SwapSessions.Terminate;
    [JsonPropertyName("swap_timeout_seconds")] public int SwapTimeoutSeconds { get; init; } = 30;
    /// <summary>Compare row counts and checksums of the shadow with the source before the swap (masked columns left out).</summary>
    [JsonPropertyName("verify")] public bool Verify { get; init; } = true;

    [JsonIgnore] public TimeSpan SwapTimeout => TimeSpan.FromSeconds(SwapTimeoutSeconds);

    private static readonly JsonSerializerOptions Json = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, TypeInfoResolver = RefreshOptionsJson.Default };

    public static RefreshOptions Parse(string json)
    {
        try { return (JsonText.Read<RefreshOptions>(json, Json) ?? throw new PgCloneException("invalid refresh options: expected a JSON object")).Validated(); }
        catch (JsonException e) { throw new PgCloneException($"invalid refresh options: {JsonText.Explain<RefreshOptions>(e, Json)}", e); }
    }

    public string ToJson() => JsonText.Write(this, Json);

    public RefreshOptions Validated()
    {
        if (KeepPrevious is < 0 or > 100) throw new PgCloneException($"invalid refresh options: keep_previous must be between 0 and 100, got {KeepPrevious}");
        if (SwapTimeoutSeconds is < 1 or > 3600) throw new PgCloneException($"invalid refresh options: swap_timeout_seconds must be between 1 and 3600, got {SwapTimeoutSeconds}");
        return this;
    }
}

[JsonSerializable(typeof(RefreshOptions))]
internal sealed partial class RefreshOptionsJson : JsonSerializerContext;
