using System.CommandLine;
using PgClone.Core;
using PgClone.Core.Connections;

namespace PgClone.Cli.Commands;

/// <summary>Options and behaviour every verb shares: connection options, JSON output, one error line on failure.</summary>
internal static class CliRuntime
{
    public static Option<string> SourceOption(bool required = true) => new("--source") { Description = "source server: libpq key=value or postgresql:// URI", Required = required };
    public static Option<string> TargetOption(bool required = true) => new("--target") { Description = "target server: libpq key=value or postgresql:// URI", Required = required };
    public static Option<string> SchemaOption(bool required = false) => new("--schema") { Description = "schema name", Required = required };
    public static Option<bool> JsonOption() => new("--json") { Description = "print a machine-readable JSON summary on stdout" };

    public static ServerEndpoint Source(ParseResult r, Option<string> o) => ServerEndpoint.Parse(ServerRole.Source, r.GetValue(o)!);
    public static ServerEndpoint Target(ParseResult r, Option<string> o) => ServerEndpoint.Parse(ServerRole.Target, r.GetValue(o)!);

    /// <summary>Runs a verb: a PgCloneException becomes one line on stderr and exit code 1; Ctrl+C cancels.</summary>
    public static void SetHandler(this Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, ct) =>
        {
            try { return await action(parse, ct); }
            catch (Exception e) when (e is PgCloneException or OperationCanceledException)
            {
                return await FailAsync(e, ct);
            }
        });

    /// <summary>The error line of a verb that failed or was cancelled, and its exit code.</summary>
    public static async Task<int> FailAsync(Exception e, CancellationToken ct)
    {
        if (e is OperationCanceledException || ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("pgclone: cancelled");
            return CliCancellation.ExitCode;
        }
        await Console.Error.WriteLineAsync($"pgclone: {e.Message}");
        return 1;
    }

    /// <summary>Prints the --json output of a verb; <typeparamref name="T"/> is one of <see cref="CliJson"/>'s shapes.</summary>
    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonText.Write(value, CliJson.Default.Options));
}
