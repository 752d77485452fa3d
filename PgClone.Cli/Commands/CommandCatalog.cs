using System.CommandLine;

namespace PgClone.Cli.Commands;

/// <summary>Every verb of the command line, in the order `pgclone --help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return CloneCommands.Table();
        yield return CloneCommands.Schema();
        yield return CloneCommands.Functions();
        yield return CloneCommands.Database();
        yield return CloneCommands.DatabaseCreate();
        yield return CloneCommands.Resume();
        yield return PreflightCommand.Create();
        yield return RolesCommand.Create();
        yield return VerifyCommand.Create();
        yield return MaskingCommands.Discover();
        yield return MaskingCommands.MaskInPlace();
        yield return MaskingCommands.Policy();
        yield return MaskingCommands.Report();
        yield return DiffCommand.Create();
        yield return RunsCommands.Create();
    }
}
