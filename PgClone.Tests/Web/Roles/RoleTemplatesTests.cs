using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Roles;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Roles;

/// <summary>Role-clone templates through /api/v1/role-templates: saved, checked, and run as a "roles" run with its result on the run.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class RoleTemplatesTests(PgServersFixture fx)
{
    [Fact]
    public async Task A_template_runs_through_the_runs_path_and_the_run_lists_the_roles_it_created_and_updated()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("roletpl_console");
        var data = await fx.Servers.CreateDatabasesAsync("roletpl");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string reader = $"Tpl Reader {suffix}", writer = $"tpl_writer_{suffix}", other = $"tpl_other_{suffix}";
        await PgServers.ExecAsync(data.Source, $"""
            CREATE ROLE "{reader}" LOGIN PASSWORD 'reader-pw' CONNECTION LIMIT 7;
            CREATE ROLE {writer} NOLOGIN;
            CREATE ROLE {other} NOLOGIN;
            GRANT {writer} TO "{reader}";
            """);
        await PgServers.ExecAsync(data.Target, $"CREATE ROLE {writer} NOLOGIN CONNECTION LIMIT 1");
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);

        var draft = new RoleTemplateDraft("app roles", "reader and writer", [reader, writer, " "], null, NoPasswords: true, console.SourceId, console.TargetId);
        var created = await http.PostAsJsonAsync("api/v1/role-templates", draft, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var template = (await created.Content.ReadFromJsonAsync<RoleTemplateInfo>(Json))!;
        Assert.Equal([reader, writer], template.Roles);
        Assert.True(template.NoPasswords);
        var duplicate = await http.PostAsJsonAsync("api/v1/role-templates", draft, Json);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("role template 'app roles' already exists", (await duplicate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        // The target may be used only on the target side: a template the other way round is refused by name.
        var reversed = await http.PostAsJsonAsync("api/v1/role-templates", draft with { Name = "reversed", SourceConnectionId = console.TargetId, TargetConnectionId = console.SourceId }, Json);
        Assert.Equal(HttpStatusCode.Forbidden, reversed.StatusCode);
        Assert.Equal($"{RunsConsole.Operator} may not use connection 'target db' as a source: ask an Admin to grant it",
            (await reversed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());

        var started = await http.PostAsync($"api/v1/role-templates/{template.Id}/run", null);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetInt64();
        var run = await WaitFinishedAsync(http, runId);

        Assert.Equal((RunStatus.Succeeded, "roles", RunsConsole.Operator), (run.Run.Status, run.Run.Operation, run.Run.StartedBy));
        Assert.Equal([reader, writer], run.Roles!.Roles!);
        Assert.Equal("1 roles created, 1 updated, 1 grants applied", run.Notes[0]);
        Assert.Contains($"created: role {reader}", run.Notes);
        Assert.Contains($"updated: role {writer}", run.Notes);
        // On the target: the reader with its attributes and membership but no password; the writer updated; the other not copied.
        var rows = await PgServers.RowsAsync(data.Target, $"""
            SELECT r.rolname::text, r.rolconnlimit, r.rolcanlogin, a.rolpassword IS NULL,
                   (SELECT string_agg(g.rolname, ',') FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid)
            FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid WHERE r.rolname IN ('{reader}', '{writer}', '{other}') ORDER BY 1
            """);
        Assert.Equal(new[] { new object?[] { reader, 7, true, true, writer }, new object?[] { writer, -1, false, true, null } }, rows.ToArray());

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/v1/role-templates/{template.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync($"api/v1/role-templates/{template.Id}/run", null)).StatusCode);
    }
}
