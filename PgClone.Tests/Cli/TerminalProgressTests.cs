using System.Diagnostics;
using Npgsql;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Cli;

/// <summary>On a terminal the clone verbs draw a live progress bar on stderr; `script` gives the CLI a real pseudo-terminal.</summary>
public sealed class TerminalProgressTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_clone_on_a_terminal_shows_a_live_progress_bar_and_finishes_with_the_summary()
    {
        var db = await fx.Servers.CreateDatabasesAsync("tty");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            DO $$ BEGIN FOR i IN 1..40 LOOP
              EXECUTE format('CREATE TABLE s.t%s (id int PRIMARY KEY, v text)', i);
              EXECUTE format('INSERT INTO s.t%s SELECT g, repeat(''x'', 100) FROM generate_series(1, 2000) g', i);
            END LOOP; END $$;
            """);
        // stdout goes to /dev/null, so what the terminal shows is the progress display alone.
        var command = string.Join(' ', new[] { "dotnet", PgCloneCli.CliAssembly, "schema", "--schema", "s", "--parallel", "2",
            "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target) }.Select(a => "'" + a.Replace("'", "'\\''") + "'")) + " >/dev/null";
        var psi = new ProcessStartInfo("script", ["-qec", command, "/dev/null"]) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.Environment["COLUMNS"] = "120";
        using var process = Process.Start(psi)!;
        var screen = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("━", screen);              // the bar itself
        Assert.Contains("\u001b[", screen);        // redrawn in place with terminal escapes, not printed line by line
        var text = System.Text.RegularExpressions.Regex.Replace(screen, @"\u001b\[[0-9;?]*[A-Za-z]", "");
        Assert.Matches(@"planning +━+ +\d+%", text);     // phase label, bar, percentage; cleared when the run ends
        Assert.Contains("pgclone: done: 40 tables, 80,000 rows", screen);
        Assert.Equal(80000L, await PgServers.ScalarAsync<long>(db.Target,
            string.Join(" + ", Enumerable.Range(1, 40).Select(i => $"(SELECT count(*) FROM s.t{i})")).Insert(0, "SELECT ")));
    }
}
