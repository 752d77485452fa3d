using System.Text.RegularExpressions;
using Npgsql;
using PgClone.Core.Connections;
using PgClone.Tests.Core.Faults;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Cli;

/// <summary>
/// The real command line interrupted in each phase (SIGINT, SIGTERM, SIGKILL) or losing a backend, then
/// `pgclone resume`: it must exit 0 only with a clone equal to the source (verify --mode checksum, diff, sequences).
/// </summary>
public sealed class CliFaultTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>An index whose build takes about 1.5 s (an immutable function that sleeps per row).</summary>
    private const string SlowIndex = """
        CREATE FUNCTION slow(i int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.001); RETURN i; END$$;
        CREATE TABLE slowidx(id int PRIMARY KEY); INSERT INTO slowidx SELECT generate_series(1, 1200);
        CREATE INDEX slowidx_f ON slowidx (slow(id));
        """;

    /// <summary>A table whose copy takes a moment (~25 MB), so a fault can land while data is being copied.</summary>
    private const string BigTable = """
        CREATE TABLE big(id int PRIMARY KEY, v text); INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 400000) g;
        """;

    private sealed record Clone(TestDatabases Db, string Checkpoint, Dictionary<string, string?> Env) : IDisposable
    {
        public void Dispose() => File.Delete(Checkpoint);
    }

    private async Task<Clone> ArrangeAsync(string prefix, string extra = "")
    {
        var db = await fx.Servers.CreateDatabasesAsync(prefix);
        await PgServers.ExecAsync(db.Source, FaultData.Schema + extra);
        var password = new NpgsqlConnectionStringBuilder(db.Source).Password;
        return new Clone(db, Path.Combine(Path.GetTempPath(), $"pgclone-fault-{Guid.NewGuid():N}.ckpt"),
            new Dictionary<string, string?> { ["PGPASSWORD"] = password });
    }

    private static PgCloneCli.Running StartClone(Clone c, params string[] extra) =>
        PgCloneCli.Start(new Dictionary<string, string?>(), ["schema", "--source", PgServers.Conninfo(c.Db.Source), "--target", PgServers.Conninfo(c.Db.Target),
            "--schema", "public", "--parallel", "2", "--checkpoint", c.Checkpoint, .. extra]);

    /// <summary>`pgclone resume` with the password from PGPASSWORD (the checkpoint keeps none), then the clone must be whole.</summary>
    private static async Task ResumeToCompletionAsync(Clone c)
    {
        var text = await File.ReadAllTextAsync(c.Checkpoint);
        Assert.DoesNotContain(c.Env["PGPASSWORD"]!, text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(c.Checkpoint));
        var resume = await PgCloneCli.RunAsync(c.Env, "resume", "--checkpoint", c.Checkpoint);
        Assert.True(resume.ExitCode == 0, $"resume exited {resume.ExitCode}: {resume.Stderr}");
        Assert.Equal([], await FaultData.DifferencesAsync(c.Db));
    }

    /// <summary>
    /// Waits (up to 90 s) until a session of the clone on <paramref name="cs"/>'s server runs a statement like the pattern.
    /// Generous: on a machine loaded 4-6 times over, the CLI's start (JIT) and plan alone took over 30 s and failed six tests.
    /// </summary>
    private static async Task<int> WaitForStatementAsync(string cs, string likePattern, string andAlso = "true")
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var pid = await PgServers.ScalarAsync<object>(cs,
                $"SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'pgclone %' AND state = 'active' AND query LIKE '{likePattern}' AND {andAlso} LIMIT 1");
            if (pid is int p) return p;
            await Task.Delay(20);
        }
        var sessions = await PgServers.RowsAsync(cs, "SELECT application_name, state, wait_event_type, left(query, 150) FROM pg_stat_activity WHERE datname = current_database()");
        throw new TimeoutException($"no clone session ran {likePattern} ({andAlso}); sessions: {string.Join("; ", sessions.Select(r => string.Join(" | ", r)))}");
    }

    private static void AssertCancelled(PgCloneCli.Run run, string checkpoint)
    {
        Assert.Equal(130, run.ExitCode);
        // Every phase cancelled here comes after the schema's commit: what to do next follows the cancel line.
        Assert.Matches($@"\npgclone: cancelled\npgclone: the objects this run created stay on the target \(\d+ of \d+ tables copied\); finish it with: pgclone resume --checkpoint {Regex.Escape(checkpoint)}\n\z", run.Stderr);
        Assert.Contains("\"kind\":\"finish\"", File.ReadLines(checkpoint).Last(), StringComparison.Ordinal);
        Assert.Contains("\"status\":\"cancelled\"", File.ReadLines(checkpoint).Last(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts the clone and returns once it is inside <paramref name="phase"/>: copying the big table, building the
    /// slow index, or adding t5's foreign key. Steps overlap the load, so no table lock taken from outside can hold
    /// back only that key: a target event trigger makes the key's ALTER TABLE wait for an advisory lock that
    /// <paramref name="locker"/> holds (<see cref="ReleaseAsync"/> lets it go and drops the trigger).
    /// </summary>
    private static async Task<PgCloneCli.Running> StartAndReachAsync(Clone c, string phase, NpgsqlConnection locker)
    {
        if (phase == "constraint") await GateDdlAsync(c, "hold_fk", "ALTER TABLE", "%ADD CONSTRAINT \"t5_t1_id_fkey\"%", FkLock, locker);
        var cli = StartClone(c);
        try
        {
            await WaitForStatementAsync(c.Db.Target, phase switch
            {
                "data" => "COPY \"public\".\"big\"%",
                "index" => "%CREATE INDEX \"slowidx_f\"%",
                _ => "%ADD CONSTRAINT \"t5_t1_id_fkey\"%",
            });
        }
        catch (TimeoutException e) when (cli.HasExited)
        {
            var run = await cli.WaitAsync();
            throw new TimeoutException($"{e.Message}; the clone had ended with exit code {run.ExitCode}: {run.Stderr}");
        }
        return cli;
    }

    /// <summary>
    /// Makes <paramref name="tag"/> commands on the target whose text is like <paramref name="queryLike"/> wait for an
    /// advisory lock that <paramref name="holder"/> takes now (an event trigger, <paramref name="name"/>, runs at their start).
    /// </summary>
    private static async Task GateDdlAsync(Clone c, string name, string tag, string queryLike, int key, NpgsqlConnection holder)
    {
        await PgServers.ExecAsync(c.Db.Target, $$"""
            CREATE FUNCTION public.{{Sql.Ident(name)}}() RETURNS event_trigger LANGUAGE plpgsql AS $f$
            BEGIN
              IF current_query() LIKE {{Sql.Literal(queryLike)}} THEN PERFORM pg_advisory_lock({{key}}); PERFORM pg_advisory_unlock({{key}}); END IF;
            END$f$;
            CREATE EVENT TRIGGER {{Sql.Ident(name)}} ON ddl_command_start WHEN TAG IN ({{Sql.Literal(tag)}}) EXECUTE FUNCTION public.{{Sql.Ident(name)}}();
            """);
        await using var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({key})", holder);
        await hold.ExecuteNonQueryAsync();
    }

    /// <summary>The advisory lock key the foreign key waits for.</summary>
    private const int FkLock = 4242;

    /// <summary>Ends what <see cref="StartAndReachAsync"/> set up on the target, so the clone can be whole.</summary>
    private static async Task ReleaseAsync(Clone c, NpgsqlConnection locker)
    {
        // Unlocked explicitly: closing would only return the session, lock held, to the pool, and a clone session
        // still waiting for the lock (a client killed or exiting does not end a backend blocked on a lock) would stay.
        await using (var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", locker)) await unlock.ExecuteNonQueryAsync();
        await locker.CloseAsync();
        await PgServers.ExecAsync(c.Db.Target, "DROP EVENT TRIGGER IF EXISTS hold_fk; DROP FUNCTION IF EXISTS public.hold_fk()");
    }

    /// <summary>Backends notice their client's exit on their own time: waits (up to 30 s) for none of the job's to remain.</summary>
    private static async Task<long> SessionsLeftAsync(string cs)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            // Only this test's database: other tests run clones with the same application name on the same servers.
            var left = await PgServers.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'pgclone %'");
            if (left == 0 || DateTime.UtcNow > deadline) return left;
            await Task.Delay(50);
        }
    }

    private async Task<Clone> ArrangeForAsync(string phase) =>
        await ArrangeAsync("f" + phase, phase switch { "index" => SlowIndex, "data" => BigTable, _ => "" });

    // Each phase once, each signal at least once (SIGINT again in A_second_ctrl_c_ends_at_once): the command line
    // handles SIGINT and SIGTERM alike (CliCancellation), so all six pairings added minutes of run, not coverage.
    [Theory]
    [InlineData("data", "INT")]
    [InlineData("index", "TERM")]
    [InlineData("constraint", "TERM")]
    public async Task A_signal_in_each_phase_cancels_gracefully_and_resume_completes(string phase, string signal)
    {
        using var c = await ArrangeForAsync(phase);
        await using var locker = new NpgsqlConnection(c.Db.Target);
        await locker.OpenAsync();
        var cli = await StartAndReachAsync(c, phase, locker);
        await cli.SignalAsync(signal);
        AssertCancelled(await cli.WaitAsync(), c.Checkpoint);
        await ReleaseAsync(c, locker);
        // The cancelled work rolled back and no session of the job remains.
        Assert.Equal(0L, await SessionsLeftAsync(c.Db.Target));
        // The table is created in its COPY's transaction: the cancelled copy took it along.
        if (phase == "data") Assert.False(await PgServers.ScalarAsync<bool>(c.Db.Target, "SELECT to_regclass('big') IS NOT NULL"));
        await ResumeToCompletionAsync(c);
    }

    [Fact]
    public async Task A_second_ctrl_c_ends_at_once()
    {
        using var c = await ArrangeForAsync("index");
        await using var locker = new NpgsqlConnection(c.Db.Target);
        var cli = await StartAndReachAsync(c, "index", locker);
        await cli.SignalAsync("INT");
        await cli.SignalAsync("INT");
        var run = await cli.WaitAsync();
        Assert.Equal(130, run.ExitCode);
        Assert.EndsWith("pgclone: cancelled\n", run.Stderr, StringComparison.Ordinal);
        await ResumeToCompletionAsync(c);
    }

    // The constraint phase's resume after a fault is covered by the signal test (TERM) and ServerCrashTests.
    [Theory]
    [InlineData("data")]
    [InlineData("index")]
    public async Task The_client_killed_with_sigkill_in_the_data_and_index_phases_then_resume_completes(string phase)
    {
        using var c = await ArrangeForAsync(phase);
        await using var locker = new NpgsqlConnection(c.Db.Target);
        await locker.OpenAsync();
        var cli = await StartAndReachAsync(c, phase, locker);
        await cli.SignalAsync("KILL");
        Assert.Equal(137, (await cli.WaitAsync()).ExitCode);
        await ReleaseAsync(c, locker);
        await ResumeToCompletionAsync(c);
    }

    [Theory]
    [InlineData("source")]
    [InlineData("target")]
    public async Task A_backend_of_the_clone_killed_fails_the_run_with_the_servers_reason_and_resume_completes(string side)
    {
        using var c = await ArrangeAsync("bk" + side, side == "source" ? BigTable : SlowIndex);
        await using var gate = new NpgsqlConnection(c.Db.Target);
        await using var tableLock = new NpgsqlConnection(c.Db.Source);
        var (cli, locked) = side == "source" ? await StartAndHoldSourceReadAsync(c, gate, tableLock) : (StartClone(c), Task.CompletedTask);
        var cs = side == "source" ? c.Db.Source : c.Db.Target;
        var pid = side == "source"
            ? await WaitForStatementAsync(cs, "COPY %\"big\"%TO STDOUT%", "wait_event_type = 'Lock'")
            : await WaitForStatementAsync(cs, "%CREATE INDEX \"slowidx_f\"%");
        await PgServers.ExecAsync(cs, $"SELECT pg_terminate_backend({pid})");
        var run = await cli.WaitAsync();
        // The failed run's snapshot session ended with it, and its lock on "big": the test's LOCK got it then.
        await locked;
        if (side == "source") await using (var release = new NpgsqlCommand("ROLLBACK", tableLock)) await release.ExecuteNonQueryAsync();
        if (side == "source") await PgServers.ExecAsync(c.Db.Target, "DROP EVENT TRIGGER hold_big; DROP FUNCTION public.hold_big()");
        Assert.Equal(1, run.ExitCode);
        Assert.True(run.Stderr.Contains("terminating connection due to administrator command", StringComparison.Ordinal), run.Stderr);
        Assert.DoesNotContain("Exception while reading from stream", run.Stderr, StringComparison.Ordinal);
        await ResumeToCompletionAsync(c);
    }

    /// <summary>
    /// Starts the clone so that its source session reading "big" waits for a table lock that <paramref name="tableLock"/>
    /// holds: PostgreSQL tells the client why it terminates a backend, except when that backend is blocked writing to
    /// a full socket (it then closes without a word, so as not to block again), which a read outrunning the target
    /// often is. A target event trigger holds the creation of "big" on an advisory lock that <paramref name="gate"/>
    /// holds until the table lock is asked for, so the read cannot begin before it. The run holds ACCESS SHARE on
    /// "big" on its snapshot's session: the LOCK waits for the run (the task returned ends when it is granted), and
    /// the read queues behind it.
    /// </summary>
    private static async Task<(PgCloneCli.Running Cli, Task Locked)> StartAndHoldSourceReadAsync(Clone c, NpgsqlConnection gate, NpgsqlConnection tableLock)
    {
        await gate.OpenAsync();
        await GateDdlAsync(c, "hold_big", "CREATE TABLE", "%CREATE TABLE%\"big\"%", BigLock, gate);
        var cli = StartClone(c);
        await WaitForStatementAsync(c.Db.Target, "%CREATE TABLE%\"big\"%");
        await tableLock.OpenAsync();
        var locked = LockAsync(tableLock);
        while (!locked.IsCompleted && !await PgServers.ScalarAsync<bool>(c.Db.Source,
                   $"SELECT coalesce(wait_event_type = 'Lock', false) FROM pg_stat_activity WHERE pid = {tableLock.ProcessID}"))
            await Task.Delay(20);
        Assert.False(locked.IsCompleted, "the LOCK of big did not wait for the run's own lock");
        // Unlocked explicitly: a closed connection goes back to the pool with its session's advisory locks.
        await using (var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({BigLock})", gate)) await unlock.ExecuteNonQueryAsync();
        return (cli, locked);
    }

    private static async Task LockAsync(NpgsqlConnection tableLock)
    {
        await using var lockBig = new NpgsqlCommand("BEGIN; LOCK TABLE public.big IN ACCESS EXCLUSIVE MODE", tableLock) { CommandTimeout = 0 };
        await lockBig.ExecuteNonQueryAsync();
    }

    /// <summary>The advisory lock key the creation of "big" waits for.</summary>
    private const int BigLock = 4243;
}
