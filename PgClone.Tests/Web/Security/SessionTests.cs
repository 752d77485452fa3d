using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Tests.Fixtures;
using PgClone.Web.Data;
using PgClone.Web.Users;

namespace PgClone.Tests.Web.Security;

/// <summary>Sessions end everywhere on logout, role change, disabling; cookies, headers, health, the key ring.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SessionTests(PgServersFixture fx)
{
    private const string Admin = "admin@example.com";

    [Fact]
    public async Task A_cookie_captured_before_logout_or_a_role_change_is_rejected_after_it()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_sessions");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        await ConsoleForms.CreateFirstAdminAsync(console.Client(), Admin, ConsoleUsers.Password);

        // Two sessions of the same admin; one logs out, which ends the other as well.
        var kept = await ConsoleUsers.LogInAsync(console, Admin);
        var browser = console.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await ConsoleForms.LogInAsync(browser, Admin, ConsoleUsers.Password)).StatusCode);
        var stolen = ConsoleUsers.WithCookie(console, kept);
        Assert.Equal(HttpStatusCode.OK, (await stolen.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stolen.GetAsync("/connections")).StatusCode);
        var token = ConsoleForms.AntiforgeryToken(await browser.GetStringAsync("/"));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync("/Account/Logout", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stolen.GetAsync("/api/v1/me")).StatusCode);
        var page = await stolen.GetAsync("/connections");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/Account/Login?ReturnUrl=%2Fconnections", page.Headers.Location!.PathAndQuery);

        // A role change ends the user's sessions too; a fresh login carries the new role.
        var op = await ConsoleUsers.AddAsync(console, "op@example.com", AppRoles.Operator);
        var opCookie = ConsoleUsers.WithCookie(console, await ConsoleUsers.LogInAsync(console, "op@example.com"));
        Assert.Equal("{\"name\":\"op@example.com\",\"roles\":[\"Operator\"]}", await opCookie.GetStringAsync("/api/v1/me"));
        await console.Services.GetRequiredService<UserService>().ChangeRoleAsync(op.Id, AppRoles.Auditor);
        Assert.Equal(HttpStatusCode.Unauthorized, (await opCookie.GetAsync("/api/v1/me")).StatusCode);
        var again = ConsoleUsers.WithCookie(console, await ConsoleUsers.LogInAsync(console, "op@example.com"));
        Assert.Equal("{\"name\":\"op@example.com\",\"roles\":[\"Auditor\"]}", await again.GetStringAsync("/api/v1/me"));

        // Disabling: sessions end and the password no longer signs in.
        await console.Services.GetRequiredService<UserService>().SetDisabledAsync(op.Id, true);
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ConsoleForms.LogInAsync(console.Client(), "op@example.com", ConsoleUsers.Password)).StatusCode);
    }

    [Fact]
    public async Task A_password_change_ends_the_other_sessions_and_a_forced_change_comes_first()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_pwchange");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        await ConsoleForms.CreateFirstAdminAsync(console.Client(), Admin, ConsoleUsers.Password);
        var users = console.Services.GetRequiredService<UserService>();
        var created = await users.CreateAsync("new@example.com", AppRoles.Operator, "Initial-password-1");
        Assert.True(created.MustChangePassword);

        // The first sign-in leads to the password page, and every other page leads back there.
        var client = console.Client();
        var login = await ConsoleForms.LogInAsync(client, "new@example.com", "Initial-password-1");
        Assert.Equal("/account/password", login.Headers.Location!.PathAndQuery);
        var other = ConsoleUsers.WithCookie(console, ConsoleUsers.AuthCookie(login));
        Assert.Equal("/account/password", (await client.GetAsync("/connections")).Headers.Location!.OriginalString);

        var change = await ConsoleForms.PostAsync(client, "/account/password", "change-password", new Dictionary<string, string>
        {
            ["Input.Current"] = "Initial-password-1", ["Input.New"] = "Brand-new-password-2", ["Input.Confirm"] = "Brand-new-password-2",
        });
        Assert.Equal("/account?changed=true", change.Headers.Location!.PathAndQuery);
        Assert.False((await users.GetAsync(created.Id)).MustChangePassword);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/connections")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Responses_carry_security_headers_and_the_cookie_is_httponly_lax_and_secure_on_https()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_headers");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        await ConsoleForms.CreateFirstAdminAsync(console.Client(), Admin, ConsoleUsers.Password);

        var https = console.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri("https://localhost") });
        var page = await https.GetAsync("/Account/Login");
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Matches("^default-src 'self'; script-src 'self' 'nonce-[0-9a-f]{32}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
            "font-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'$", csp);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", page.Headers.GetValues("Referrer-Policy").Single());
        // The import map, Blazor's only inline script, carries this response's nonce.
        var nonce = csp.Split("'nonce-")[1].Split('\'')[0];
        Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\">", await page.Content.ReadAsStringAsync());

        var login = await ConsoleForms.LogInAsync(https, Admin, ConsoleUsers.Password);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("PgClone.Auth=", StringComparison.Ordinal));
        Assert.Contains("; secure", cookie);
        Assert.Contains("; samesite=lax", cookie);
        Assert.Contains("; httponly", cookie);
        var plain = await ConsoleForms.LogInAsync(console.Client(), Admin, ConsoleUsers.Password);
        Assert.DoesNotContain("; secure", plain.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("PgClone.Auth=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Health_endpoints_answer_anonymously_and_reveal_nothing_else()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_health");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var client = console.Client();
        foreach (var path in new[] { "/healthz", "/readyz" })
        {
            var response = await client.GetAsync(path);
            Assert.Equal((path, HttpStatusCode.OK), (path, response.StatusCode));
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        }
        // The old endpoint is gone; /api answers anonymous callers with problem+json.
        var old = await client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Equal("application/problem+json", old.Content.Headers.ContentType!.MediaType);

        // A console database with migrations missing is not ready.
        await using (var db = new PgCloneDbContext(new DbContextOptionsBuilder<PgCloneDbContext>().UseNpgsql(dbs.Source).Options))
            await db.Database.ExecuteSqlRawAsync("DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" LIKE '%UsersAndApiTokens'");
        var notReady = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("Unhealthy", await notReady.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Key_ring_keys_are_encrypted_with_the_configured_key_and_unencrypted_keys_are_warned_about()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var dbs = await fx.Servers.CreateDatabasesAsync("console_keyring");
        await using (var console = ConsoleFactory.OnDatabase(dbs.Source, new Dictionary<string, string> { ["PgClone:Security:KeyRingKey"] = key }))
        {
            await ConsoleForms.CreateFirstAdminAsync(console.Client(), Admin, ConsoleUsers.Password);
            var xml = await KeyXmlAsync(dbs.Source);
            Assert.Contains("<pgcloneEncryptedKey keyId=", xml);
            Assert.DoesNotContain("<masterKey", xml);
            await ConsoleUsers.LogInAsync(console, Admin);
        }
        // A restarted console with the same key reads the ring: the login cookie it issues works.
        await using (var console = ConsoleFactory.OnDatabase(dbs.Source, new Dictionary<string, string> { ["PgClone:Security:KeyRingKey"] = key }))
        {
            var cookie = await ConsoleUsers.LogInAsync(console, Admin);
            Assert.Equal(HttpStatusCode.OK, (await ConsoleUsers.WithCookie(console, cookie).GetAsync("/api/v1/me")).StatusCode);
        }

        var plainDbs = await fx.Servers.CreateDatabasesAsync("console_keyring_plain");
        var logs = new LogCapture();
        await using (var console = new ConsoleFactory(new Dictionary<string, string> { ["ConnectionStrings:PgClone"] = plainDbs.Source }) { Logs = logs })
        {
            await ConsoleForms.CreateFirstAdminAsync(console.Client(), Admin, ConsoleUsers.Password);
            Assert.Contains("<masterKey", await KeyXmlAsync(plainDbs.Source));
            Assert.Contains(logs.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains("The Data Protection key ring is stored unencrypted in the PgClone database"));
        }
    }

    private static async Task<string> KeyXmlAsync(string cs)
    {
        await using var db = new PgCloneDbContext(new DbContextOptionsBuilder<PgCloneDbContext>().UseNpgsql(cs).Options);
        return string.Join("\n", await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync());
    }
}
