using System.CommandLine;
using PgClone.Core.Verification;

namespace PgClone.Cli.Commands;

/// <summary><c>pgclone verify</c>: compare table row counts or contents between source and target.</summary>
internal static class VerifyCommand
{
    public const int ExitMatch = 0, ExitError = 1, ExitMismatch = 2;

    public static Command Create()
    {
        var source = CliRuntime.SourceOption();
        var target = CliRuntime.TargetOption();
        var schema = CliRuntime.SchemaOption();
        var targetSchema = new Option<string>("--target-schema") { Description = "the schema's name on the target, when it was cloned under another name (--target-name); needs --schema" };
        var table = new Option<string>("--table") { Description = "only this table of --schema (with its partitions), as after a table clone; needs --schema" };
        var targetTable = new Option<string>("--target-table") { Description = "the table's name on the target, when it was cloned under another name (--target-name); needs --table" };
        var mode = new Option<string>("--mode")
        {
            Description = "fast = planner estimates (reltuples), exact = count(*), checksum = count and an order-independent md5-based content hash",
            DefaultValueFactory = _ => "exact",
        };
        mode.AcceptOnlyFromAmong("fast", "exact", "checksum");
        var exclude = new Option<string>("--exclude-columns")
        {
            Description = "comma-separated columns to leave out of checksums (e.g. masked ones): column, table.column or schema.table.column",
        };
        var json = CliRuntime.JsonOption();
        var command = new Command("verify",
            "compare every table (partitioned tables once, with their partitions), materialized view and sequence of the " +
            "source and the target database, and a whole database's large objects, in read-only transactions. Exit codes: " +
            "0 = everything matches, 2 = a mismatch, a missing table or a table only on the target was found, 1 = error.")
        {
            source, target, schema, targetSchema, table, targetTable, mode, exclude, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var options = new VerifyOptions
            {
                Schema = parse.GetValue(schema),
                TargetSchema = parse.GetValue(targetSchema),
                Table = parse.GetValue(table),
                TargetTable = parse.GetValue(targetTable),
                Mode = Enum.Parse<VerifyMode>(parse.GetValue(mode)!, ignoreCase: true),
                ExcludeColumns = parse.GetValue(exclude)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [],
            };
            var result = await new TableVerifier().VerifyAsync(CliRuntime.Source(parse, source), CliRuntime.Target(parse, target), options, ct);
            if (parse.GetValue(json))
                CliRuntime.WriteJson(new VerifyOutput(result.Mode.ToString().ToLowerInvariant(), result.Estimates, result.AllMatch,
                    result.Tables.Select(t => new VerifyOutput.TableResult(t.Schema, t.Table, SnakeCase(t.Kind.ToString()), t.SourceRows, t.TargetRows,
                        t.Match, SnakeCase(t.Status.ToString()), t.SourceChecksum, t.TargetChecksum, t.ExcludedColumns ?? [], t.Note))));
            else
                Console.Write(Render(result));
            return result.AllMatch ? ExitMatch : ExitMismatch;
        });
        return command;
    }

    /// <summary>An aligned text table, with a first line saying when counts are estimates.</summary>
    internal static string Render(VerifyResult result)
    {
        var est = result.Estimates ? " (estimate)" : "";
        var rows = new List<string[]> { new[] { "schema", "table", "source rows" + est, "target rows" + est, "match", "note" } };
        rows.AddRange(result.Tables.Select(t => new[]
        {
            t.Schema, t.Table, t.SourceRows?.ToString() ?? "-", t.TargetRows?.ToString() ?? "-", t.Match, t.Note ?? "",
        }));
        var widths = Enumerable.Range(0, 6).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new System.Text.StringBuilder();
        if (result.Estimates) text.AppendLine("fast mode: row counts are planner estimates (pg_class.reltuples), not exact counts");
        foreach (var r in rows) text.AppendLine(string.Join("  ", r.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        text.AppendLine(result.Summary);
        return text.ToString();
    }

    private static string SnakeCase(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
