using System.CommandLine;
using PgClone.Core;
using PgClone.Core.Preflight;

namespace PgClone.Cli.Commands;

/// <summary>
/// <c>pgclone preflight</c>: the checks a clone makes before it starts, changing nothing. One line per check (or
/// <c>--json</c>); exit 0 without blockers, 2 with blockers, 1 on an error.
/// </summary>
internal static class PreflightCommand
{
    public static Command Create()
    {
        var source = CliRuntime.SourceOption();
        var target = CliRuntime.TargetOption();
        var schema = CliRuntime.SchemaOption();
        var table = new Option<string>("--table") { Description = "table name (schema from --schema, default public)" };
        var operation = new Option<string>("--operation")
        {
            Description = "the clone verb to check: table, schema, functions, database, database-create (default: table with --table, schema with --schema, else database)",
        };
        var targetName = new Option<string>("--target-name") { Description = "name on the target (table, schema or database)" };
        var noData = new Option<bool>("--no-data") { Description = "structure only: copy no rows" };
        var options = new Option<string>("--options") { Description = "clone options as one JSON object, as for the clone verbs" };
        var throughput = new Option<double?>("--throughput")
        {
            Description = $"MB/s for the duration estimate (default {PreflightOptions.DefaultThroughput / (1 << 20):0})",
        };
        var json = CliRuntime.JsonOption();
        var command = new Command("preflight", "check a clone before running it: servers, privileges, extensions, conflicts, sizes, masking, subset; changes nothing")
            { source, target, schema, table, operation, targetName, noData, options, throughput, json };
        command.SetHandler(async (parse, ct) =>
        {
            var cloneOptions = CloneOptions.Parse(parse.GetValue(options));
            if (parse.GetValue(targetName) is { } tn) cloneOptions = cloneOptions with { TargetName = tn };
            if (parse.GetValue(noData)) cloneOptions = cloneOptions with { IncludeData = false };
            var tableName = parse.GetValue(table);
            var schemaName = parse.GetValue(schema) ?? (tableName is null ? null : "public");
            var op = Operation(parse.GetValue(operation), tableName, schemaName);
            var request = new CloneRequest(op, CliRuntime.Source(parse, source), CliRuntime.Target(parse, target), schemaName, tableName, cloneOptions);
            var settings = new PreflightOptions();
            if (parse.GetValue(throughput) is { } mbps)
                settings = settings with { ThroughputBytesPerSecond = mbps > 0 ? mbps * (1 << 20) : throw new PgCloneException("--throughput must be positive") };
            var report = await PreflightRunner.RunAsync(request, CloneCommands.MaskerFactory(request)?.Invoke(request), settings, ct);
            if (parse.GetValue(json)) Console.Out.WriteLine(report.ToJson());
            else
            {
                foreach (var check in report.Checks) Console.Out.WriteLine(check);
                var blockers = report.Blockers.Count;
                var warnings = report.Checks.Count(c => c.Status == PreflightStatus.Warning);
                await Console.Error.WriteLineAsync($"pgclone: preflight: {Words.Count(blockers, "blocker")}, {Words.Count(warnings, "warning")}");
            }
            return report.Status == PreflightStatus.Blocker ? 2 : 0;
        });
        return command;
    }

    private static CloneOperation Operation(string? name, string? table, string? schema) => name switch
    {
        null => table is not null ? CloneOperation.Table : schema is not null ? CloneOperation.Schema : CloneOperation.Database,
        _ => Enum.GetValues<CloneOperation>().FirstOrDefault(o => o.Name() == name, (CloneOperation)(-1)) is var o && Enum.IsDefined(o)
            ? o
            : throw new PgCloneException($"--operation: unknown clone verb '{name}' (table, schema, functions, database, database-create)"),
    };
}
