using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Core;
using PgClone.Core.Jobs;

namespace PgClone.Cli.Commands;

/// <summary>
/// <c>pgclone runs start|list|show|watch|cancel|resume|clear --console URL</c>: the console's runs for scripts
/// (token from PGCLONE_TOKEN). <c>watch</c> draws the live bar from the console's progress hub and exits with the
/// run's outcome: 0 succeeded, 1 failed, 2 cancelled, 3 interrupted.
/// </summary>
internal static class RunsCommands
{
    public static Command Create()
    {
        var command = new Command("runs", "start, follow and manage clone runs of a PgClone console (token from PGCLONE_TOKEN)");
        command.Subcommands.Add(Start());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Watch());
        command.Subcommands.Add(Cancel());
        command.Subcommands.Add(Resume());
        command.Subcommands.Add(Clear());
        return command;
    }

    private static Option<string> ConsoleOption() => new("--console") { Description = "the console's URL, e.g. https://pgclone.example", Required = true };
    private static Argument<long> RunId() => new("run") { Description = "the run's id" };

    private static Command Start()
    {
        var console = ConsoleOption();
        var profile = new Option<int?>("--profile") { Description = "run a saved clone profile (by id)" };
        var operation = new Option<string>("--operation") { Description = "table, schema, functions, database, database-create or roles" };
        var source = new Option<int?>("--source-id") { Description = "the source connection's id" };
        var target = new Option<int?>("--target-id") { Description = "the target connection's id" };
        var schema = CliRuntime.SchemaOption();
        var table = new Option<string>("--table") { Description = "table name (schema from --schema, default public)" };
        var options = new Option<string>("--options") { Description = "clone options as one JSON object, as for the clone verbs" };
        var confirm = new Option<bool>("--confirm-production") { Description = "confirm a production → non-production clone without full masking" };
        var watch = new Option<bool>("--watch") { Description = "follow the run live and exit with its outcome" };
        var json = CliRuntime.JsonOption();
        var command = new Command("start", "start a run: a profile, or an ad-hoc clone by connection ids")
        {
            console, profile, operation, source, target, schema, table, options, confirm, watch, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = ConsoleClient.Create(parse.GetValue(console));
            JsonElement started;
            if (parse.GetValue(profile) is { } id)
                started = await client.PostAsync($"api/v1/profiles/{id}/run", new JsonObject { ["confirmProductionWithoutMasking"] = parse.GetValue(confirm) }, ct);
            else
            {
                if (parse.GetValue(operation) is not { } op || parse.GetValue(source) is not { } s || parse.GetValue(target) is not { } t)
                    throw new PgCloneException("give --profile, or --operation with --source-id and --target-id");
                var cloneOptions = parse.GetValue(options) is { } text ? JsonNode.Parse(CloneOptions.Parse(text).ToJson()) : null;
                started = await client.PostAsync("api/v1/runs", new JsonObject
                {
                    ["operation"] = op, ["sourceConnectionId"] = s, ["targetConnectionId"] = t, ["schema"] = parse.GetValue(schema), ["table"] = parse.GetValue(table),
                    ["options"] = cloneOptions, ["confirmProductionWithoutMasking"] = parse.GetValue(confirm),
                }, ct);
            }
            var runId = started.GetProperty("id").GetInt64();
            if (parse.GetValue(json)) CliRuntime.WriteJson(new RunStarted(runId));
            else Console.WriteLine(runId.ToString(CultureInfo.InvariantCulture));
            return parse.GetValue(watch) ? await WatchAsync(client, runId, ct) : 0;
        });
        return command;
    }

    private static Command List()
    {
        var console = ConsoleOption();
        var status = new Option<string>("--status") { Description = "queued, running, succeeded, failed, cancelled or interrupted" };
        var user = new Option<string>("--user") { Description = "runs started by this user" };
        var connection = new Option<int?>("--connection") { Description = "runs from or to this connection id" };
        var take = new Option<int>("--take") { Description = "how many (newest first)", DefaultValueFactory = _ => 50 };
        var json = CliRuntime.JsonOption();
        var command = new Command("list", "list runs, newest first") { console, status, user, connection, take, json };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = ConsoleClient.Create(parse.GetValue(console));
            var query = new List<string> { $"take={parse.GetValue(take)}" };
            if (parse.GetValue(status) is { } s) query.Add($"status={Uri.EscapeDataString(s)}");
            if (parse.GetValue(user) is { } u) query.Add($"user={Uri.EscapeDataString(u)}");
            if (parse.GetValue(connection) is { } c) query.Add($"connection={c}");
            var page = await client.GetAsync("api/v1/runs?" + string.Join('&', query), ct);
            if (parse.GetValue(json)) { Console.WriteLine(page.GetRawText()); return 0; }
            foreach (var r in page.GetProperty("items").EnumerateArray()) Console.WriteLine(Line(r));
            Console.Error.WriteLine($"pgclone: {Words.Count(page.GetProperty("total").GetInt32(), "run")}");
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var console = ConsoleOption();
        var run = RunId();
        var json = CliRuntime.JsonOption();
        var command = new Command("show", "a run with its per-table results") { console, run, json };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = ConsoleClient.Create(parse.GetValue(console));
            var detail = await client.GetAsync($"api/v1/runs/{parse.GetValue(run)}", ct);
            if (parse.GetValue(json)) { Console.WriteLine(detail.GetRawText()); return 0; }
            var r = detail.GetProperty("run");
            Console.WriteLine(Line(r));
            if (Text(r, "error") is { } error) Console.WriteLine($"  error: {error}");
            foreach (var t in detail.GetProperty("tables").EnumerateArray())
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {t.GetProperty("table").GetString(),-50} {t.GetProperty("rows").GetInt64(),12:N0} rows {ProgressDisplay.Size(t.GetProperty("bytes").GetInt64()),10} {t.GetProperty("seconds").GetDouble(),8:F2} s  {t.GetProperty("status").GetString()}"));
            return 0;
        });
        return command;
    }

    private static Command Watch()
    {
        var console = ConsoleOption();
        var run = RunId();
        var command = new Command("watch", "follow a run live; exit 0 when it succeeds, 1 failed, 2 cancelled, 3 interrupted") { console, run };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = ConsoleClient.Create(parse.GetValue(console));
            return await WatchAsync(client, parse.GetValue(run), ct);
        });
        return command;
    }

    private static Command Cancel() => Simple("cancel", "cancel a queued or running run", (client, id, ct) => client.PostAsync($"api/v1/runs/{id}/cancel", null, ct),
        r => $"pgclone: run {r.GetProperty("id").GetInt64()} is {r.GetProperty("status").GetString()}{(r.GetProperty("cancelRequested").GetBoolean() ? " (cancel requested)" : "")}");

    private static Command Resume() => Simple("resume", "start a new run that finishes a failed, cancelled or interrupted one", (client, id, ct) => client.PostAsync($"api/v1/runs/{id}/resume", null, ct),
        r => r.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture));

    private static Command Simple(string name, string description, Func<ConsoleClient, long, CancellationToken, Task<JsonElement>> call, Func<JsonElement, string> print)
    {
        var console = ConsoleOption();
        var run = RunId();
        var command = new Command(name, description) { console, run };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = ConsoleClient.Create(parse.GetValue(console));
            Console.WriteLine(print(await call(client, parse.GetValue(run), ct)));
            return 0;
        });
        return command;
    }

    private static Command Clear()
    {
        var console = ConsoleOption();
        var command = new Command("clear", "delete the finished runs (with their per-table results and checkpoints)") { console };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = ConsoleClient.Create(parse.GetValue(console));
            var cleared = await client.DeleteAsync("api/v1/runs?finished=true", ct);
            Console.WriteLine($"pgclone: {Words.Count(cleared.GetProperty("deleted").GetInt32(), "finished run")} cleared");
            return 0;
        });
        return command;
    }

    /// <summary>Draws the run's live bar from the hub until it finishes; the exit code is its outcome.</summary>
    private static async Task<int> WatchAsync(ConsoleClient client, long runId, CancellationToken ct)
    {
        var finished = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var display = ProgressDisplay.ForStderr();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(client.Console, "hubs/progress"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(client.Token))
            .WithAutomaticReconnect()
            .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolver = HubJson.Default)
            .Build();
        hub.On<JsonElement>("Progress", p =>
        {
            if (p.GetProperty("runId").GetInt64() != runId) return;
            display.Show(ToJobProgress(p));
            if (IsFinished(p.GetProperty("status").GetString())) finished.TrySetResult(p);
        });
        try { await hub.StartAsync(ct); }
        catch (HttpRequestException e) { throw new PgCloneException($"console {client.Console}: progress hub: {e.Message}", e); }
        await hub.InvokeAsync("WatchRun", runId, ct);
        // It may have ended before we subscribed: the stored state says so.
        var stored = (await client.GetAsync($"api/v1/runs/{runId}", ct)).GetProperty("run");
        if (IsFinished(stored.GetProperty("status").GetString())) finished.TrySetResult(stored);
        var last = await finished.Task.WaitAsync(ct);
        await display.StopAsync();
        var status = last.GetProperty("status").GetString();
        var summary = (await client.GetAsync($"api/v1/runs/{runId}", ct)).GetProperty("run");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pgclone: run {runId} {status}: {Words.Count(summary.GetProperty("tablesCompleted").GetInt32(), "table")}, {Words.Count(summary.GetProperty("rows").GetInt64(), "row")}, {ProgressDisplay.Size(summary.GetProperty("bytes").GetInt64())}")
            + (Text(summary, "error") is { } error ? $": {error}" : ""));
        return status switch { "succeeded" => 0, "failed" => 1, "cancelled" => 2, _ => 3 };
    }

    private static bool IsFinished(string? status) => status is "succeeded" or "failed" or "cancelled" or "interrupted";

    /// <summary>The hub's progress message as the engine's progress record, for the CLI's one progress display.</summary>
    private static JobProgress ToJobProgress(JsonElement p) => new()
    {
        JobId = p.GetProperty("runId").GetInt64().ToString(CultureInfo.InvariantCulture),
        Operation = CloneOperation.Database,
        Status = p.GetProperty("status").GetString() switch
        {
            "queued" => JobStatus.Pending,
            "running" => JobStatus.Running,
            "succeeded" => JobStatus.Completed,
            "cancelled" => JobStatus.Cancelled,
            _ => JobStatus.Failed,
        },
        Phase = Enum.GetValues<JobPhase>().FirstOrDefault(ph => JobProgress.PhaseName(ph) == Text(p, "phase")),
        TablesTotal = Int(p, "tablesTotal"),
        TablesCompleted = Int(p, "tablesCompleted"),
        TablesFailed = Int(p, "tablesFailed"),
        RowsCopied = Long(p, "rows"),
        BytesCopied = Long(p, "bytes"),
        BytesEstimated = Long(p, "bytesEstimated"),
        StepsTotal = Int(p, "stepsTotal"),
        StepsCompleted = Int(p, "stepsCompleted"),
        BytesPerSecond = p.TryGetProperty("bytesPerSecond", out var bps) ? bps.GetDouble() : 0,
        EstimatedTimeLeft = p.TryGetProperty("secondsLeft", out var left) && left.ValueKind == JsonValueKind.Number ? TimeSpan.FromSeconds(left.GetDouble()) : null,
        Error = Text(p, "error"),
    };

    private static string Line(JsonElement r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.GetProperty("id").GetInt64(),6} {r.GetProperty("status").GetString(),-11} {r.GetProperty("operation").GetString(),-15} {r.GetProperty("sourceName").GetString()} → {r.GetProperty("targetName").GetString()}  {r.GetProperty("rows").GetInt64():N0} rows  {ProgressDisplay.Size(r.GetProperty("bytes").GetInt64())}  by {r.GetProperty("startedBy").GetString()}  {r.GetProperty("submittedAt").GetDateTimeOffset():u}");

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    private static int Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;
    private static long Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
}
