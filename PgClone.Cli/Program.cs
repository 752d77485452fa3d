using System.CommandLine;
using PgClone.Cli.Commands;

var root = new RootCommand("pgclone: clone PostgreSQL tables, schemas, functions, roles and databases between servers, with masking");
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
using var cancellation = new CliCancellation();
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellation.Token);
