using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Web.Connections;
using PgClone.Web.Data;
using PgClone.Web.Runs;
using PgClone.Web.Schedules;
using static PgClone.Tests.Web.Runs.RunsTestBed;
using static PgClone.Tests.Web.Schedules.SchedulesTestBed;

namespace PgClone.Tests.Web.Schedules;

/// <summary>What keeps scheduled refreshes safe: one run per target database, the masking gate, and webhooks that say so.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ScheduleGuardTests(PgServersFixture fx)
{
    /// <summary>Never fires by itself within a test: the tests fire it with "run now".</summary>
    private const string Never = "0 0 3 1 1 ? 2099";

    private static RunRequest Refresh(int source, int target) =>
        new("schema", source, target, Schema, Options: new CloneOptions { Conflict = ConflictStrategy.Replace });

    [Fact]
    public async Task A_second_run_on_the_same_target_waits_saying_which_run_holds_it_and_a_schedule_set_to_skip_is_skipped()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("sched_overlap_console");
        var data = await fx.Servers.CreateDatabasesAsync("sched_overlap");
        await SeedSourceAsync(data.Source);
        await SlowTargetAsync(data.Target);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);
        var t = Parts(data.Target);
        var target = $"{t.Host}:{t.Port}/{t.Database}";

        // The wizard/API path: the later run waits, queued, and says why; then runs.
        var first = await StartAsync(http, Refresh(console.SourceId, console.TargetId));
        await WaitAsync(http, first, r => r.Run.Status == RunStatus.Running);
        var second = await StartAsync(http, Refresh(console.SourceId, console.TargetId));
        var waiting = await WaitAsync(http, second, r => r.Run.QueueReason?.StartsWith("waiting: target", StringComparison.Ordinal) == true);
        Assert.Equal((RunStatus.Queued, $"waiting: target {target} is in use by run #{first}"), (waiting.Run.Status, waiting.Run.QueueReason));

        // A schedule whose overlap policy is skip, fired while the target is busy: skipped, with the reason.
        var profile = await CreateProfileAsync(http, "sales", Refresh(console.SourceId, console.TargetId));
        var schedule = await CreateScheduleAsync(http, new ScheduleDraft("sales, skip when busy", profile, Never, Overlap: OverlapPolicy.Skip));
        await PostAsync(http, $"api/v1/schedules/{schedule.Id}/run", HttpStatusCode.Accepted);
        var skipped = await WaitRunAsync(http, schedule.Id, r => r.Status.IsFinished());
        Assert.Equal(RunStatus.Cancelled, skipped.Status);
        Assert.Matches($"^skipped: target {System.Text.RegularExpressions.Regex.Escape(target)} is in use by run #({first}|{second}) \\(overlap policy: skip\\)$", skipped.Error);

        var a = await WaitFinishedAsync(http, first, TimeSpan.FromSeconds(90));
        var b = await WaitFinishedAsync(http, second, TimeSpan.FromSeconds(90));
        Assert.Equal((RunStatus.Succeeded, RunStatus.Succeeded), (a.Run.Status, b.Run.Status));
        // Never at once: the second started after the first had finished.
        Assert.True(b.Run.StartedAt >= a.Run.FinishedAt, $"run #{second} started at {b.Run.StartedAt:O}, before run #{first} finished at {a.Run.FinishedAt:O}");
        await AssertChecksumsEqualAsync(data.Source, data.Target);
    }

    [Fact]
    public async Task The_gate_stops_a_scheduled_refresh_after_a_sensitive_column_appears_and_webhooks_report_signed_with_retries()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("sched_gate_console");
        var data = await fx.Servers.CreateDatabasesAsync("sched_gate");
        await SeedSourceAsync(data.Source);
        await using var hook = new WebhookListener(failFirst: 1);
        var settings = RunsConsole.Settings(consoleDb.Source);
        settings["PgClone:Schedules:PublicBaseUrl"] = "https://pgclone.example.test/";
        settings["PgClone:Schedules:WebhookBackoff"] = "00:00:01";
        await using var console = await RunsConsole.StartAsync(settings, data);
        var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);
        const string secret = "whsec-0123456789-abcdef";
        var profile = await CreateProfileAsync(http, "sales", Refresh(console.SourceId, console.TargetId));
        var schedule = await CreateScheduleAsync(http, new ScheduleDraft("nightly sales", profile, Never,
            Webhooks: [new WebhookDraft(hook.Url, secret, [WebhookEvents.Success, WebhookEvents.Gate])]));
        Assert.True(schedule.RequireMasking);
        var listed = Assert.Single(schedule.Webhooks);
        Assert.Equal(hook.Url, listed.Url);
        Assert.Equal([WebhookEvents.Success, WebhookEvents.Gate], listed.Events);

        await PostAsync(http, $"api/v1/schedules/{schedule.Id}/run", HttpStatusCode.Accepted);
        var ok = await WaitRunAsync(http, schedule.Id, r => r.Status.IsFinished());
        Assert.Equal((RunStatus.Succeeded, (string?)null), (ok.Status, ok.Error));
        // The first delivery is answered 500 and retried after the backoff, with the same signed body.
        var calls = await hook.WaitAsync(2);
        Assert.Equal([500, 200], calls.Select(c => c.AnsweredWith));
        Assert.Equal(calls[0].Body, calls[1].Body);
        AssertSigned(calls[1], secret);
        var success = JsonDocument.Parse(calls[1].Body).RootElement;
        Assert.Equal(("success", ok.Id, "succeeded", $"https://pgclone.example.test/jobs/{ok.Id}", "nightly sales", "sales"),
            (success.GetProperty("event").GetString(), success.GetProperty("runId").GetInt64(), success.GetProperty("status").GetString(),
             success.GetProperty("url").GetString(), success.GetProperty("schedule").GetString(), success.GetProperty("profile").GetString()));

        // A sensitive column appears on the production source after the policy was written: the next refresh is
        // queued as usual and stops before any row, on the run.
        var connections = console.Factory.Services.GetRequiredService<ConnectionService>();
        await connections.UpdateAsync(console.SourceId, RunsConsole.New("source db", data.Source) with { Environment = ConnectionEnvironment.Production }, "test");
        await PgServers.ExecAsync(data.Source, $"ALTER TABLE {Qualified("customers")} ADD COLUMN email text DEFAULT 'x@y.example'");
        await PgServers.ExecAsync(data.Target, $"TRUNCATE {Qualified("payments")}");
        await PostAsync(http, $"api/v1/schedules/{schedule.Id}/run", HttpStatusCode.Accepted);
        var refused = await WaitRunAsync(http, schedule.Id, r => r.Id != ok.Id && r.Status.IsFinished());
        Assert.Equal(RunStatus.Failed, refused.Status);
        Assert.EndsWith($"require_masking: 1 sensitive column without a mask rule: {Sql.Qualified(Schema, "customers")}.\"email\" (email)", refused.Error);
        Assert.Equal((0L, 0), (refused.Rows, refused.TablesCompleted));
        Assert.Equal(0L, await CountAsync(data.Target, "payments"));
        var gate = (await hook.WaitAsync(3))[2];
        AssertSigned(gate, secret);
        var payload = JsonDocument.Parse(gate.Body).RootElement;
        Assert.Equal(("gate", refused.Id, refused.Error), (payload.GetProperty("event").GetString(), payload.GetProperty("runId").GetInt64(), payload.GetProperty("error").GetString()));
    }

    private static void AssertSigned(WebhookListener.Received call, string secret)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(call.Body)));
        Assert.Equal(expected, call.Signature);
        Assert.Equal("application/json; charset=utf-8", call.ContentType);
    }
}
