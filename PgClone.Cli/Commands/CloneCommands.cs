using System.CommandLine;
using PgClone.Core;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;

namespace PgClone.Cli.Commands;

/// <summary>
/// The clone verbs (table, schema, functions, database, database-create) and resume. Each builds a
/// <see cref="CloneRequest"/>, runs it with a progress display on stderr, and prints the summary.
/// </summary>
internal static class CloneCommands
{
    public static Command Table() => Clone(CloneOperation.Table, "clone one table (structure and data)", needsSchema: false, needsTable: true);
    public static Command Schema() => Clone(CloneOperation.Schema, "clone a schema with its tables, data, functions and views", needsSchema: true, needsTable: false);
    public static Command Functions() => Clone(CloneOperation.Functions, "clone the functions and procedures of a schema", needsSchema: true, needsTable: false);
    public static Command Database() => Clone(CloneOperation.Database, "clone every schema of a database into an existing target database", needsSchema: false, needsTable: false);
    public static Command DatabaseCreate() => Clone(CloneOperation.DatabaseCreate, "create the target database if needed, then clone the whole database into it", needsSchema: false, needsTable: false);

    private static Command Clone(CloneOperation operation, string description, bool needsSchema, bool needsTable)
    {
        var name = operation.Name();
        var source = CliRuntime.SourceOption();
        var target = CliRuntime.TargetOption();
        var schema = CliRuntime.SchemaOption(needsSchema);
        var table = new Option<string>("--table") { Description = "table name (schema from --schema, default public)", Required = needsTable };
        var targetName = new Option<string>("--target-name") { Description = "name on the target (table, schema or database)" };
        var noData = new Option<bool>("--no-data") { Description = "structure only: copy no rows" };
        var options = new Option<string>("--options") { Description = "clone options as one JSON object, e.g. {\"parallel\":4,\"mask\":{...}}" };
        var parallel = new Option<int?>("--parallel") { Description = "number of workers copying tables at once (overrides options.parallel)" };
        var checkpoint = CheckpointOption(required: false);
        var json = CliRuntime.JsonOption();
        var command = new Command(name, description) { source, target, schema, table, targetName, noData, options, parallel, checkpoint, json };
        command.SetHandler(async (parse, ct) =>
        {
            var cloneOptions = CloneOptions.Parse(parse.GetValue(options));
            if (parse.GetValue(parallel) is { } p) cloneOptions = CloneOptions.Parse((cloneOptions with { Parallel = p }).ToJson());
            if (parse.GetValue(targetName) is { } tn) cloneOptions = cloneOptions with { TargetName = Core.Connections.PgName.CheckTargetName(tn) };
            if (parse.GetValue(noData)) cloneOptions = cloneOptions with { IncludeData = false };
            var tableName = parse.GetValue(table);
            var request = new CloneRequest(operation, CliRuntime.Source(parse, source), CliRuntime.Target(parse, target),
                parse.GetValue(schema) ?? (tableName is null ? null : "public"), tableName, cloneOptions);
            var store = parse.GetValue(checkpoint) is { } file ? new JsonFileCheckpointStore(file) : null;
            return await RunAsync(request, store, null, parse.GetValue(json), ct);
        });
        return command;
    }

    public static Command Resume()
    {
        var checkpoint = CheckpointOption(required: true);
        var json = CliRuntime.JsonOption();
        // The checkpoint keeps no password: it comes from PGPASSWORD, PGPASSFILE or ~/.pgpass, or from these.
        var source = CliRuntime.SourceOption(required: false);
        source.Description = "source server to use instead of the one recorded (e.g. with its password, which checkpoints do not keep)";
        var target = CliRuntime.TargetOption(required: false);
        target.Description = "target server to use instead of the one recorded (e.g. with its password, which checkpoints do not keep)";
        var command = new Command("resume",
            "finish a failed or cancelled clone recorded in a checkpoint file; passwords come from PGPASSWORD, PGPASSFILE, ~/.pgpass or --source/--target")
        {
            checkpoint, source, target, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var store = new JsonFileCheckpointStore(parse.GetValue(checkpoint)!);
            var last = await store.LatestAsync(ct) ?? throw new PgCloneException($"checkpoint file {store.Path} holds no job");
            if (last.Status == JobStatus.Completed) throw new PgCloneException($"job {last.JobId} in {store.Path} already completed: nothing to resume");
            var request = last.Request.ToRequest(
                parse.GetValue(source) is null ? null : CliRuntime.Source(parse, source),
                parse.GetValue(target) is null ? null : CliRuntime.Target(parse, target));
            return await RunAsync(request, store, last, parse.GetValue(json), ct);
        });
        return command;
    }

    private static Option<string> CheckpointOption(bool required) =>
        new("--checkpoint") { Description = "file recording the job's progress, for `pgclone resume --checkpoint FILE`", Required = required };

    private static async Task<int> RunAsync(CloneRequest request, JsonFileCheckpointStore? store, JobCheckpoint? resumeFrom, bool json, CancellationToken ct)
    {
        var engine = new CloneEngine(MaskerFactory(request));
        await using var display = ProgressDisplay.ForStderr();
        JobProgress? last = null;
        var options = new CloneRunOptions { Checkpoints = store, OnProgress = p => { last = p; display.Show(p); }, ResumeFrom = resumeFrom };
        CloneResult result;
        try { result = await engine.RunAsync(request, options, ct); }
        catch (Exception e) when (e is PgCloneException or OperationCanceledException)
        {
            // The error line goes to stderr; with --json, stdout gets what was done before it.
            await display.StopAsync();
            var exit = await CliRuntime.FailAsync(e, ct);
            var cancelled = exit == CliCancellation.ExitCode;
            if (json) CliRuntime.WriteJson(CloneSummary.Partial(request.Operation, last, cancelled ? "cancelled" : e.Message));
            if (CloneSummary.LeftOnTarget(last, store, cancelled) is { } left) await Console.Error.WriteLineAsync($"pgclone: {left}");
            return exit;
        }
        finally { await display.StopAsync(); }
        if (json) CliRuntime.WriteJson(CloneSummary.From(result));
        else
        {
            // One write: stderr flushes every line, and a run of thousands of tables waited for as many writes.
            var text = new StringWriter();
            CloneSummary.WriteText(result, text);
            Console.Error.Write(text.ToString());
        }
        return 0;
    }

    /// <summary>The masker of a run with mask rules or require_masking, keyed by the command line's masking secret.</summary>
    internal static Func<CloneRequest, IColumnMasker?>? MaskerFactory(CloneRequest request) =>
        request.EffectiveOptions.Mask is not null || request.EffectiveOptions.RequireMasking ? MaskingSecretStore.MaskerFactory() : null;
}
