using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Core;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Connections;
using PgClone.Web.Data;
using PgClone.Web.Masking;
using PgClone.Web.Runs;
using PgClone.Web.Schedules;
using PgClone.Tests.Web.Schedules;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Masking;

/// <summary>
/// Runs and profiles through the API with a masking policy named by id: the run applies and records the newest
/// version, the production rule counts the policy's rules, and an unknown or conflicting policy is a problem+json.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class MaskPolicyRunsApiTests(PgServersFixture fx)
{
    private static readonly CloneOptions Replace = new() { Conflict = ConflictStrategy.Replace };
    private const string Version1Rules = """{"crm.people": {"email": {"type": "constant", "value": "hidden@example.com"}, "display": "null"}}""";

    [Fact]
    public async Task A_run_or_profile_with_a_policy_id_applies_its_newest_version_and_unknown_or_conflicting_policies_are_problems()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("maskpol_api_console");
        var data = await fx.Servers.CreateDatabasesAsync("maskpol_api");
        await PgServers.ExecAsync(data.Source, MaskPoliciesTests.CrmFixture);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var connections = console.Factory.Services.GetRequiredService<ConnectionService>();
        await connections.UpdateAsync(console.SourceId, RunsConsole.New("source db", data.Source) with { Environment = ConnectionEnvironment.Production }, "admin");
        var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);
        // Discovery flags crm.people.email and crm.people.display; the policy masks both.
        var crm = await CreatePolicyAsync(http, "CRM", Version1Rules);
        var other = await CreatePolicyAsync(http, "Other", """{"people": {"note": "null"}}""");
        var schemaRun = new RunRequest("schema", console.SourceId, console.TargetId, "crm", Options: Replace);

        await AssertProblemAsync(await http.PostAsJsonAsync("api/v1/runs", schemaRun with { MaskPolicyId = 999 }, Json),
            HttpStatusCode.NotFound, "masking policy #999 does not exist");
        await AssertProblemAsync(await http.PostAsJsonAsync("api/v1/runs", schemaRun with { MaskPolicyVersionId = 99999 }, Json),
            HttpStatusCode.NotFound, "masking policy version #99999 does not exist");
        var typed = schemaRun with { Options = Replace with { Mask = JsonNode.Parse("""{"people": {"email": "email"}}""")!.AsObject() }, MaskPolicyId = crm.Policy.Id };
        await AssertProblemAsync(await http.PostAsJsonAsync("api/v1/runs", typed, Json),
            HttpStatusCode.BadRequest, "give the mask rules either in options.mask or as a masking policy (maskPolicyId), not both");
        await AssertProblemAsync(await http.PostAsJsonAsync("api/v1/runs", schemaRun with { MaskPolicyId = crm.Policy.Id, MaskPolicyVersionId = other.Policy.LatestVersionId }, Json),
            HttpStatusCode.BadRequest, $"masking policy version #{other.Policy.LatestVersionId} belongs to policy 'Other' (#{other.Policy.Id}), not to policy #{crm.Policy.Id}");
        await AssertProblemAsync(await http.PostAsJsonAsync("api/v1/runs", new RunRequest("roles", console.SourceId, console.TargetId, MaskPolicyId: crm.Policy.Id), Json),
            HttpStatusCode.BadRequest, "a roles clone copies no rows: it takes no masking policy");
        // A policy that leaves a flagged column open does not satisfy the production rule.
        await AssertProblemAsync(await http.PostAsJsonAsync("api/v1/runs", schemaRun with { MaskPolicyId = other.Policy.Id }, Json),
            HttpStatusCode.Conflict, "source 'source db' is a production connection and the target is not: mask these columns or confirm the clone without masking: \"crm\".\"people\".\"email\", \"crm\".\"people\".\"display\"");

        // Production into non-production without a confirmation: the policy covers every flagged column, so the run goes.
        var run = await WaitFinishedAsync(http, await StartAsync(http, schemaRun with { MaskPolicyId = crm.Policy.Id }));
        Assert.Equal((RunStatus.Succeeded, crm.Policy.LatestVersionId, false), (run.Run.Status, run.MaskPolicyVersionId, run.ProductionConfirmed));
        // Cloned again from the wizard: with the run's policy, whose newest version the new run applies, not its rules as typed ones.
        var cloneAgain = (await console.Factory.Services.GetRequiredService<RunsService>().RequestOfAsync(run.Run.Id))!;
        Assert.Equal((crm.Policy.Id, (long?)null, (JsonObject?)null, "crm"), (cloneAgain.MaskPolicyId, cloneAgain.MaskPolicyVersionId, cloneAgain.Options!.Mask, cloneAgain.Schema));
        Assert.Equal(200L, await PgServers.ScalarAsync<long>(data.Target,
            "SELECT count(*) FROM crm.people WHERE email = 'hidden@example.com' AND display IS NULL AND note = 'note ' || id AND score = id % 10"));

        // Profiles: an unknown policy is a 404; a policy and typed rules are refused; the policy is kept.
        var profile = new ProfileDraft("crm masked", null, schemaRun, crm.Policy.Id);
        await AssertProblemAsync(await http.PostAsJsonAsync("api/v1/profiles", profile with { MaskPolicyId = 999 }, Json),
            HttpStatusCode.NotFound, "masking policy #999 does not exist");
        await AssertProblemAsync(await http.PostAsJsonAsync("api/v1/profiles", profile with { Request = typed }, Json),
            HttpStatusCode.BadRequest, "give the mask rules either in options.mask or as a masking policy (maskPolicyId), not both");
        var created = await http.PostAsJsonAsync("api/v1/profiles", profile with { MaskPolicyId = null, Request = schemaRun with { MaskPolicyId = crm.Policy.Id } }, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var saved = (await created.Content.ReadFromJsonAsync<ProfileInfo>(Json))!;
        Assert.Equal((crm.Policy.Id, crm.Policy.Id), (saved.MaskPolicyId, saved.Request.MaskPolicyId));
        await AssertProblemAsync(await http.PutAsJsonAsync($"api/v1/profiles/{saved.Id}",
                profile with { MaskPolicyId = other.Policy.Id, Request = schemaRun with { MaskPolicyId = crm.Policy.Id } }, Json),
            HttpStatusCode.BadRequest, $"the profile names masking policy #{other.Policy.Id} and its request policy #{crm.Policy.Id}: give one");

        // The policy is edited: the profile's next run applies the new version (keyed hashes: distinct, never the source's).
        var v2 = await http.PostAsJsonAsync($"api/v1/masking-policies/{crm.Policy.Id}/versions",
            new MaskPolicyVersionDraft(JsonNode.Parse("""{"crm.people": {"email": "keyed_hash", "display": {"type": "constant", "value": "Anon"}}}""")!.AsObject()), Json);
        var version2 = (await v2.Content.ReadFromJsonAsync<MaskPolicyVersionInfo>(Json))!;
        var started = await http.PostAsJsonAsync($"api/v1/profiles/{saved.Id}/run", new { }, Json);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var second = await WaitFinishedAsync(http, (await started.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetInt64());
        Assert.Equal((RunStatus.Succeeded, version2.Id, 2), (second.Run.Status, second.MaskPolicyVersionId, version2.Version));
        Assert.Equal((200L, 200L, 200L), (
            await PgServers.ScalarAsync<long>(data.Target, "SELECT count(*) FROM crm.people WHERE display = 'Anon' AND length(email) = 64"),
            await PgServers.ScalarAsync<long>(data.Target, "SELECT count(DISTINCT email) FROM crm.people"),
            await PgServers.ScalarAsync<long>(data.Target, "SELECT count(*) FROM crm.people WHERE email NOT LIKE 'person%@example.com'")));

        // A schedule runs the profile the same way: the newest version, through the masking gate a schedule turns on.
        var schedule = await SchedulesTestBed.CreateScheduleAsync(http, new ScheduleDraft("crm nightly", saved.Id, "0 0 3 1 1 ? 2099"));
        await SchedulesTestBed.PostAsync(http, $"api/v1/schedules/{schedule.Id}/run", HttpStatusCode.Accepted);
        var scheduled = await SchedulesTestBed.WaitRunAsync(http, schedule.Id, r => r.Status.IsFinished());
        var scheduledDetail = await GetAsync(http, scheduled.Id);
        Assert.Equal((RunStatus.Succeeded, version2.Id, true), (scheduled.Status, scheduledDetail.MaskPolicyVersionId, scheduledDetail.Options!.RequireMasking));

        // An older version named explicitly; the run fails (the table exists, conflict=error) and its resumption
        // applies that same version again.
        var failed = await WaitFinishedAsync(http, await StartAsync(http, schemaRun with { Options = null, MaskPolicyVersionId = crm.Policy.LatestVersionId }));
        Assert.Equal((RunStatus.Failed, crm.Policy.LatestVersionId), (failed.Run.Status, failed.MaskPolicyVersionId));
        var resumed = await http.PostAsync($"api/v1/runs/{failed.Run.Id}/resume", null);
        Assert.True(resumed.StatusCode == HttpStatusCode.Created, await resumed.Content.ReadAsStringAsync());
        var again = await GetAsync(http, (await resumed.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetInt64());
        Assert.Equal((crm.Policy.LatestVersionId, failed.Run.Id), (again.MaskPolicyVersionId, again.Run.ResumedFromRunId));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Version1Rules), again.Options!.Mask), again.Options.Mask?.ToJsonString());
    }

    private static async Task<MaskPolicyDetail> CreatePolicyAsync(HttpClient http, string name, string rules)
    {
        var response = await http.PostAsJsonAsync("api/v1/masking-policies", new MaskPolicyDraft(name, null, null, JsonNode.Parse(rules)!.AsObject()), Json);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<MaskPolicyDetail>(Json))!;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        Assert.Equal((status, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.Equal(title, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }
}
