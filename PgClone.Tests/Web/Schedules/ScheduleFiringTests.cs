using System.Net;
using System.Net.Http.Json;
using PgClone.Core;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Runs;
using PgClone.Web.Schedules;
using static PgClone.Tests.Web.Runs.RunsTestBed;
using static PgClone.Tests.Web.Schedules.SchedulesTestBed;

namespace PgClone.Tests.Web.Schedules;

/// <summary>Schedules fire from the clustered Quartz store: a short interval, across a restart, and once per firing across instances.</summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class ScheduleFiringTests(PgServersFixture fx)
{
    /// <summary>The seeded schema, copied again and again into the same target (replacing what the last run left).</summary>
    private static RunRequest Refresh(int source, int target) =>
        new("schema", source, target, Schema, Options: new CloneOptions { Conflict = ConflictStrategy.Replace });

    [Fact]
    public async Task A_schedule_every_three_seconds_fires_its_runs_complete_as_started_by_it_and_it_keeps_firing_after_a_console_restart()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("sched_fire_console");
        var data = await fx.Servers.CreateDatabasesAsync("sched_fire");
        await SeedSourceAsync(data.Source);
        var settings = RunsConsole.Settings(consoleDb.Source);
        int scheduleId;
        long firstRun;
        await using (var first = await RunsConsole.StartAsync(settings, data))
        {
            var (http, _) = await LogInAsync(first.Url, RunsConsole.Operator);
            var profile = await CreateProfileAsync(http, "nightly sales", Refresh(first.SourceId, first.TargetId));
            var schedule = await CreateScheduleAsync(http, new ScheduleDraft("sales every 3 s", profile, "0/3 * * * * ?", "Europe/Paris",
                Overlap: OverlapPolicy.Skip));
            scheduleId = schedule.Id;
            Assert.Equal(("Every 3 seconds, every day", RunsConsole.Operator, true), (schedule.Description, schedule.Owner, schedule.RequireMasking));
            Assert.NotNull(schedule.NextFireAt);
            Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris").GetUtcOffset(schedule.NextFireAt!.Value), schedule.NextFireAt.Value.Offset);

            var done = await WaitRunAsync(http, scheduleId, r => r.Status == RunStatus.Succeeded);
            firstRun = done.Id;
            Assert.Equal((RunActorKinds.Schedule, "sales every 3 s", (int?)profile, (string?)null), (done.StartedByKind, done.StartedBy, done.ProfileId, done.Error));
            await AssertChecksumsEqualAsync(data.Source, data.Target);
            // The list shows the last firing and its status.
            var listed = Assert.Single(await http.GetFromJsonAsync<List<ScheduleInfo>>("api/v1/schedules", Json) ?? []);
            Assert.NotNull(listed.LastRunId);
            // Next and last read in the schedule's own zone, so the two times on one row compare at a glance.
            Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris").GetUtcOffset(listed.LastFiredAt!.Value), listed.LastFiredAt.Value.Offset);
        }
        // A new console on the same console database: the trigger is still in the store and keeps firing.
        var restartedAt = DateTimeOffset.UtcNow;
        await using var second = await RunsConsole.StartAsync(settings, data, seed: false);
        var (http2, _) = await LogInAsync(second.Url, RunsConsole.Operator);
        var after = await WaitRunAsync(http2, scheduleId, r => r.Status == RunStatus.Succeeded && r.Id > firstRun && r.SubmittedAt > restartedAt);
        Assert.Equal("sales every 3 s", after.StartedBy);
        // Paused: it stops firing; the history is kept.
        await PostAsync(http2, $"api/v1/schedules/{scheduleId}/pause", HttpStatusCode.OK);
        await Task.Delay(1000);
        var count = (await HistoryAsync(http2, scheduleId)).Count;
        await Task.Delay(4000);
        Assert.Equal(count, (await HistoryAsync(http2, scheduleId)).Count);
        var paused = (await http2.GetFromJsonAsync<ScheduleInfo>($"api/v1/schedules/{scheduleId}", Json))!;
        Assert.Equal((false, (DateTimeOffset?)null), (paused.Enabled, paused.NextFireAt));
    }

    [Fact]
    public async Task Two_console_instances_on_one_store_run_each_firing_exactly_once()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("sched_cluster_console");
        var data = await fx.Servers.CreateDatabasesAsync("sched_cluster");
        await SeedSourceAsync(data.Source);
        var settings = RunsConsole.Settings(consoleDb.Source);
        int sourceId, targetId;
        await using (var seed = await RunsConsole.StartAsync(settings, data))
            (sourceId, targetId) = (seed.SourceId, seed.TargetId);
        await using var a = await ProcessConsole.StartAsync(new Dictionary<string, string>(settings) { ["PgClone:Runs:InstanceId"] = "console-a" });
        await using var b = await ProcessConsole.StartAsync(new Dictionary<string, string>(settings) { ["PgClone:Runs:InstanceId"] = "console-b" });
        var (httpA, _) = await LogInAsync(a.Url, RunsConsole.Operator);
        var (httpB, _) = await LogInAsync(b.Url, RunsConsole.Operator);

        // A small table every 2 seconds: each firing's run ends well before the next.
        var profile = await CreateProfileAsync(httpA, "payments", new RunRequest("table", sourceId, targetId, Schema, "payments",
            new CloneOptions { Conflict = ConflictStrategy.Replace }));
        var schedule = await CreateScheduleAsync(httpA, new ScheduleDraft("payments every 2 s", profile, "0/2 * * * * ?"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await HistoryAsync(httpB, schedule.Id)).Count < 6 && DateTime.UtcNow < deadline) await Task.Delay(500);
        await PostAsync(httpB, $"api/v1/schedules/{schedule.Id}/pause", HttpStatusCode.OK);
        await Task.Delay(3000);

        var runs = (await HistoryAsync(httpA, schedule.Id)).OrderBy(r => r.SubmittedAt).ToList();
        // One run per firing, told apart by the firing's own time as each console logs it. Not by the runs' times: a
        // firing held back until the one before had ended (a loaded machine) was submitted 0.41 s after it.
        var fired = a.Output.Concat(b.Output).Select(l => FiredLine().Match(l)).Where(m => m.Success)
            .Select(m => (Run: long.Parse(m.Groups["run"].Value, System.Globalization.CultureInfo.InvariantCulture), At: m.Groups["at"].Value)).ToList();
        Assert.Equal(runs.Select(r => r.Id).Order(), fired.Select(f => f.Run).Order());
        Assert.All(fired.GroupBy(f => f.At), g => Assert.True(g.Count() == 1, $"the firing of {g.Key} ran {g.Count()} times: runs {string.Join(", ", g.Select(f => f.Run))}"));
        Assert.True(fired.Count >= 2, $"{fired.Count} firings logged");
        foreach (var run in runs) await WaitFinishedAsync(httpA, run.Id);
        var finished = await HistoryAsync(httpA, schedule.Id);
        Assert.All(finished, r => Assert.Equal((r.Id, RunStatus.Succeeded), (r.Id, r.Status)));
        Assert.Equal(Tables["payments"], await CountAsync(data.Target, "payments"));
    }

    /// <summary>ScheduleJob's line for a firing of the test's schedule: the firing's time and its run.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"schedule payments every 2 s fired on .+ for (?<at>\S+): run (?<run>\d+)$")]
    private static partial System.Text.RegularExpressions.Regex FiredLine();
}
