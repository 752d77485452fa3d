using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Web.Runs;

namespace PgClone.Web.Components.Shared;

/// <summary>A run's operation and scope in a few words ("schema shop", "table shop.orders", "database").</summary>
public static class RunText
{
    public static string What(RunSummary r) => What(r.Operation, r.Schema, r.Table, r.TargetDatabase);

    /// <param name="newDatabase">The database a database-create run makes, when known.</param>
    public static string What(string operation, string? schema, string? table, string? newDatabase = null) => operation switch
    {
        "table" => $"table {schema}.{table}",
        "schema" or "functions" => $"{operation} {schema}",
        "database-create" => newDatabase is null ? "new database" : $"new database {newDatabase}",
        _ => operation,
    };

    /// <summary>When a run ran; one still queued, or cancelled before it started, says so rather than showing a dash.</summary>
    public static string Ran(RunSummary run, bool finished) => run.StartedAt is { } started
        ? $"{Format.When(started)} – {(run.FinishedAt is { } end ? Format.When(end) : "now")}"
        : finished ? "never started" : "not started yet";

    /// <summary>The run's mask keyed by table, as a schema or database clone writes it (a table clone's names only columns).</summary>
    public static JsonObject MaskByTable(RunSummary run, JsonObject mask) =>
        run.Operation == "table" ? new JsonObject { [$"{run.Schema}.{run.Table}"] = mask.DeepClone() } : mask;

    /// <summary>
    /// Whether a run was refused for what the target cannot hold, which skip_unsupported leaves out and lists (the
    /// engine's refusal names the option); resuming it as it was would be refused again.
    /// </summary>
    public static bool LeavingOutHelps(string error) => error.Contains("set \"skip_unsupported\": true", StringComparison.Ordinal);

    /// <summary>
    /// The options a run set away from their defaults, the mask apart (shown as rules), with the API's names and
    /// values: "conflict: replace", "where: id > 10", a nested option as its JSON without its unset members.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> ChangedOptions(CloneOptions options)
    {
        var defaults = JsonNode.Parse(new CloneOptions().ToJson())!.AsObject();
        return [.. JsonNode.Parse(options.ToJson())!.AsObject()
            .Where(p => p.Key != "mask" && !JsonNode.DeepEquals(p.Value, defaults[p.Key]))
            .Select(p => (p.Key.Replace('_', ' '), p.Value switch
            {
                null => "none",
                JsonValue v when v.TryGetValue<string>(out var text) => text,
                JsonObject o => new JsonObject(o.Where(m => m.Value is not (null or JsonArray { Count: 0 }))
                    .Select(m => KeyValuePair.Create(m.Key, m.Value?.DeepClone()))).ToJsonString(),
                var other => other.ToJsonString(),
            }))];
    }
}
