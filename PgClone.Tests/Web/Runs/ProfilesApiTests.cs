using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PgClone.Core;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Security;
using PgClone.Web.Data;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Runs;

/// <summary>/api/v1/profiles: saved clones created, read, edited, run and deleted; a connection a profile uses is deleted only when asked twice.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ProfilesApiTests(PgServersFixture fx)
{
    [Fact]
    public async Task A_profile_with_a_subset_is_saved_edited_run_to_the_exact_rows_and_deleted_and_guards_its_connections()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("profiles_api_console");
        var data = await fx.Servers.CreateDatabasesAsync("profiles_api");
        await PgServers.ExecAsync(data.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.parents (id int PRIMARY KEY);
            INSERT INTO s.parents SELECT generate_series(1, 100);
            CREATE TABLE s.children (id int PRIMARY KEY, parent_id int REFERENCES s.parents);
            INSERT INTO s.children SELECT g, 1 + g % 100 FROM generate_series(1, 1000) g;
            """);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        await ConsoleUsers.AddAsync(console.Factory, "admin@example.com", AppRoles.Admin, Password);
        await ConsoleUsers.AddAsync(console.Factory, "auditor@example.com", AppRoles.Auditor, Password);
        var (op, _) = await LogInAsync(console.Url, RunsConsole.Operator);
        var (admin, _) = await LogInAsync(console.Url, "admin@example.com");
        var (auditor, _) = await LogInAsync(console.Url, "auditor@example.com");
        var request = new RunRequest("schema", console.SourceId, console.TargetId, "s", Options:
            CloneOptions.Parse("""{"subset": {"root": "s.parents", "where": "id <= 5"}}"""));

        var created = await op.PostAsJsonAsync("api/v1/profiles", new ProfileDraft("five parents", null, request), Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var profile = (await created.Content.ReadFromJsonAsync<ProfileInfo>(Json))!;
        Assert.Equal($"/api/v1/profiles/{profile.Id}", created.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsJsonAsync("api/v1/profiles", new ProfileDraft("x", null, request), Json)).StatusCode);
        var listed = await auditor.GetFromJsonAsync<List<ProfileInfo>>("api/v1/profiles", Json);
        Assert.Equal(["five parents"], listed!.Select(p => p.Name));
        var read = await op.GetFromJsonAsync<ProfileInfo>($"api/v1/profiles/{profile.Id}", Json);
        Assert.Equal(request.Options!.ToJson(), read!.Request.Options!.ToJson());

        var edited = await op.PutAsJsonAsync($"api/v1/profiles/{profile.Id}", new ProfileDraft("five parents, all children", "nightly", request), Json);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(("five parents, all children", "nightly"), ((await edited.Content.ReadFromJsonAsync<ProfileInfo>(Json))!.Name, (await op.GetFromJsonAsync<ProfileInfo>($"api/v1/profiles/{profile.Id}", Json))!.Description));

        var started = await op.PostAsJsonAsync($"api/v1/profiles/{profile.Id}/run", new { }, Json);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var run = await WaitFinishedAsync(op, (await started.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetInt64());
        Assert.Equal((RunStatus.Succeeded, (string?)null), (run.Run.Status, run.Run.Error));
        Assert.Equal(5L, await PgServers.ScalarAsync<long>(data.Target, "SELECT count(*) FROM s.parents"));
        Assert.Equal(await PgServers.ScalarAsync<long>(data.Source, "SELECT count(*) FROM s.children WHERE parent_id <= 5"),
            await PgServers.ScalarAsync<long>(data.Target, "SELECT count(*) FROM s.children"));

        // The profile's connections: deleting one asks first and names the profile.
        var refused = await admin.DeleteAsync($"api/v1/connections/{console.SourceId}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("connection 'source db' is used by clone profile 'five parents, all children': delete with ?force=true to delete it anyway",
            (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"api/v1/profiles/{profile.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.GetAsync($"api/v1/profiles/{profile.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/v1/connections/{console.SourceId}")).StatusCode);
    }
}
