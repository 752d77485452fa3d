using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Verification;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using PgClone.Web.Diff;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Diff;

/// <summary>Diff and verify through the API: drift by category, and a run's verification that leaves out exactly the columns its mask rules changed.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class DiffApiTests(PgServersFixture fx)
{
    /// <summary>The console's own databases, and data databases whose source holds the runs test bed's schema and <paramref name="sourceSql"/>.</summary>
    private async Task<(TestDatabases Console, TestDatabases Data)> SeededAsync(string prefix, string sourceSql)
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync(prefix + "_console");
        var data = await fx.Servers.CreateDatabasesAsync(prefix + "_data");
        await SeedSourceAsync(data.Source);
        await PgServers.ExecAsync(data.Source, sourceSql);
        return (consoleDb, data);
    }

    [Fact]
    public async Task Diff_reports_missing_extra_and_changed_tables_and_verify_of_a_masked_run_excludes_its_masked_columns()
    {
        var (consoleDb, data) = await SeededAsync("diff", """
            CREATE SCHEMA "Drift Zone";
            CREATE TABLE "Drift Zone"."Orders" (id int PRIMARY KEY, note text);
            CREATE TABLE "Drift Zone".only_source (id int);
            ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
            """);
        await PgServers.ExecAsync(data.Target, """
            CREATE SCHEMA "Drift Zone";
            CREATE TABLE "Drift Zone"."Orders" (id int PRIMARY KEY, note varchar(20));
            CREATE TABLE "Drift Zone".only_target (id int);
            GRANT SELECT ON "Drift Zone"."Orders" TO PUBLIC;
            """);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);

        var diff = await http.GetFromJsonAsync<JsonElement>($"api/v1/diff?source={console.SourceId}&target={console.TargetId}&schema={Uri.EscapeDataString("Drift Zone")}");
        var tables = diff.GetProperty("tables");
        Assert.Equal((false, "only_source", "only_target"),
            (diff.GetProperty("in_sync").GetBoolean(), tables.GetProperty("only_in_source")[0].GetString(), tables.GetProperty("only_in_target")[0].GetString()));
        var changed = tables.GetProperty("modified")[0];
        Assert.Equal("Orders", changed.GetProperty("name").GetString());
        Assert.Equal(("note", "type", "text", "character varying(20)"), (changed.GetProperty("columns")[0].GetProperty("column").GetString(),
            changed.GetProperty("columns")[0].GetProperty("drift").GetString(), changed.GetProperty("columns")[0].GetProperty("source").GetString(),
            changed.GetProperty("columns")[0].GetProperty("target").GetString()));
        Assert.Equal("table \"Drift Zone\".\"Orders\"", diff.GetProperty("privileges").GetProperty("modified")[0].GetProperty("name").GetString());
        // The source's default privilege not IN SCHEMA is the database's: reported unless databaseWide=false.
        Assert.Equal(["for role postgres on tables"], diff.GetProperty("default_privileges").GetProperty("only_in_source").EnumerateArray().Select(e => e.GetString()));
        var withoutPrivileges = await http.GetFromJsonAsync<JsonElement>($"api/v1/diff?source={console.SourceId}&target={console.TargetId}&schema=Drift%20Zone&privileges=false");
        Assert.Equal((4, true, false), (withoutPrivileges.GetProperty("diff_count").GetInt32(), withoutPrivileges.GetProperty("database_wide").GetBoolean(),
            withoutPrivileges.TryGetProperty("privileges", out _)));
        var schemaOnly = await http.GetFromJsonAsync<JsonElement>($"api/v1/diff?source={console.SourceId}&target={console.TargetId}&schema=Drift%20Zone&privileges=false&databaseWide=false");
        Assert.Equal((3, false, false, 0), (schemaOnly.GetProperty("diff_count").GetInt32(), schemaOnly.GetProperty("database_wide").GetBoolean(),
            schemaOnly.TryGetProperty("publications", out _), schemaOnly.GetProperty("default_privileges").GetProperty("only_in_source").GetArrayLength()));
        var download = await http.GetAsync($"api/v1/diff?source={console.SourceId}&target={console.TargetId}&schema=Drift%20Zone&download=true");
        Assert.Equal("pgclone-diff-Drift Zone.json", download.Content.Headers.ContentDisposition!.FileNameStar ?? download.Content.Headers.ContentDisposition.FileName);
        var missing = await http.GetAsync($"api/v1/diff?source={console.SourceId}&target={console.TargetId}&schema=nowhere");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("source 'source db' (127.0.0.1:" + new Npgsql.NpgsqlConnectionStringBuilder(data.Source).Port + "): schema \"nowhere\": does not exist",
            (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());

        // A masked schema clone: label is hashed in customers and notes; verify of the run leaves exactly those out.
        var mask = JsonNode.Parse("""{"customers": {"label": "hash"}, "Sales Data.notes": {"label": "hash", "tags": "null"}}""")!.AsObject();
        var runId = await StartAsync(http, new RunRequest("schema", console.SourceId, console.TargetId, Schema, Options: new CloneOptions { Mask = mask }));
        Assert.Equal(RunStatus.Succeeded, (await WaitFinishedAsync(http, runId)).Run.Status);

        // A schema run brought none of the database's own objects: its drift leaves them out by default, and is then in sync.
        var scope = await console.Factory.Services.GetRequiredService<DiffService>().RunScopeAsync(runId);
        Assert.Equal((Schema, false), (scope.Schema, scope.DatabaseWide));
        var runDrift = await http.GetFromJsonAsync<JsonElement>($"api/v1/diff?source={console.SourceId}&target={console.TargetId}&schema={Uri.EscapeDataString(Schema)}&databaseWide=false");
        Assert.True(runDrift.GetProperty("in_sync").GetBoolean(), runDrift.ToString());

        var verified = (await http.GetFromJsonAsync<VerifyResult>($"api/v1/verify?run={runId}&mode=checksum", Json))!;
        Assert.True(verified.AllMatch, string.Join("; ", verified.Tables.Select(t => $"{t.Table} {t.Status}")));
        Assert.Equal(
            [("Order Lines", ""), ("customers", "label"), ("notes", "label,tags"), ("payments", "")],
            verified.Tables.Select(t => (t.Table, string.Join(",", t.ExcludedColumns ?? []))).OrderBy(t => t.Table, StringComparer.Ordinal));
        // Without the run's rules, the masked tables differ.
        var plain = (await http.GetFromJsonAsync<VerifyResult>($"api/v1/verify?source={console.SourceId}&target={console.TargetId}&schema={Uri.EscapeDataString(Schema)}&mode=checksum", Json))!;
        Assert.Equal(["customers", "notes"], plain.Tables.Where(t => t.Status == VerifyStatus.Mismatch).Select(t => t.Table).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_runs_verification_and_drift_cover_what_it_cloned_under_the_names_it_gave()
    {
        var (consoleDb, data) = await SeededAsync("scope", """
            CREATE SCHEMA extra;
            CREATE TABLE extra.tickets (id serial PRIMARY KEY, title text);
            INSERT INTO extra.tickets (title) SELECT 'ticket ' || g FROM generate_series(1, 40) g;
            CREATE FUNCTION extra.twice(i int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2 * i';
            """);
        await using var console = await RunsConsole.StartAsync(RunsConsole.Settings(consoleDb.Source), data);
        var (http, _) = await LogInAsync(console.Url, RunsConsole.Operator);
        async Task<long> RunAsync(RunRequest request)
        {
            var id = await StartAsync(http, request);
            var finished = await WaitFinishedAsync(http, id);
            Assert.True(finished.Run.Status == RunStatus.Succeeded, finished.Run.Error);
            return id;
        }
        async Task<List<string>> VerifiedAsync(long run) =>
            [.. (await http.GetFromJsonAsync<VerifyResult>($"api/v1/verify?run={run}&mode=checksum", Json))!.Tables
                .Select(t => $"{t.Schema}.{t.Table} {t.Kind} {t.Status} {t.TargetRows}")];

        // A database run: every schema is verified (before, only "public"); its drift compares the schema asked for.
        var database = await RunAsync(new RunRequest("database", console.SourceId, console.TargetId));
        Assert.Equal([
            "Sales Data.Order Lines Table Match 1200", "Sales Data.customers Table Match 1500", "Sales Data.notes Table Match 800",
            "Sales Data.payments Table Match 1000", "extra.tickets Table Match 40", "extra.tickets_id_seq Sequence Match ",
        ], await VerifiedAsync(database));
        var databaseDrift = await http.GetFromJsonAsync<JsonElement>($"api/v1/diff?run={database}&schema=extra");
        Assert.Equal(("extra", true, true), (databaseDrift.GetProperty("schema").GetString(), databaseDrift.GetProperty("database_wide").GetBoolean(),
            databaseDrift.GetProperty("in_sync").GetBoolean()));
        var noSchema = await http.GetAsync($"api/v1/diff?run={database}");
        Assert.Equal("choose a schema to compare", (await noSchema.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());

        // A table run under a new name: that table and its sequence only, paired with the source's by name and column.
        var table = await RunAsync(new RunRequest("table", console.SourceId, console.TargetId, "extra", "tickets", new CloneOptions { TargetName = "tickets 2" }));
        var tableScope = await console.Factory.Services.GetRequiredService<DiffService>().RunScopeAsync(table);
        Assert.Equal("table \"extra\".\"tickets\" as \"tickets 2\"", tableScope.What);
        Assert.Equal(["extra.tickets Table Match 40", "extra.tickets_id_seq Sequence Match "], await VerifiedAsync(table));
        await PgServers.ExecAsync(data.Target, "DELETE FROM extra.\"tickets 2\" WHERE id = 3");
        Assert.Equal(["extra.tickets Table Mismatch 39", "extra.tickets_id_seq Sequence Match "], await VerifiedAsync(table));

        // A schema run under a new name: its tables on the target are those of the new schema, and its drift is in sync.
        var schema = await RunAsync(new RunRequest("schema", console.SourceId, console.TargetId, Schema, Options: new CloneOptions { TargetName = "Sales Copy" }));
        Assert.Equal(Tables.Keys.Order(StringComparer.Ordinal).Select(t => $"{Schema}.{t} Table Match {Tables[t]}"), await VerifiedAsync(schema));
        var schemaDrift = await http.GetFromJsonAsync<JsonElement>($"api/v1/diff?run={schema}");
        Assert.Equal((Schema, false, true), (schemaDrift.GetProperty("schema").GetString(), schemaDrift.GetProperty("database_wide").GetBoolean(),
            schemaDrift.GetProperty("in_sync").GetBoolean()));
        await PgServers.ExecAsync(data.Target, "DROP TABLE \"Sales Copy\".notes");
        var dropped = await http.GetFromJsonAsync<JsonElement>($"api/v1/diff?run={schema}");
        Assert.Equal(["notes"], dropped.GetProperty("tables").GetProperty("only_in_source").EnumerateArray().Select(e => e.GetString()));

        // A functions run: its drift compares the functions alone (the schema's tables are not its to bring); nothing to verify.
        await PgServers.ExecAsync(data.Target, "DROP SCHEMA extra CASCADE");
        var functions = await RunAsync(new RunRequest("functions", console.SourceId, console.TargetId, "extra"));
        var functionsDrift = await http.GetFromJsonAsync<JsonElement>($"api/v1/diff?run={functions}");
        Assert.Equal((true, false, true), (functionsDrift.GetProperty("in_sync").GetBoolean(), functionsDrift.TryGetProperty("tables", out _),
            functionsDrift.TryGetProperty("functions", out _)));
        await PgServers.ExecAsync(data.Target, "DROP FUNCTION extra.twice(int)");
        var missingFunction = await http.GetFromJsonAsync<JsonElement>($"api/v1/diff?run={functions}");
        Assert.Equal(1, missingFunction.GetProperty("functions").GetProperty("only_in_source").GetArrayLength());
        var unverifiable = await http.GetAsync($"api/v1/verify?run={functions}");
        Assert.Equal(HttpStatusCode.BadRequest, unverifiable.StatusCode);
        Assert.Equal($"run #{functions} is a functions run: it copied no table data to verify",
            (await unverifiable.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }
}
