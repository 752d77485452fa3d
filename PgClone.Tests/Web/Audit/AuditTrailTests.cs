using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgClone.Core.Roles;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web.Runs;
using PgClone.Tests.Web.Security;
using PgClone.Web.Audit;
using PgClone.Web.Connections;
using PgClone.Web.Data;
using PgClone.Web.Runs;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Audit;

/// <summary>The audit trail: an entry per security-relevant action, a hash chain that exposes tampering, and a table the database keeps append-only.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AuditTrailTests(PgServersFixture fx)
{
    private const string Admin = "admin@example.com";
    private const string Auditor = "auditor@example.com";

    [Fact]
    public async Task Every_audited_action_leaves_one_entry_with_its_exact_action_subject_and_actor()
    {
        var consoleDb = await fx.Servers.CreateDatabasesAsync("audit_kinds_console");
        var data = await fx.Servers.CreateDatabasesAsync("audit_kinds");
        await SeedSourceAsync(data.Source);
        await SlowTargetAsync(data.Target, 0.0004);
        var role = $"audit_role_{Guid.NewGuid():N}"[..24];
        await PgServers.ExecAsync(data.Source, $"CREATE ROLE {role} LOGIN PASSWORD 'x-secret'");
        var settings = RunsConsole.Settings(consoleDb.Source, maxRuns: 1);
        settings["PgClone:Security:MaxFailedSignIns"] = "2";
        await using var console = await RunsConsole.StartAsync(settings, data);
        await AddUserAsync(console, Admin, AppRoles.Admin);
        var log = console.Factory.Services.GetRequiredService<AuditLog>();

        // Sign-in, its failure and a lockout; the client address is recorded.
        var (admin, _) = await LogInAsync(console.Url, Admin);
        var (op, _) = await LogInAsync(console.Url, RunsConsole.Operator);
        using var anonymous = new HttpClient { BaseAddress = new Uri(console.Url + "/") };
        await ConsoleForms.LogInAsync(anonymous, "nobody@example.com", "wrong");
        await AddUserAsync(console, "victim@example.com", AppRoles.Auditor);
        await ConsoleForms.LogInAsync(anonymous, "victim@example.com", "wrong-1");
        await ConsoleForms.LogInAsync(anonymous, "victim@example.com", "wrong-2");

        // Users (Admin, through the API).
        var created = await (await admin.PostAsJsonAsync("api/v1/users", new { email = "new@example.com", role = AppRoles.Operator, password = "Initial-pass-42!" })).Content.ReadFromJsonAsync<JsonElement>();
        var newId = created.GetProperty("id").GetString();
        await admin.PutAsJsonAsync($"api/v1/users/{newId}/role", new { role = AppRoles.Auditor });
        await admin.PostAsync($"api/v1/users/{newId}/disable", null);
        await admin.PostAsync($"api/v1/users/{newId}/enable", null);
        await admin.PostAsync($"api/v1/users/{newId}/force-password-change", null);
        await admin.PostAsync($"api/v1/users/{newId}/reset-password", null);
        var victim = (await admin.GetFromJsonAsync<JsonElement>("api/v1/users")).EnumerateArray().Single(u => u.GetProperty("email").GetString() == "victim@example.com");
        await admin.PostAsync($"api/v1/users/{victim.GetProperty("id").GetString()}/unlock", null);

        // Tokens (the Operator's own).
        var token = await (await op.PostAsJsonAsync("api/v1/tokens", new { name = "ci", lifetimeDays = 7 })).Content.ReadFromJsonAsync<JsonElement>();
        var tokenId = token.GetProperty("token").GetProperty("id").GetInt32();
        await op.DeleteAsync($"api/v1/tokens/{tokenId}");

        // Connections (Admin): created, changed, granted, deleted — never the password.
        var conn = await (await admin.PostAsJsonAsync("api/v1/connections", RunsConsole.New("audited", data.Target) with { Password = "conn-Secret-99" }, Json)).Content.ReadFromJsonAsync<JsonElement>();
        var connId = conn.GetProperty("id").GetInt32();
        await admin.PutAsJsonAsync($"api/v1/connections/{connId}", RunsConsole.New("audited 2", data.Target) with { Password = "conn-Secret-100" }, Json);
        await admin.PutAsJsonAsync($"api/v1/connections/{connId}/rights", new ConnectionRights([AppRoles.Operator], [], [], []), Json);
        await admin.DeleteAsync($"api/v1/connections/{connId}");

        // Profiles (Operator).
        var request = new RunRequest("table", console.SourceId, console.TargetId, Schema, "payments");
        var profile = await (await op.PostAsJsonAsync("api/v1/profiles", new ProfileDraft("nightly", null, request), Json)).Content.ReadFromJsonAsync<JsonElement>();
        var profileId = profile.GetProperty("id").GetInt32();
        await op.PutAsJsonAsync($"api/v1/profiles/{profileId}", new ProfileDraft("nightly 2", "changed", request), Json);
        await op.DeleteAsync($"api/v1/profiles/{profileId}");

        // Runs: started, cancelled, resumed, finished; a role clone; a summary download.
        var runId = await StartAsync(op, new RunRequest("schema", console.SourceId, console.TargetId, Schema));
        await WaitAsync(op, runId, r => r.Run.Status == RunStatus.Running);
        await op.PostAsync($"api/v1/runs/{runId}/cancel", null);
        await WaitFinishedAsync(op, runId);
        var resumed = await (await op.PostAsync($"api/v1/runs/{runId}/resume", null)).Content.ReadFromJsonAsync<JsonElement>(Json);
        var resumedId = resumed.GetProperty("id").GetInt64();
        Assert.Equal(RunStatus.Succeeded, (await WaitFinishedAsync(op, resumedId)).Run.Status);
        var rolesRun = await StartAsync(op, new RunRequest("roles", console.SourceId, console.TargetId, Roles: new RoleCloneOptions { Roles = [role], NoPasswords = true }));
        Assert.Equal(RunStatus.Succeeded, (await WaitFinishedAsync(op, rolesRun)).Run.Status);
        await op.GetStringAsync($"api/v1/runs/{resumedId}/summary.csv");

        // Audit: export and verify (Admin); then sign out.
        await admin.GetStringAsync("api/v1/audit/export.json?action=run.started");
        await admin.GetStringAsync("api/v1/audit/verify");
        var home = await op.GetStringAsync("");
        await op.PostAsync("Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = ConsoleForms.AntiforgeryToken(home) }));

        var entries = new List<AuditRow>();
        await foreach (var e in log.ReadAllAsync(new AuditFilter())) entries.Add(e);
        void Has(string action, string subject, string actor, string? kind = null)
        {
            var match = entries.Where(e => e.Action == action && e.Subject == subject && e.Actor == actor && (kind is null || e.ActorKind == kind)).ToList();
            Assert.True(match.Count >= 1, $"no entry {action} / {subject} / {actor}; entries of {action}: " +
                string.Join("; ", entries.Where(e => e.Action == action).Select(e => $"{e.Subject} by {e.ActorKind}:{e.Actor}")));
        }
        Has(AuditActions.SignInSucceeded, $"user {Admin}", Admin, "user");
        Has(AuditActions.SignInFailed, "user nobody@example.com", "nobody@example.com", "anonymous");
        Has(AuditActions.SignInFailed, "user victim@example.com", "victim@example.com", "anonymous");
        Has(AuditActions.SignInLockedOut, "user victim@example.com", "victim@example.com", "anonymous");
        Has(AuditActions.UserCreated, "user new@example.com", Admin, "user");
        Has(AuditActions.UserRoleChanged, "user new@example.com", Admin);
        Has(AuditActions.UserDisabled, "user new@example.com", Admin);
        Has(AuditActions.UserEnabled, "user new@example.com", Admin);
        Has(AuditActions.UserMustChangePassword, "user new@example.com", Admin);
        Has(AuditActions.UserPasswordReset, "user new@example.com", Admin);
        Has(AuditActions.UserUnlocked, "user victim@example.com", Admin);
        Has(AuditActions.TokenCreated, $"token #{tokenId} 'ci'", RunsConsole.Operator);
        Has(AuditActions.TokenRevoked, $"token #{tokenId} 'ci'", RunsConsole.Operator);
        Has(AuditActions.ConnectionCreated, "connection 'audited'", Admin);
        Has(AuditActions.ConnectionChanged, "connection 'audited 2'", Admin);
        Has(AuditActions.ConnectionGranted, "connection 'audited 2'", Admin);
        Has(AuditActions.ConnectionDeleted, "connection 'audited 2'", Admin);
        Has(AuditActions.ProfileCreated, "profile 'nightly'", RunsConsole.Operator);
        Has(AuditActions.ProfileChanged, "profile 'nightly 2'", RunsConsole.Operator);
        Has(AuditActions.ProfileDeleted, "profile 'nightly 2'", RunsConsole.Operator);
        Has(AuditActions.RunStarted, $"run #{runId}", RunsConsole.Operator, "user");
        Has(AuditActions.RunCancelled, $"run #{runId}", RunsConsole.Operator);
        Has(AuditActions.RunFinished, $"run #{runId}", RunsConsole.Operator);
        Has(AuditActions.RunResumed, $"run #{resumedId}", RunsConsole.Operator);
        Has(AuditActions.RunFinished, $"run #{resumedId}", RunsConsole.Operator);
        Has(AuditActions.RunStarted, $"run #{rolesRun}", RunsConsole.Operator);
        Has(AuditActions.RolesCloned, $"run #{rolesRun}", RunsConsole.Operator);
        Has(AuditActions.RunSummaryExported, $"run #{resumedId}", RunsConsole.Operator);
        Has(AuditActions.AuditVerified, "audit chain", Admin);
        Has(AuditActions.SignedOut, $"user {RunsConsole.Operator}", RunsConsole.Operator);
        Assert.Single(entries, e => e.Action == AuditActions.AuditExported && e.Subject.StartsWith("audit export pgclone-audit-", StringComparison.Ordinal) && e.Actor == Admin);

        // Who, from where: the client's address; the run's route and operation; no secret anywhere.
        var signIn = entries.First(e => e.Action == AuditActions.SignInSucceeded && e.Actor == Admin);
        Assert.Equal("127.0.0.1", signIn.Address);
        var started = JsonDocument.Parse(entries.Single(e => e.Action == AuditActions.RunStarted && e.Subject == $"run #{runId}").Details).RootElement;
        Assert.Equal(("schema", "source db", "target db", Schema), (started.GetProperty("operation").GetString(),
            started.GetProperty("source").GetProperty("name").GetString(), started.GetProperty("target").GetProperty("name").GetString(), started.GetProperty("schema").GetString()));
        var changed = JsonDocument.Parse(entries.Single(e => e.Action == AuditActions.ConnectionChanged).Details).RootElement;
        Assert.Equal(["Name", "Password"], changed.GetProperty("changed").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(entries, e => e.Details.Contains("conn-Secret") || e.Details.Contains("x-secret") || e.Details.Contains("Initial-pass"));
        Assert.Contains(role, JsonDocument.Parse(entries.Single(e => e.Action == AuditActions.RolesCloned).Details).RootElement.GetProperty("created").EnumerateArray().Select(x => x.GetString()));

        var chain = await log.VerifyAsync();
        Assert.Equal((true, (long)entries.Count), (chain.Intact, chain.Entries));
    }

    [Fact]
    public async Task The_chain_check_reports_a_row_changed_and_a_row_deleted_directly_in_the_database()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("audit_chain");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var log = console.Services.GetRequiredService<AuditLog>();
        var actor = new AuditActor("user", "ann@example.com", "10.0.0.7");
        for (var i = 1; i <= 6; i++)
            await log.RecordAsync(AuditActions.ConnectionCreated, $"connection 'c{i}'", new { i, name = $"c{i}" }, i, actor);
        var ids = (await PgServers.RowsAsync(dbs.Source, "SELECT \"Id\" FROM audit_entries ORDER BY \"Id\"")).Select(r => (long)r[0]!).ToList();
        var intact = await log.VerifyAsync();
        Assert.Equal((true, 6L, (long?)null), Status(intact));
        var lastHash = Convert.ToHexStringLower((byte[])(await PgServers.RowsAsync(dbs.Source, $"SELECT \"Hash\" FROM audit_entries WHERE \"Id\" = {ids[5]}"))[0][0]!);
        Assert.Equal($"{ids[5]}:{lastHash}", intact.Head);

        // Deleting the newest entries leaves an intact chain: only the head recorded before shows they are gone.
        await TamperAsync(dbs.Source, $"DELETE FROM audit_entries WHERE \"Id\" = {ids[5]}");
        Assert.Equal((true, 5L, (long?)null), Status(await log.VerifyAsync()));
        var cut = await log.VerifyAsync(ChainAnchor.Parse(intact.Head));
        Assert.Equal((false, 5L, (long?)ids[5], (ChainBreak?)ChainBreak.Missing), (cut.Intact, cut.Entries, cut.BrokenAtId, cut.Reason));
        Assert.Equal($"entry #{ids[5]}, recorded as the chain's head, is gone: the entries after #{ids[4]} were deleted", cut.Message);
        var earlier = await log.VerifyAsync(new ChainAnchor(ids[4], (await log.VerifyAsync()).HeadHash!));
        Assert.Equal($"the chain of 5 entries is intact and holds entry #{ids[4]} as recorded", earlier.Message);
        var rewritten = await log.VerifyAsync(new ChainAnchor(ids[3], lastHash));
        Assert.Equal((false, 3L, (long?)ids[3], (ChainBreak?)ChainBreak.Changed), (rewritten.Intact, rewritten.Entries, rewritten.BrokenAtId, rewritten.Reason));
        Assert.Equal($"entry #{ids[3]} no longer has the hash recorded for it: the chain was rewritten from there on", rewritten.Message);
        await log.RecordAsync(AuditActions.ConnectionCreated, "connection 'c6'", new { i = 6, name = "c6" }, 6, actor);
        ids[5] = (long)(await PgServers.RowsAsync(dbs.Source, "SELECT max(\"Id\") FROM audit_entries"))[0][0]!;

        // The superuser bypasses the append-only trigger (replica mode) to tamper, as an attacker with that power would.
        await TamperAsync(dbs.Source, $"UPDATE audit_entries SET \"Subject\" = 'connection ''innocent''' WHERE \"Id\" = {ids[2]}");
        var changed = await log.VerifyAsync();
        Assert.Equal((false, 2L, (long?)ids[2], (ChainBreak?)ChainBreak.Changed), (changed.Intact, changed.Entries, changed.BrokenAtId, changed.Reason));
        Assert.Equal($"entry #{ids[2]} was changed: its content no longer matches its hash", changed.Message);

        // Details are part of the hash too.
        await TamperAsync(dbs.Source, $"UPDATE audit_entries SET \"Subject\" = 'connection ''c3''' WHERE \"Id\" = {ids[2]}");
        Assert.True((await log.VerifyAsync()).Intact);
        await TamperAsync(dbs.Source, $"UPDATE audit_entries SET \"Details\" = '{{\"i\":4,\"name\":\"other\"}}' WHERE \"Id\" = {ids[3]}");
        Assert.Equal((false, 3L, (long?)ids[3]), Status(await log.VerifyAsync()));
        await TamperAsync(dbs.Source, $"UPDATE audit_entries SET \"Details\" = '{{\"i\":4,\"name\":\"c4\"}}' WHERE \"Id\" = {ids[3]}");

        await TamperAsync(dbs.Source, $"DELETE FROM audit_entries WHERE \"Id\" = {ids[4]}");
        var missing = await log.VerifyAsync();
        Assert.Equal((false, 4L, (long?)ids[5], (ChainBreak?)ChainBreak.Missing), (missing.Intact, missing.Entries, missing.BrokenAtId, missing.Reason));
        Assert.Equal($"the entry before #{ids[5]} is missing (deleted or rewritten): #{ids[5]} does not link to #{ids[3]}", missing.Message);

        // The first entry deleted: the chain no longer starts at the genesis hash.
        await TamperAsync(dbs.Source, $"DELETE FROM audit_entries WHERE \"Id\" = {ids[0]}");
        var head = await log.VerifyAsync();
        Assert.Equal((false, 0L, (long?)ids[1], (ChainBreak?)ChainBreak.Missing), (head.Intact, head.Entries, head.BrokenAtId, head.Reason));
    }

    [Fact]
    public async Task The_consoles_own_role_gets_an_error_on_update_delete_and_truncate_of_audit_rows()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("audit_append_only");
        var owner = $"console_{Guid.NewGuid():N}"[..20];
        await PgServers.ExecAsync(dbs.Source, $"CREATE ROLE {owner} LOGIN PASSWORD 'console-pw'; ALTER DATABASE \"{dbs.Name}\" OWNER TO {owner}; ALTER SCHEMA public OWNER TO {owner};");
        var consoleCs = new NpgsqlConnectionStringBuilder(dbs.Source) { Username = owner, Password = "console-pw" }.ConnectionString;
        await using var console = ConsoleFactory.OnDatabase(consoleCs);
        // Starts the host (migrations run as the console's role, which owns the table); the first Admin is audited.
        await ConsoleForms.CreateFirstAdminAsync(console.Client(), Admin, Password);
        var log = console.Services.GetRequiredService<AuditLog>();
        var first = Assert.Single((await log.ListAsync(new AuditFilter(), 0, 10)).Items);
        Assert.Equal((AuditActions.UserCreated, $"user {Admin}", "anonymous", Admin, """{"role":"Admin","firstRun":true}"""),
            (first.Action, first.Subject, first.ActorKind, first.Actor, first.Details));
        await log.RecordAsync(AuditActions.SignInSucceeded, "user ann@example.com", actor: new AuditActor("user", "ann@example.com", null));
        Assert.Equal(owner, await PgServers.ScalarAsync<string>(dbs.Source, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'audit_entries'"));

        foreach (var (sql, op) in new[]
                 {
                     ("UPDATE audit_entries SET \"Actor\" = 'someone else'", "UPDATE"),
                     ("DELETE FROM audit_entries", "DELETE"),
                     ("TRUNCATE audit_entries", "TRUNCATE"),
                 })
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => PgServers.ExecAsync(consoleCs, sql));
            Assert.Equal(($"audit entries are append-only: {op} is not allowed on audit_entries", "42501"), (e.MessageText, e.SqlState));
        }
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(consoleCs, "SELECT count(*) FROM audit_entries WHERE \"Actor\" = 'ann@example.com'"));
        Assert.True((await log.VerifyAsync()).Intact);
    }

    [Fact]
    public async Task Concurrent_appends_from_two_console_instances_form_one_unbroken_chain()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("audit_concurrent");
        await using var first = ConsoleFactory.OnDatabase(dbs.Source);
        var a = first.Services.GetRequiredService<AuditLog>();
        await using var second = ConsoleFactory.OnDatabase(dbs.Source);
        var b = second.Services.GetRequiredService<AuditLog>();
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
                await (w % 2 == 0 ? a : b).RecordAsync(AuditActions.RunStarted, $"run #{w * 100 + i}", actor: AuditActor.Console);
        }));
        await Task.WhenAll(writers);
        var status = await a.VerifyAsync();
        Assert.Equal((true, 120L), (status.Intact, status.Entries));
    }

    [Fact]
    public async Task Only_Auditors_and_Admins_read_the_audit_trail_an_Operator_gets_403_and_the_access_denied_page()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("audit_roles");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var url = console.StartKestrel();
        await AddUserAsync(console, Auditor, AppRoles.Auditor);
        await AddUserAsync(console, RunsConsole.Operator, AppRoles.Operator);
        var (auditor, _) = await LogInAsync(url, Auditor);
        var (op, _) = await LogInAsync(url, RunsConsole.Operator);

        Assert.Equal(HttpStatusCode.Forbidden, (await op.GetAsync("api/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.GetAsync("api/v1/audit/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.GetAsync("api/v1/audit/export.csv")).StatusCode);
        var page = await op.GetAsync("audit");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", page.Headers.Location!.PathAndQuery);

        var list = await auditor.GetFromJsonAsync<AuditPage>($"api/v1/audit?user={Uri.EscapeDataString(Auditor)}&action=sign-in.succeeded", Json);
        Assert.Equal([(AuditActions.SignInSucceeded, $"user {Auditor}")], list!.Items.Select(e => (e.Action, e.Subject)));
        Assert.Equal(1, list.Total);
        var csv = await auditor.GetStringAsync("api/v1/audit/export.csv?action=sign-in.succeeded");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(AuditExport.CsvHeader, lines[0]);
        Assert.Equal(3, lines.Length);
        var verify = await auditor.GetFromJsonAsync<ChainStatus>("api/v1/audit/verify", Json);
        Assert.True(verify!.Intact);
        var anchored = await auditor.GetFromJsonAsync<ChainStatus>($"api/v1/audit/verify?anchor={Uri.EscapeDataString(verify.Head!)}", Json);
        Assert.Equal((true, $"the chain of {anchored!.Entries} entries is intact and holds entry #{verify.HeadId} as recorded"), (anchored.Intact, anchored.Message));
        var bad = await auditor.GetAsync("api/v1/audit/verify?anchor=12:abc");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("anchor must be a head as a check reports it, \"id:hash\" with a 64-digit hex hash; got \"12:abc\"",
            JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("audit")).StatusCode);
    }

    private static (bool, long, long?) Status(ChainStatus s) => (s.Intact, s.Entries, s.BrokenAtId);

    private static Task TamperAsync(string superuser, string sql) =>
        PgServers.ExecAsync(superuser, $"SET session_replication_role = replica; {sql}; RESET session_replication_role;");

    private static Task AddUserAsync(RunsConsole console, string email, string role) => AddUserAsync(console.Factory, email, role);

    private static Task AddUserAsync(ConsoleFactory console, string email, string role) => ConsoleUsers.AddAsync(console, email, role, Password);
}
