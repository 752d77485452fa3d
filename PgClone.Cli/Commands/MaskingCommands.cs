using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Masking;

namespace PgClone.Cli.Commands;

/// <summary>The masking verbs: discover, mask-in-place, masking-policy create|drop, masking-report.</summary>
internal static class MaskingCommands
{
    private static Option<string> TableOption() => new("--table") { Description = "table name", Required = true };
    private static Option<string> RulesOption() => new("--rules") { Description = "mask rules as JSON: {\"column\": \"strategy\" | {\"type\": \"strategy\", ...}}", Required = true };

    private static JsonObject ParseRules(string json)
    {
        try { return JsonNode.Parse(json) as JsonObject ?? throw new PgCloneException("invalid --rules: expected a JSON object"); }
        catch (JsonException e) { throw new PgCloneException($"invalid --rules: {e.Message}", e); }
    }

    public static Command Discover()
    {
        var source = CliRuntime.SourceOption();
        var schema = CliRuntime.SchemaOption(required: true);
        var detail = new Option<bool>("--detail") { Description = "also print each column's category, confidence and evidence" };
        var command = new Command("discover", "find sensitive columns of a schema by name and by sampled content (values are never printed); prints a mask option") { source, schema, detail };
        command.SetHandler(async (parse, ct) =>
        {
            var found = await SensitiveDataScanner.ScanAsync(CliRuntime.Source(parse, source), parse.GetValue(schema)!, ct);
            var mask = SensitiveDataScanner.ToMaskOption(found);
            JsonNode output = !parse.GetValue(detail) ? mask : new JsonObject
            {
                ["mask"] = mask,
                ["columns"] = new JsonArray(found.Select(f => (JsonNode)new JsonObject
                {
                    ["table"] = f.Table.Name, ["column"] = f.Column, ["type"] = f.DataType, ["category"] = f.Category,
                    ["confidence"] = f.Confidence, ["strategy"] = f.Suggested?.ToJson(),
                    ["evidence"] = new JsonArray(f.Evidence.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()),
                }).ToArray()),
            };
            // Printed to be pasted as an option: a quoted key's quotes as \", a name's letters as written, not \uXXXX.
            Console.Out.WriteLine(output.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return 0;
        });
        return command;
    }

    public static Command MaskInPlace()
    {
        var target = CliRuntime.TargetOption();
        var schema = CliRuntime.SchemaOption();
        var table = TableOption();
        var rules = RulesOption();
        var json = CliRuntime.JsonOption();
        var command = new Command("mask-in-place", "mask an existing table on the target with UPDATE (user triggers do not fire)") { target, schema, table, rules, json };
        command.SetHandler(async (parse, ct) =>
        {
            var name = new QualifiedName(parse.GetValue(schema) ?? "public", parse.GetValue(table)!);
            var result = await Core.Masking.MaskInPlace.RunAsync(CliRuntime.Target(parse, target), name, ParseRules(parse.GetValue(rules)!), MaskingSecretStore.Load, ct);
            if (parse.GetValue(json)) CliRuntime.WriteJson(new MaskInPlaceOutput(result.Table.ToString(), result.Rows, result.Columns));
            else Console.Out.WriteLine($"masked {Words.Count(result.Rows, "row")} of {result.Table}: {string.Join(", ", result.Columns)}");
            return 0;
        });
        return command;
    }

    public static Command Policy()
    {
        var target = CliRuntime.TargetOption();
        var schema = CliRuntime.SchemaOption();
        var table = TableOption();
        var rules = RulesOption();
        var role = new Option<string>("--role") { Description = "the privileged role that keeps SELECT on the table", Required = true };
        var create = new Command("create", "create <table>_masked for PUBLIC and keep the table for the privileged role") { target, schema, table, rules, role };
        create.SetHandler(async (parse, ct) =>
        {
            var name = new QualifiedName(parse.GetValue(schema) ?? "public", parse.GetValue(table)!);
            var info = await MaskingPolicy.CreateAsync(CliRuntime.Target(parse, target), name, ParseRules(parse.GetValue(rules)!), parse.GetValue(role)!, MaskingSecretStore.Load, ct);
            Console.Out.WriteLine($"created {info.View}: PUBLIC reads masked data there; only {info.PrivilegedRole} may read {info.Table}");
            return 0;
        });
        var dropTarget = CliRuntime.TargetOption();
        var dropSchema = CliRuntime.SchemaOption();
        var dropTable = TableOption();
        var drop = new Command("drop", "drop <table>_masked and give PUBLIC its SELECT on the table back") { dropTarget, dropSchema, dropTable };
        drop.SetHandler(async (parse, ct) =>
        {
            var name = new QualifiedName(parse.GetValue(dropSchema) ?? "public", parse.GetValue(dropTable)!);
            var info = await MaskingPolicy.DropAsync(CliRuntime.Target(parse, dropTarget), name, ct);
            Console.Out.WriteLine($"dropped {info.View}; PUBLIC may read {info.Table} again");
            return 0;
        });
        return new Command("masking-policy", "dynamic masking through a masked view") { create, drop };
    }

    public static Command Report()
    {
        var target = CliRuntime.TargetOption();
        var schema = CliRuntime.SchemaOption(required: true);
        var json = CliRuntime.JsonOption();
        var csv = new Option<bool>("--csv") { Description = "print CSV" };
        var command = new Command("masking-report", "compliance report: each sensitive column, whether a masked view covers it, what to do") { target, schema, json, csv };
        command.SetHandler(async (parse, ct) =>
        {
            var rows = await MaskingReport.BuildAsync(CliRuntime.Target(parse, target), parse.GetValue(schema)!, ct);
            if (parse.GetValue(json)) CliRuntime.WriteJson(rows);
            else Console.Out.Write(parse.GetValue(csv) ? MaskingReport.ToCsv(rows) : MaskingReport.ToText(rows));
            return 0;
        });
        return command;
    }
}
