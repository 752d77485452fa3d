using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PgClone.Core.Connections;

namespace PgClone.Core;

public enum CloneOperation { Table, Schema, Functions, Database, DatabaseCreate }

public static class CloneOperationNames
{
    /// <summary>The operation as users name it: the CLI verb, the JSON summary, the console ("database-create").</summary>
    public static string Name(this CloneOperation operation) => operation switch
    {
        CloneOperation.DatabaseCreate => "database-create",
        _ => operation.ToString().ToLowerInvariant(),
    };
}

[JsonConverter(typeof(JsonStringEnumConverter<ConflictStrategy>))]
public enum ConflictStrategy
{
    [JsonStringEnumMemberName("error")] Error,
    [JsonStringEnumMemberName("skip")] Skip,
    [JsonStringEnumMemberName("replace")] Replace,
    [JsonStringEnumMemberName("rename")] Rename,
}

/// <summary>
/// The clone options as one JSON object, with the names pgclone users already know. Unknown names are an
/// error, so a typo never silently changes what a clone does. Properties with a default have setters, not init:
/// generated JSON metadata sets every init-only property, so an absent one would lose its default
/// (dotnet/runtime#84484).
/// </summary>
public sealed record CloneOptions
{
    [JsonPropertyName("indexes")] public bool Indexes { get; set; } = true;
    [JsonPropertyName("constraints")] public bool Constraints { get; set; } = true;
    [JsonPropertyName("triggers")] public bool Triggers { get; set; } = true;
    [JsonPropertyName("matviews")] public bool Matviews { get; set; } = true;
    [JsonPropertyName("columns")] public IReadOnlyList<string>? Columns { get; set; }
    [JsonPropertyName("where")] public string? Where { get; set; }
    [JsonPropertyName("conflict")] public ConflictStrategy Conflict { get; set; } = ConflictStrategy.Error;
    [JsonPropertyName("parallel")] public int Parallel { get; set; } = 1;
    /// <summary>Mask rules; their shape is defined by the masking rules parser.</summary>
    [JsonPropertyName("mask")] public JsonObject? Mask { get; set; }
    [JsonPropertyName("consistent")] public bool Consistent { get; set; } = true;
    [JsonPropertyName("include_data")] public bool IncludeData { get; set; } = true;
    [JsonPropertyName("target_name")] public string? TargetName { get; set; }
    /// <summary>Fail before copying when discovery finds a sensitive column without a mask rule.</summary>
    [JsonPropertyName("require_masking")] public bool RequireMasking { get; set; }
    /// <summary>Clone without what cannot be recreated (security labels, C functions whose library the target lacks) and what depends on it, listing it in the result's skipped objects; otherwise planning refuses the run.</summary>
    [JsonPropertyName("skip_unsupported")] public bool SkipUnsupported { get; set; }
    /// <summary>Copy a referentially complete subset of the rows (see PgClone.Core/Subsetting).</summary>
    [JsonPropertyName("subset")] public Subsetting.SubsetOptions? Subset { get; set; }
    /// <summary>
    /// Seconds the run waits for its ACCESS SHARE lock on each source table (pg_dump's --lock-wait-timeout): a session
    /// holding one of them in ACCESS EXCLUSIVE (an ALTER TABLE waiting on a long transaction, say) fails the run before
    /// it writes anything, rather than hang it with that session's lock queue behind it.
    /// </summary>
    [JsonPropertyName("lock_wait_timeout")] public int LockWaitTimeout { get; set; } = 30;

    public static readonly JsonSerializerOptions Json = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        PropertyNameCaseInsensitive = false,
        WriteIndented = false,
        // Generated metadata: reflection-based metadata cost each CLI run 70 ms before its first connection (Reflection.Emit, 300 JIT'd methods).
        TypeInfoResolver = CloneOptionsJson.Default,
    };

    public static CloneOptions Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new CloneOptions();
        CloneOptions? options;
        try { options = JsonText.Read<CloneOptions>(json, Json); }
        catch (JsonException e) { throw new PgCloneException($"invalid options: {JsonText.Explain<CloneOptions>(e, Json)}", e); }
        if (options is null) throw new PgCloneException("invalid options: expected a JSON object");
        if (options.Parallel is < 1 or > 256) throw new PgCloneException($"invalid options: parallel must be between 1 and 256, got {options.Parallel}");
        if (options.LockWaitTimeout is < 1 or > MaxLockWaitTimeout) throw new PgCloneException($"invalid options: lock_wait_timeout must be between 1 and {MaxLockWaitTimeout} seconds, got {options.LockWaitTimeout}");
        if (options.Columns is { Count: 0 }) throw new PgCloneException("invalid options: columns must name at least one column");
        options.Subset?.Validate();
        return options;
    }

    public string ToJson() => JsonText.Write(this, Json);

    /// <summary>The most lock_timeout takes, in seconds (an int of milliseconds).</summary>
    public const int MaxLockWaitTimeout = int.MaxValue / 1000;
}

[JsonSerializable(typeof(CloneOptions))]
internal sealed partial class CloneOptionsJson : JsonSerializerContext;

/// <summary>What to clone, from where, to where. Schema and Table name source objects.</summary>
public sealed record CloneRequest(
    CloneOperation Operation,
    ServerEndpoint Source,
    ServerEndpoint Target,
    string? Schema = null,
    string? Table = null,
    CloneOptions? Options = null)
{
    public CloneOptions EffectiveOptions => Options ?? new CloneOptions();
}
