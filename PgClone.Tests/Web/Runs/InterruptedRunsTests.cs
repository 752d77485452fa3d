using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Tests.Fixtures;
using PgClone.Web.Data;
using PgClone.Web.Runs;
using Quartz;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Runs;

/// <summary>
/// Start-up of a console on a database holding open runs: one whose Quartz job is gone (no instance can finish it)
/// becomes interrupted and resumable; one whose job still exists is left to the instance Quartz hands it to.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class InterruptedRunsTests(PgServersFixture fx)
{
    [Fact]
    public async Task A_running_run_without_a_job_is_marked_interrupted_at_start_up_and_resumes_while_one_with_a_job_is_left_alone()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("runs_orphan_console");
        var data = await fx.Servers.CreateDatabasesAsync("runs_orphan");
        await SeedSourceAsync(data.Source);
        var settings = RunsConsole.Settings(consoleDb.Source);
        long orphan, owned;
        var submitted = DateTimeOffset.UtcNow.AddMinutes(-5);
        await using (var first = await RunsConsole.StartAsync(settings, data))
        {
            var factory = first.Factory.Services.GetRequiredService<IDbContextFactory<PgCloneDbContext>>();
            await using var db = await factory.CreateDbContextAsync();
            var gone = OpenRun(first, "console-gone", submitted);
            var alive = OpenRun(first, "console-alive", submitted);
            db.Runs.AddRange(gone, alive);
            await db.SaveChangesAsync();
            (orphan, owned) = (gone.Id, alive.Id);

            // The owned run keeps its Quartz job (its trigger fires much later, so nothing runs it during the test).
            var scheduler = await first.Factory.Services.GetRequiredService<RunScheduler>().SchedulerAsync(default);
            var job = JobBuilder.Create<RunJob>().WithIdentity(RunScheduler.Key(owned))
                .UsingJobData(RunScheduler.RunIdKey, owned.ToString(System.Globalization.CultureInfo.InvariantCulture)).RequestRecovery().Build();
            await scheduler.ScheduleJob(job, TriggerBuilder.Create().WithIdentity($"run-{owned}", RunScheduler.Group).StartAt(DateTimeOffset.UtcNow.AddHours(1)).Build());
        }

        await using var second = await RunsConsole.StartAsync(settings, data, seed: false);
        var (http, _) = await LogInAsync(second.Url, RunsConsole.Operator);
        var interrupted = await WaitFinishedAsync(http, orphan, TimeSpan.FromSeconds(30));
        Assert.Equal((RunStatus.Interrupted, "interrupted: no console instance runs it any more; resume it to finish", (string?)null, (string?)null),
            (interrupted.Run.Status, interrupted.Run.Error, interrupted.Run.Instance, interrupted.Run.QueueReason));
        Assert.NotNull(interrupted.Run.FinishedAt);

        // The look-up is done once interrupted is stored; the owned run is exactly as it was.
        var kept = await GetAsync(http, owned);
        Assert.Equal((RunStatus.Running, (string?)null, "console-alive", (DateTimeOffset?)null),
            (kept.Run.Status, kept.Run.Error, kept.Run.Instance, kept.Run.FinishedAt));
        Assert.True(await second.Factory.Services.GetRequiredService<RunScheduler>().ExistsAsync(owned, default));

        // Resumable: resume creates a new run that finishes the copy.
        var response = await http.PostAsync($"api/v1/runs/{orphan}/resume", null);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var resumed = (await response.Content.ReadFromJsonAsync<Started>(Json))!.Id;
        Assert.NotEqual(orphan, resumed);
        var done = await WaitFinishedAsync(http, resumed, TimeSpan.FromSeconds(60));
        Assert.Equal((RunStatus.Succeeded, (string?)null, (long?)orphan), (done.Run.Status, done.Run.Error, done.Run.ResumedFromRunId));
        await AssertChecksumsEqualAsync(data.Source, data.Target);
        Assert.Equal(RunStatus.Interrupted, (await GetAsync(http, orphan)).Run.Status);
    }

    /// <summary>A schema clone of the test bed that an instance started and never finished.</summary>
    private static Run OpenRun(RunsConsole console, string instance, DateTimeOffset submitted) => new()
    {
        StartedByKind = RunActorKinds.User,
        StartedBy = RunsConsole.Operator,
        SubmittedAt = submitted,
        StartedAt = submitted.AddSeconds(1),
        SourceConnectionId = console.SourceId,
        SourceName = "source db",
        SourceServer = "source",
        TargetConnectionId = console.TargetId,
        TargetName = "target db",
        Operation = "schema",
        Schema = Schema,
        Status = RunStatus.Running.Name(),
        Phase = "copy",
        TablesTotal = Tables.Count,
        Instance = instance,
    };

    private sealed record Started(long Id);
}
