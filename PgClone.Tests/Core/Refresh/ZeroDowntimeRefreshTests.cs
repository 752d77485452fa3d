using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Core.Refresh;
using PgClone.Tests.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Refresh;

/// <summary>Zero-downtime refresh: clone into a shadow, verify and prove it, swap by renaming, keep N previous copies.</summary>
public sealed class ZeroDowntimeRefreshTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    /// <summary>A live name that needs quoting and is long enough that the suffixes must cut it (UTF-8, 2-byte letters).</summary>
    private static string LiveName(string tag) => $"Stagïng \"{tag}\" {new string('é', 18)}";

    private const string Mask = """{"mask": {"people": {"email": "email"}}}""";

    [Fact]
    public async Task A_refresh_swaps_the_verified_shadow_in_and_keeps_the_last_N_previous_copies()
    {
        var (source, target, live) = await ArrangeAsync("zdok");
        var liveCs = PgServers.WithDatabase(fx.Servers.TargetAdmin, live);
        var request = Request(source, live, Mask);

        // Someone works on the live copy: the swap ends that session (terminate) for the instant of the rename.
        await using var user = new NpgsqlConnection(liveCs);
        await user.OpenAsync();
        var first = await Refresh(request, new RefreshOptions { KeepPrevious = 1 }, TimeSpan.Zero);
        var second = await Refresh(request, new RefreshOptions { KeepPrevious = 1 }, TimeSpan.FromMinutes(1));

        // The live database is the masked clone: every row, no email as it was on the source.
        Assert.Equal(3L, await PgServers.ScalarAsync<long>(liveCs, "SELECT count(*) FROM people"));
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(liveCs, "SELECT count(*) FROM people WHERE email IN ('ann@source.example', 'bob@source.example', 'cy@source.example')"));
        Assert.Equal(new[] { "ann", "bob", "cy" }, (await PgServers.RowsAsync(liveCs, "SELECT name FROM people ORDER BY id")).Select(r => (string)r[0]!));
        // Verified by checksum with the masked column left out, and proved masked by the engine.
        Assert.Contains(second.Notes, n => n == "refresh: 1 table verified by checksum (1 masked column left out)");
        Assert.Contains(first.Notes, n => n.StartsWith("refresh: swapped ", StringComparison.Ordinal));
        // Keep 1: only the copy the second refresh replaced (the first refresh's clone) is left; the original is dropped.
        var databases = await DatabasesAsync(target);
        var previous = Assert.Single(databases, d => RefreshNames.IsPrevious(live, d));
        Assert.Equal(Sql.Ident(previous), PreviousNamed(second));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(previous) <= 63);
        Assert.DoesNotContain(databases, d => RefreshNames.IsShadow(live, d));
        var previousCs = PgServers.WithDatabase(fx.Servers.TargetAdmin, previous);
        Assert.Equal(3L, await PgServers.ScalarAsync<long>(previousCs, "SELECT count(*) FROM people"));
        Assert.Contains($"refresh: dropped the old copy {PreviousNamed(first)} (keeping 1)", second.Notes);
        // The user's session was ended by the swap.
        await Assert.ThrowsAnyAsync<Exception>(async () => { await using var cmd = new NpgsqlCommand("SELECT 1", user); await cmd.ExecuteScalarAsync(); });
    }

    [Fact]
    public async Task A_failed_clone_leaves_the_live_copy_intact_and_serving_and_drops_the_shadow()
    {
        var (source, target, live) = await ArrangeAsync("zdfail");
        var liveCs = PgServers.WithDatabase(fx.Servers.TargetAdmin, live);
        await using var user = new NpgsqlConnection(liveCs);
        await user.OpenAsync();
        // A sensitive column appears on the source that the policy does not mask: the gate refuses the clone.
        await PgServers.ExecAsync(source, "ALTER TABLE people ADD COLUMN phone text DEFAULT '555 0100'");
        var request = Request(source, live, """{"require_masking": true, "mask": {"people": {"email": "email", "name": "name"}}}""");

        var e = await Assert.ThrowsAsync<PgCloneException>(() => Refresh(request, new RefreshOptions(), TimeSpan.Zero));

        Assert.Equal($"{request.Source.Describe()}: require_masking: 1 sensitive column without a mask rule: \"public\".\"people\".\"phone\" (phone)", e.Message);
        await AssertLiveUntouchedAsync(user, target, live);
    }

    [Fact]
    public async Task Waiting_for_sessions_that_stay_fails_before_the_swap_and_leaves_the_live_copy_serving()
    {
        var (source, target, live) = await ArrangeAsync("zdwait");
        var liveCs = PgServers.WithDatabase(fx.Servers.TargetAdmin, live);
        await using var user = new NpgsqlConnection(liveCs);
        await user.OpenAsync();
        var request = Request(source, live, Mask);

        var e = await Assert.ThrowsAsync<PgCloneException>(() =>
            Refresh(request, new RefreshOptions { Sessions = SwapSessions.Wait, SwapTimeoutSeconds = 1 }, TimeSpan.Zero));

        Assert.Equal($"target '{request.Target.Name}' ({request.Target.Host}:{request.Target.Port}): database {Sql.Ident(live)}: still has 1 session after waiting 1 s; the refresh did not swap (sessions: wait)", e.Message);
        await AssertLiveUntouchedAsync(user, target, live);
    }

    private async Task AssertLiveUntouchedAsync(NpgsqlConnection user, string target, string live)
    {
        // The open session still works on the old data; no shadow and no previous copy were left behind.
        await using (var cmd = new NpgsqlCommand("SELECT string_agg(note, ',' ORDER BY note) FROM old_copy", user))
            Assert.Equal("kept", await cmd.ExecuteScalarAsync());
        var databases = await DatabasesAsync(target);
        Assert.Contains(live, databases);
        Assert.DoesNotContain(databases, d => RefreshNames.IsShadow(live, d) || RefreshNames.IsPrevious(live, d));
    }

    private async Task<(string Source, string Target, string Live)> ArrangeAsync(string tag)
    {
        var db = await fx.Servers.CreateDatabasesAsync(tag);
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL, email text);
            INSERT INTO people VALUES (1, 'ann', 'ann@source.example'), (2, 'bob', 'bob@source.example'), (3, 'cy', 'cy@source.example');
            """);
        var live = LiveName(db.Name[^6..]);
        await PgServers.ExecAsync(fx.Servers.TargetAdmin, $"CREATE DATABASE {Sql.Ident(live)}");
        await PgServers.ExecAsync(PgServers.WithDatabase(fx.Servers.TargetAdmin, live), "CREATE TABLE old_copy (note text); INSERT INTO old_copy VALUES ('kept')");
        return (db.Source, fx.Servers.TargetAdmin, live);
    }

    private CloneRequest Request(string source, string live, string options) => new(
        CloneOperation.DatabaseCreate,
        ServerEndpoint.Parse(ServerRole.Source, PgServers.Conninfo(source), "prod"),
        ServerEndpoint.Parse(ServerRole.Target, PgServers.Conninfo(fx.Servers.TargetAdmin), "staging"),
        Options: CloneOptions.Parse(options) with { TargetName = live });

    /// <summary>The previous copy a refresh's swap note names (quoted).</summary>
    private static string PreviousNamed(Refreshed r)
    {
        const string marker = "; the previous copy is ";
        var note = Assert.Single(r.Notes, n => n.StartsWith("refresh: swapped ", StringComparison.Ordinal));
        return note[(note.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..];
    }

    private sealed record Refreshed(IReadOnlyList<string> Notes, DateTimeOffset At);

    /// <summary>Runs a refresh on a clock moved by <paramref name="offset"/>, so two refreshes stamp their copies apart.</summary>
    private static async Task<Refreshed> Refresh(CloneRequest request, RefreshOptions options, TimeSpan offset)
    {
        var clock = new ShiftedClock(offset);
        var at = clock.GetUtcNow();
        var result = await new ZeroDowntimeRefresh(r => MaskingFactory.Create(r, MaskSql.Secret), clock).RunAsync(request, options, new CloneRunOptions());
        return new Refreshed(result.Notes, at);
    }

    private static async Task<List<string>> DatabasesAsync(string admin) =>
        [.. (await PgServers.RowsAsync(admin, "SELECT datname FROM pg_database")).Select(r => (string)r[0]!)];

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
