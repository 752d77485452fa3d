using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgClone.Core.Preflight;

[JsonConverter(typeof(JsonStringEnumConverter<PreflightStatus>))]
public enum PreflightStatus
{
    [JsonStringEnumMemberName("ok")] Ok,
    [JsonStringEnumMemberName("warning")] Warning,
    /// <summary>The clone would fail (or must not start): it is refused before anything changes.</summary>
    [JsonStringEnumMemberName("blocker")] Blocker,
}

/// <summary>One finding: a stable id (<c>version</c>, <c>privilege.source</c>, <c>conflict</c>, ...), its status, one line, and the object it is about.</summary>
public sealed record PreflightCheck(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("status")] PreflightStatus Status,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("object")] string? Object = null)
{
    /// <summary>For a blocker met while planning: the error the clone itself would fail with.</summary>
    [JsonIgnore] public PgCloneException? Error { get; init; }

    /// <summary><c>blocker  conflict  table "s"."t": already exists ...</c></summary>
    public override string ToString() =>
        $"{Status.ToString().ToLowerInvariant(),-8} {Id,-22} {(Object is null ? "" : Object + ": ")}{Message}";
}

/// <summary>
/// The preflight of one clone request: what the CLI prints (<c>pgclone preflight --json</c>), what the console's
/// wizard and <c>/api/v1/preflight</c> show. <see cref="ToJson"/> is that one JSON shape.
/// </summary>
public sealed record PreflightReport(
    [property: JsonPropertyName("checks")] IReadOnlyList<PreflightCheck> Checks)
{
    /// <summary>The worst status of any check.</summary>
    [JsonPropertyName("status")]
    public PreflightStatus Status => Checks.Count == 0 ? PreflightStatus.Ok : Checks.Max(c => c.Status);

    [JsonIgnore] public IReadOnlyList<PreflightCheck> Blockers => [.. Checks.Where(c => c.Status == PreflightStatus.Blocker)];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, TypeInfoResolver = PreflightJson.Default };

    public string ToJson() => JsonText.Write(this, Json);

    /// <summary>
    /// The error a clone with blockers fails with: a single blocker met while planning keeps the planner's own error
    /// (the same words a clone always gave); several are listed on one line.
    /// </summary>
    public PgCloneException Refusal()
    {
        var blockers = Blockers;
        if (blockers is [{ Error: { } only }]) return only;
        // A run's error is read on one line: a long list of one kind (57 tables that already exist) is cut, and the
        // preflight itself lists them all.
        var listed = blockers.GroupBy(b => b.Id).SelectMany(g => g.Take(ListedPerKind)
            .Select(b => $"[{b.Id}] {(b.Object is null ? "" : b.Object + ": ")}{b.Message}")
            .Concat(g.Count() > ListedPerKind ? [$"[{g.Key}] and {g.Count() - ListedPerKind} more"] : []));
        var remedy = blockers.Any(b => b.Id == "conflict" && b.Message == Ddl.ConflictResolver.ExistsProblem)
            ? " (to go on over what exists, choose the conflict strategy skip, replace or rename)" : "";
        return new PgCloneException($"preflight found {Words.Count(blockers.Count, "blocker")}: {string.Join("; ", listed)}{remedy}");
    }

    private const int ListedPerKind = 10;
}

/// <summary>How the preflight estimates and what it previews.</summary>
public sealed record PreflightOptions
{
    /// <summary>The CLI's default throughput for the duration estimate (bytes per second): a conservative figure for a
    /// load with indexes on a small server. The console passes the throughput measured by earlier runs.</summary>
    public const double DefaultThroughput = 50d * 1024 * 1024;

    public double ThroughputBytesPerSecond { get; init; } = DefaultThroughput;
    /// <summary>Compute a subset option's chosen rows per table (off in the clone's own gate, which computes them anyway).</summary>
    public bool PreviewSubset { get; init; } = true;
}

[JsonSerializable(typeof(PreflightReport))]
internal sealed partial class PreflightJson : JsonSerializerContext;
