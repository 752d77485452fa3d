using System.CommandLine;
using PgClone.Core.Verification;

namespace PgClone.Cli.Commands;

/// <summary><c>pgclone diff</c>: compare the definitions of one schema on the source and the target, as JSON.</summary>
internal static class DiffCommand
{
    public static Command Create()
    {
        var source = CliRuntime.SourceOption();
        var target = CliRuntime.TargetOption();
        var schema = CliRuntime.SchemaOption(required: true);
        var targetSchema = new Option<string>("--target-schema") { Description = "the schema's name on the target, when it was cloned under another name (--target-name)" };
        var noPrivileges = new Option<bool>("--no-privileges")
        {
            Description = "leave owners and grants out (a clone into a database without the source's roles differs in them by design)",
        };
        var noDatabaseWide = new Option<bool>("--no-database-wide")
        {
            Description = "leave out the database's own objects (access methods, foreign-data wrappers, servers, user mappings, " +
                          "publications, event triggers, default privileges not IN SCHEMA) and their owners and grants: use it after a " +
                          "schema or table clone, which (like pg_dump -n) does not bring them",
        };
        var command = new Command("diff",
            "compare one schema's definitions on the source and the target (read-only on both): tables (column type, NOT NULL, " +
            "default; partitioning, parents, options, row security), indexes not backing constraints, constraints, user triggers " +
            "(with their enabled state), views, materialized views, sequences, functions, types, aggregates, operators and their " +
            "classes and families, text search objects, conversions, casts, rules, foreign tables, policies, extended statistics, " +
            "collations and comments; the database's access methods, foreign servers, publications, event triggers and default " +
            "privileges (not after --no-database-wide); and the owners and grants of all of them and of the schema, columns and " +
            "large objects. Prints JSON with schema, database_wide (whether the database's objects were compared), in_sync, " +
            "diff_count, summary and, per category, only_in_source, " +
            "only_in_target and modified (with both definitions). Exit codes: 0 = in sync, 2 = differences found, 1 = error.")
        {
            source, target, schema, targetSchema, noPrivileges, noDatabaseWide,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var differ = new SchemaDiffer { Privileges = !parse.GetValue(noPrivileges), DatabaseWide = !parse.GetValue(noDatabaseWide) };
            var result = await differ.DiffAsync(CliRuntime.Source(parse, source), CliRuntime.Target(parse, target), parse.GetValue(schema)!, parse.GetValue(targetSchema), ct);
            Console.Out.WriteLine(result.ToJsonText());
            return result.InSync ? VerifyCommand.ExitMatch : VerifyCommand.ExitMismatch;
        });
        return command;
    }
}
