using System.CommandLine;
using PgClone.Core.Roles;

namespace PgClone.Cli.Commands;

/// <summary><c>pgclone roles</c>: clone roles, memberships and privileges.</summary>
internal static class RolesCommand
{
    public static Command Create()
    {
        var source = CliRuntime.SourceOption();
        var target = CliRuntime.TargetOption();
        var roles = new Option<string>("--roles") { Description = "comma-separated role names to clone (default: every role except pg_* and the bootstrap superuser)" };
        var prefix = new Option<string>("--prefix") { Description = "clone only roles whose name starts with this text" };
        var noPasswords = new Option<bool>("--no-passwords") { Description = "do not copy password hashes (needed when the source user is not a superuser)" };
        var json = CliRuntime.JsonOption();
        var command = new Command("roles",
            "clone roles from the source server to the target: attributes, password hashes (from pg_authid; needs a superuser " +
            "on the source), memberships, and privileges and default privileges in the source and target connections' databases. " +
            "Existing roles are updated; grants are only added; grants on objects missing from the target are reported as skipped.")
        {
            source, target, roles, prefix, noPasswords, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var options = new RoleCloneOptions
            {
                Roles = parse.GetValue(roles)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                NamePrefix = parse.GetValue(prefix),
                NoPasswords = parse.GetValue(noPasswords),
            };
            var result = await new RoleCloner().CloneAsync(CliRuntime.Source(parse, source), CliRuntime.Target(parse, target), options, ct);
            if (parse.GetValue(json))
            {
                CliRuntime.WriteJson(new RolesOutput(result.Summary, result.Created.Select(a => a.Name), result.Updated.Select(a => a.Name),
                    result.Settings.Select(a => a.Statement), result.Grants.Select(a => a.Statement), result.Skipped));
                return 0;
            }
            foreach (var a in result.Created.Concat(result.Updated).Concat(result.Settings).Concat(result.Grants)) Console.WriteLine(a.Statement + ";");
            foreach (var s in result.Skipped) Console.WriteLine($"-- skipped: {s.Statement}; ({s.Reason})");
            Console.WriteLine(result.Summary);
            return 0;
        });
        return command;
    }
}
