using System.CommandLine;

namespace PgClone.Cli.Commands;

/// <summary>Every verb of the command line, in the order `pgclone --help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return RolesCommand.Create();
        yield return VerifyCommand.Create();
        yield return DiffCommand.Create();
        yield break;
    }
}
