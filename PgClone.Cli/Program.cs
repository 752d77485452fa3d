using System.CommandLine;
using PgClone.Cli.Commands;

// A socket's completion then runs on the runtime's event thread instead of hopping to the thread pool: per
// completion the engine does little, and on a busy machine the hops cost a quarter of the tool's CPU (README
// "Benchmark"). The runtime reads it when the first socket is made, so it is set before anything connects; nothing
// may then wait on a socket synchronously (TableCopier.StopAsync).
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

var root = new RootCommand("pgclone: clone PostgreSQL tables, schemas, functions, roles and databases between servers, with masking");
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
using var cancellation = new CliCancellation();
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellation.Token);
