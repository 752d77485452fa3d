using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgClone.Tests.Fixtures;
using PgClone.Web.Connections;
using PgClone.Web.Data;

namespace PgClone.Tests.Web.Connections;

/// <summary>
/// /api/v1/connections as Admin, Operator and Auditor; secrets (the stored password appears in no response, page,
/// log line, or database column as plain text) and hostile names shown as text.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConnectionsApiTests(PgServersFixture fx)
{
    private const string AdminEmail = "api.admin@example.com";
    private const string AdminPassword = "Ap1-admin-secret!";

    [Fact]
    public async Task Crud_test_browse_and_rights_over_the_api_never_return_the_password()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_api");
        await PgServers.ExecAsync(dbs.Target, "CREATE SCHEMA sales; CREATE TABLE sales.orders (id int); INSERT INTO sales.orders SELECT generate_series(1, 250); ANALYZE sales.orders;");
        var logs = new LogSink();
        await using var root = ConsoleFactory.OnDatabase(dbs.Source);
        await using var console = root.WithWebHostBuilder(b => b.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(logs)));
        var target = new NpgsqlConnectionStringBuilder(dbs.Target);
        var secret = target.Password!;
        var admin = await AdminClientAsync(console);
        var bodies = new List<string>();
        async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
        {
            var text = await response.Content.ReadAsStringAsync();
            bodies.Add(text);
            Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }

        var created = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/connections", new
        {
            name = "warehouse", host = target.Host, port = target.Port, database = target.Database, username = target.Username,
            password = secret, sslMode = "Disable", environment = "Staging", notes = "nightly",
        }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal(("warehouse", "Staging", "Disable", true, false), (created.GetProperty("name").GetString(), created.GetProperty("environment").GetString(),
            created.GetProperty("sslMode").GetString(), created.GetProperty("hasPassword").GetBoolean(), created.TryGetProperty("password", out _)));

        var updated = await JsonAsync(await admin.PutAsJsonAsync($"/api/v1/connections/{id}", new
        {
            name = "warehouse", host = target.Host, port = target.Port, database = target.Database, username = target.Username, sslMode = "Disable", environment = "Production",
        }), HttpStatusCode.OK);
        Assert.Equal(("Production", true), (updated.GetProperty("environment").GetString(), updated.GetProperty("hasPassword").GetBoolean()));

        var test = await JsonAsync(await admin.PostAsync($"/api/v1/connections/{id}/test", null), HttpStatusCode.OK);
        Assert.True(test.GetProperty("ok").GetBoolean(), test.ToString()); // the kept password still works
        Assert.True(test.GetProperty("isSuperuser").GetBoolean());

        var schemas = await JsonAsync(await admin.GetAsync($"/api/v1/connections/{id}/schemas"), HttpStatusCode.OK);
        Assert.Equal(["public", "sales"], schemas.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(1, schemas[1].GetProperty("tables").GetInt32());
        var tables = await JsonAsync(await admin.GetAsync($"/api/v1/connections/{id}/schemas/sales/tables"), HttpStatusCode.OK);
        Assert.Equal(("orders", 250L), (tables[0].GetProperty("name").GetString(), tables[0].GetProperty("rowEstimate").GetInt64()));

        // Errors are problem+json with the reason as the title.
        var duplicate = await admin.PostAsJsonAsync("/api/v1/connections", new { name = "warehouse", host = "h", port = 5432, database = "d", username = "u" });
        Assert.Equal("application/problem+json", duplicate.Content.Headers.ContentType!.MediaType);
        Assert.Equal("connection 'warehouse' already exists", (await JsonAsync(duplicate, HttpStatusCode.BadRequest)).GetProperty("title").GetString());
        Assert.Equal("connection #424242 does not exist", (await JsonAsync(await admin.GetAsync("/api/v1/connections/424242"), HttpStatusCode.NotFound)).GetProperty("title").GetString());
        Assert.Equal("connection #424242 does not exist", (await JsonAsync(await admin.PostAsync("/api/v1/connections/424242/test", null), HttpStatusCode.NotFound)).GetProperty("title").GetString());

        // A second connection with a wrong password fails its test with one line.
        var wrong = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/connections", new
        {
            name = "wrong", host = target.Host, port = target.Port, database = target.Database, username = target.Username, password = "Not-it-123", sslMode = "Disable",
        }), HttpStatusCode.Created);
        var failed = await JsonAsync(await admin.PostAsync($"/api/v1/connections/{wrong.GetProperty("id").GetInt32()}/test", null), HttpStatusCode.OK);
        Assert.Equal($"connection 'wrong' (127.0.0.1:{target.Port}): wrong password for user 'postgres'", failed.GetProperty("error").GetString());

        // Rights: the Operator sees and tests only what is granted; the Auditor sees all and tests nothing; neither manages.
        var op = await ConsoleUsers.AddAsync(console, "op@example.com", AppRoles.Operator);
        await ConsoleUsers.AddAsync(console, "aud@example.com", AppRoles.Auditor);
        var rights = await JsonAsync(await admin.PutAsJsonAsync($"/api/v1/connections/{id}/rights",
            new ConnectionRights([], ["op@example.com"], [], [])), HttpStatusCode.OK);
        Assert.Equal(["op@example.com"], rights.GetProperty("sourceUsers").EnumerateArray().Select(u => u.GetString()));
        var operatorClient = await LoggedInAsync(console, "op@example.com", ConsoleUsers.Password);
        var auditorClient = await LoggedInAsync(console, "aud@example.com", ConsoleUsers.Password);
        Assert.Equal(["warehouse"], (await JsonAsync(await operatorClient.GetAsync("/api/v1/connections"), HttpStatusCode.OK)).EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.True((await JsonAsync(await operatorClient.PostAsync($"/api/v1/connections/{id}/test", null), HttpStatusCode.OK)).GetProperty("ok").GetBoolean());
        var wrongId = wrong.GetProperty("id").GetInt32();
        await JsonAsync(await operatorClient.GetAsync($"/api/v1/connections/{wrongId}"), HttpStatusCode.NotFound);
        Assert.Equal("op@example.com may not use connection 'wrong': ask an Admin to grant it",
            (await JsonAsync(await operatorClient.PostAsync($"/api/v1/connections/{wrongId}/test", null), HttpStatusCode.Forbidden)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.DeleteAsync($"/api/v1/connections/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync("/api/v1/connections", new { name = "x" })).StatusCode);
        Assert.Equal(["warehouse", "wrong"], (await JsonAsync(await auditorClient.GetAsync("/api/v1/connections"), HttpStatusCode.OK)).EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        await JsonAsync(await auditorClient.GetAsync($"/api/v1/connections/{id}/schemas"), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditorClient.GetAsync($"/api/v1/connections/{id}/rights")).StatusCode);

        // The pages: the list and the edit dialog's data never carry the password.
        bodies.Add(await admin.GetStringAsync("/connections"));
        bodies.Add(await operatorClient.GetStringAsync("/connections"));
        bodies.Add(await admin.GetStringAsync($"/connections/{id}/browse"));

        await JsonAsync(await admin.DeleteAsync($"/api/v1/connections/{wrongId}"), HttpStatusCode.NoContent);
        await JsonAsync(await admin.DeleteAsync($"/api/v1/connections/{wrongId}"), HttpStatusCode.NotFound);

        foreach (var body in bodies) Assert.DoesNotContain(secret, body);
        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(secret, StringComparison.Ordinal) || l.Contains("Not-it-123", StringComparison.Ordinal));
        var stored = await PgServers.RowsAsync(dbs.Source, "SELECT \"PasswordEncrypted\" FROM connections");
        Assert.All(stored, r => Assert.DoesNotContain(secret, (string)r[0]!));
        Assert.All(stored, r => Assert.StartsWith("CfDJ8", (string)r[0]!));
    }

    [Fact]
    public async Task Names_and_notes_with_markup_are_shown_as_text()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_xss");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var admin = await AdminClientAsync(console);
        var response = await admin.PostAsJsonAsync("/api/v1/connections", new
        {
            name = "<script>alert('name')</script>", host = "db.example", port = 5432, database = "d", username = "u",
            notes = "<img src=x onerror=alert('notes')>",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var html = await admin.GetStringAsync("/connections");
        Assert.Contains("&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;", html);
        Assert.Contains("&lt;img src=x onerror=alert(&#x27;notes&#x27;)&gt;", html);
        Assert.DoesNotContain("<script>alert(", html);
        Assert.DoesNotContain("<img src=x", html);
    }

    private static HttpClient Client(WebApplicationFactory<Program> console) =>
        console.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<HttpClient> AdminClientAsync(WebApplicationFactory<Program> console)
    {
        var client = Client(console);
        await ConsoleForms.CreateFirstAdminAsync(client, AdminEmail, AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, (await ConsoleForms.LogInAsync(client, AdminEmail, AdminPassword)).StatusCode);
        return client;
    }

    private static async Task<HttpClient> LoggedInAsync(WebApplicationFactory<Program> console, string email, string password)
    {
        var client = Client(console);
        Assert.Equal(HttpStatusCode.Redirect, (await ConsoleForms.LogInAsync(client, email, password)).StatusCode);
        return client;
    }

    /// <summary>Every log line the console writes, formatted with its exception, for secret checks.</summary>
    private sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(LogSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
