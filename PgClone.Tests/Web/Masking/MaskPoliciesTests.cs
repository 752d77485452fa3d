using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Data;
using PgClone.Web.Masking;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Masking;

/// <summary>Stored masking policies: versions, import/export as the engine's mask JSON, the run → version link, and who may edit.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class MaskPoliciesTests(PgServersFixture fx)
{
    public const string Auditor = "auditor@example.com";

    public const string CrmFixture = """
        CREATE SCHEMA crm;
        CREATE TABLE crm.people (id int PRIMARY KEY, email text, display text, note text, score int);
        INSERT INTO crm.people SELECT g, 'person' || g || '@example.com',
            (ARRAY['James Smith', 'Maria Garcia', 'Wei Zhang', 'Priya Patel', 'Olivia Brown'])[1 + g % 5], 'note ' || g, g % 10
        FROM generate_series(1, 200) g;
        """;

    [Fact]
    public async Task Editing_makes_a_new_version_and_each_run_records_the_version_whose_rules_it_applied()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("maskpol_console");
        var data = await fx.Servers.CreateDatabasesAsync("maskpol");
        await PgServers.ExecAsync(data.Source, CrmFixture);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);

        // Import: discovery's own output becomes version 1, unchanged.
        var found = await SensitiveDataScanner.ScanAsync(ServerEndpoint.Parse(ServerRole.Source, data.Source), "crm", CancellationToken.None);
        var discovered = SensitiveDataScanner.ToMaskOption(found);
        Assert.Equal("""{"crm.people":{"email":"email","display":"name"}}""", discovered.ToJsonString());
        var created = await http.PostAsJsonAsync("api/v1/masking-policies", new MaskPolicyDraft("CRM", "people in crm", null, discovered, "from discovery"), Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var policy = (await created.Content.ReadFromJsonAsync<MaskPolicyDetail>(Json))!;
        Assert.Equal(("CRM", RunsConsole.Operator, 1, 2), (policy.Policy.Name, policy.Policy.Owner, policy.Policy.LatestVersion, policy.Policy.Columns));

        // Export gives back exactly the imported mask JSON.
        var exported = JsonNode.Parse(await http.GetStringAsync($"api/v1/masking-policies/{policy.Policy.Id}/export"));
        Assert.True(JsonNode.DeepEquals(discovered, exported), exported!.ToJsonString());

        // A profile points at the policy: its run applies version 1 and records it.
        var profiles = console.Factory.Services.GetRequiredService<ProfilesService>();
        var request = new RunRequest("schema", console.SourceId, console.TargetId, "crm", Options: new CloneOptions { Conflict = ConflictStrategy.Replace });
        var profileResponse = await http.PostAsJsonAsync("api/v1/profiles", new ProfileDraft("crm copy", null, request, policy.Policy.Id), Json);
        Assert.Equal(HttpStatusCode.Created, profileResponse.StatusCode);
        var profileId = (await profileResponse.Content.ReadFromJsonAsync<ProfileInfo>(Json))!.Id;
        var first = await RunProfileAsync(http, profileId);
        Assert.Equal((RunStatus.Succeeded, policy.Versions[0].Id), (first.Run.Status, first.MaskPolicyVersionId));
        Assert.True(JsonNode.DeepEquals(discovered, first.Options!.Mask));
        Assert.Equal((200L, 0L), (await CountAsync(data.Target, "crm.people", "email = 'p***@example.com'"), await CountAsync(data.Target, "crm.people", "display <> 'XXXX'")));
        Assert.Contains(first.Notes, n => n.StartsWith("masking proof: 2 masked columns in 1 table, 200 sampled rows", StringComparison.Ordinal));

        // A new version; the old one stays as it was, and the next run applies the new one.
        var v2Rules = JsonNode.Parse("""{"crm.people": {"email": "keyed_hash", "display": "name", "note": "null"}, "other.table": {"x": "hash"}}""")!.AsObject();
        var added = await http.PostAsJsonAsync($"api/v1/masking-policies/{policy.Policy.Id}/versions", new MaskPolicyVersionDraft(v2Rules, "hash emails, drop notes"), Json);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var detail = (await http.GetFromJsonAsync<MaskPolicyDetail>($"api/v1/masking-policies/{policy.Policy.Id}", Json))!;
        Assert.Equal([2, 1], detail.Versions.Select(v => v.Version));
        Assert.True(JsonNode.DeepEquals(discovered, detail.Versions[1].Rules));
        Assert.Equal(("hash emails, drop notes", RunsConsole.Operator), (detail.Versions[0].Note, detail.Versions[0].CreatedBy));
        var second = await RunProfileAsync(http, profileId);
        Assert.Equal((RunStatus.Succeeded, detail.Versions[0].Id), (second.Run.Status, second.MaskPolicyVersionId));
        // Only the rules of the run's scope are applied (other.table is in another schema).
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"crm.people":{"email":"keyed_hash","display":"name","note":"null"}}"""), second.Options!.Mask),
            second.Options!.Mask!.ToJsonString());
        Assert.Equal(200L, await CountAsync(data.Target, "crm.people", "note IS NULL AND length(email) = 64"));
        // The first run still names version 1.
        Assert.Equal(policy.Versions[0].Id, (await GetAsync(http, first.Run.Id)).MaskPolicyVersionId);

        // Broken rules are refused with the engine's message naming the column; a duplicate name is a conflict.
        var bad = await http.PostAsJsonAsync($"api/v1/masking-policies/{policy.Policy.Id}/versions",
            new MaskPolicyVersionDraft(JsonNode.Parse("""{"people": {"email": "emial"}}""")!.AsObject()), Json);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid mask rule for column \"public\".\"people\".\"email\": unknown mask strategy \"emial\" (known: email, name, phone, partial, hash, null, random_int, constant, keyed_hash, fake_name, fake_email, date_shift, keep_format, keyed_email)",
            (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        var duplicate = await http.PostAsJsonAsync("api/v1/masking-policies", new MaskPolicyDraft("CRM", null, null, discovered), Json);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(2, (await http.GetFromJsonAsync<MaskPolicyDetail>($"api/v1/masking-policies/{policy.Policy.Id}", Json))!.Versions.Count);

        // The audit trail has the policy's creation and its new version (columns named, never rule parameters), by the Operator.
        await using (var db = await console.Factory.Services.GetRequiredService<IDbContextFactory<PgCloneDbContext>>().CreateDbContextAsync())
        {
            var entries = await db.AuditEntries.Where(e => e.Action.StartsWith("masking-policy.")).OrderBy(e => e.Id)
                .Select(e => new { e.Action, e.Subject, e.Actor, e.Details }).ToListAsync();
            Assert.Equal([("masking-policy.created", "masking policy 'CRM'", RunsConsole.Operator), ("masking-policy.changed", "masking policy 'CRM'", RunsConsole.Operator)],
                entries.Select(e => (e.Action, e.Subject, e.Actor)));
            Assert.Equal(2, JsonDocument.Parse(entries[1].Details).RootElement.GetProperty("version").GetInt32());
            Assert.Equal(["crm.people.email", "crm.people.display", "crm.people.note", "other.table.x"],
                JsonDocument.Parse(entries[1].Details).RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
            // Each run's start names the policy version it applied.
            var started = await db.AuditEntries.Where(e => e.Action == "run.started").OrderBy(e => e.Id).Select(e => e.Details).ToListAsync();
            Assert.Equal([policy.Versions[0].Id, detail.Versions[0].Id],
                started.Select(d => JsonDocument.Parse(d).RootElement.GetProperty("maskPolicyVersion").GetInt64()));
        }
    }

    [Fact]
    public async Task An_auditor_reads_policies_but_cannot_create_or_edit_them_nor_start_a_run()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("maskpol_auditor_console");
        var data = await fx.Servers.CreateDatabasesAsync("maskpol_auditor");
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        await console.AddUserAsync(Auditor, AppRoles.Auditor);
        var (operatorHttp, _) = await LogInAsync(console.Url, RunsConsole.Operator);
        var rules = JsonNode.Parse("""{"people": {"email": "email"}}""")!.AsObject();
        var created = await operatorHttp.PostAsJsonAsync("api/v1/masking-policies", new MaskPolicyDraft("P", null, "privacy team", rules), Json);
        var id = (await created.Content.ReadFromJsonAsync<MaskPolicyDetail>(Json))!.Policy.Id;

        var (http, _) = await LogInAsync(console.Url, Auditor);
        Assert.Equal(["P"], (await http.GetFromJsonAsync<List<MaskPolicySummary>>("api/v1/masking-policies", Json))!.Select(p => p.Name));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/v1/masking-policies/{id}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync("api/v1/masking-policies", new MaskPolicyDraft("Q", null, null, rules), Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync($"api/v1/masking-policies/{id}/versions", new MaskPolicyVersionDraft(rules), Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync("api/v1/runs", new RunRequest("schema", console.SourceId, console.TargetId, "public"), Json)).StatusCode);
        Assert.Single((await http.GetFromJsonAsync<MaskPolicyDetail>($"api/v1/masking-policies/{id}", Json))!.Versions);
        // The pages: the editor redirects an Auditor away; the list shows no edit buttons.
        var editor = await http.GetAsync($"masking/policies/{id}/edit");
        Assert.Equal(HttpStatusCode.Redirect, editor.StatusCode);
        Assert.Contains("AccessDenied", editor.Headers.Location!.ToString());
        var list = await http.GetStringAsync("masking");
        Assert.Contains(">P<", list);
        Assert.DoesNotContain("New policy", list);
        Assert.DoesNotContain("/edit", list);
    }

    [Fact]
    public void A_policy_s_rules_are_narrowed_to_the_run_s_scope()
    {
        var rules = JsonNode.Parse("""{"people": {"email": "email"}, "crm.people": {"phone": "phone"}, "hr.staff": {"salary": {"type": "random_int", "min": 1, "max": 2}}}""")!.AsObject();
        Assert.Equal("""{"email":"email"}""", MaskPolicyScope.ForRun(rules, CloneOperation.Table, "public", "people").ToJsonString());
        // A bare table name means the run's schema, as in the engine's schema-clone mask (what pgclone discover prints).
        Assert.Equal("""{"email":"email","phone":"phone"}""", MaskPolicyScope.ForRun(rules, CloneOperation.Table, "crm", "people").ToJsonString());
        Assert.Equal("""{"email":"email"}""", MaskPolicyScope.ForRun(rules, CloneOperation.Table, "hr", "people").ToJsonString());
        Assert.Equal("{}", MaskPolicyScope.ForRun(rules, CloneOperation.Table, "hr", "payroll").ToJsonString());
        Assert.Equal("""{"people":{"email":"email"},"crm.people":{"phone":"phone"}}""", MaskPolicyScope.ForRun(rules, CloneOperation.Schema, "crm", null).ToJsonString());
        Assert.Equal(rules.ToJsonString(), MaskPolicyScope.ForRun(rules, CloneOperation.Database, null, null).ToJsonString());
        Assert.Equal(3, MaskPolicyScope.Count(rules));
        var error = Assert.Throws<PgCloneException>(() => MaskPolicyScope.Validate(JsonNode.Parse("""{"people": "email"}""")!.AsObject()));
        Assert.StartsWith("invalid mask rule for \"people\": a database clone's mask is keyed by table", error.Message);
    }

    private static async Task<RunDetail> RunProfileAsync(HttpClient http, int profileId)
    {
        var response = await http.PostAsJsonAsync($"api/v1/profiles/{profileId}/run", new { }, Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetInt64();
        return await WaitFinishedAsync(http, id);
    }

    private static Task<long> CountAsync(string cs, string table, string where) =>
        PgServers.ScalarAsync<long>(cs, $"SELECT count(*) FROM {table} WHERE {where}");
}
