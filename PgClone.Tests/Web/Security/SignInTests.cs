using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Tests.Fixtures;
using PgClone.Web.Data;
using PgClone.Web.Security;
using PgClone.Web.Users;

namespace PgClone.Tests.Web.Security;

/// <summary>Sign-in hardening: lockout, identical refusals, throttling, no echoed passwords, logged failures.</summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class SignInTests(PgServersFixture fx)
{
    private const string Admin = "admin@example.com";

    [Fact]
    public async Task Repeated_failures_lock_the_account_the_refusal_never_tells_and_an_admin_unlocks()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_lockout");
        var logs = new LogCapture();
        await using var console = new ConsoleFactory(new Dictionary<string, string> { ["ConnectionStrings:PgClone"] = dbs.Source }) { Logs = logs };
        var client = console.Client();
        await ConsoleForms.CreateFirstAdminAsync(client, Admin, ConsoleUsers.Password);
        var op = await ConsoleUsers.AddAsync(console, "op@example.com", AppRoles.Operator);

        // An account that does not exist, and one that does with a wrong password: the same page.
        var unknown = await RefusalAsync(client, "nobody@example.com", "Guess-password-1");
        var wrong = await RefusalAsync(client, "op@example.com", "Guess-password-1");
        Assert.Equal(unknown, wrong);

        // Five wrong passwords (the default) lock it; then even the right password is refused, with the same page.
        for (var i = 2; i <= 5; i++) Assert.Equal(unknown, await RefusalAsync(client, "op@example.com", $"Guess-password-{i}"));
        Assert.Equal(unknown, await RefusalAsync(client, "op@example.com", ConsoleUsers.Password));
        var row = (await console.Services.GetRequiredService<UserService>().ListAsync()).Single(u => u.Email == "op@example.com");
        Assert.NotNull(row.LockedUntil);
        Assert.InRange(row.LockedUntil!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));

        // The log names the account, the address and the reason, and never a password.
        var lines = logs.Lines.ToList();
        Assert.Contains("Warning PgClone.Web.Security.SignInEvents: Sign-in of nobody@example.com from unknown failed: no such account", lines);
        Assert.Equal(4, lines.Count(l => l == "Warning PgClone.Web.Security.SignInEvents: Sign-in of op@example.com from unknown failed: wrong password"));
        Assert.Contains("Warning PgClone.Web.Security.SignInEvents: Account op@example.com is locked out (sign-in from unknown)", lines);
        Assert.Contains("Warning PgClone.Web.Security.SignInEvents: Sign-in of op@example.com from unknown failed: account locked", lines);
        Assert.DoesNotContain(lines, l => l.Contains("Guess-password") || l.Contains(ConsoleUsers.Password));

        // The Admin unlocks; the right password works again.
        await console.Services.GetRequiredService<UserService>().UnlockAsync(op.Id);
        var ok = await ConsoleForms.LogInAsync(console.Client(), "op@example.com", ConsoleUsers.Password);
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Null((await console.Services.GetRequiredService<UserService>().ListAsync()).Single(u => u.Email == "op@example.com").LockedUntil);
    }

    [Fact]
    public async Task A_typed_password_is_never_rendered_back_into_the_login_or_first_run_page()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_echo");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var client = console.Client();

        // First run: a mismatched confirmation and a too-short password both come back as errors, without the values.
        var mismatch = await (await ConsoleForms.CreateFirstAdminAsync(client, Admin, "Typed-secret-111!", confirm: "Typed-secret-222!")).Content.ReadAsStringAsync();
        Assert.Contains("The passwords do not match.", mismatch);
        var shortOne = await (await ConsoleForms.CreateFirstAdminAsync(client, Admin, "Sh0rt-pw!")).Content.ReadAsStringAsync();
        Assert.Contains("Passwords must be at least 12 characters.", shortOne);
        foreach (var page in new[] { mismatch, shortOne })
        {
            Assert.DoesNotContain("Typed-secret", page);
            Assert.DoesNotContain("Sh0rt-pw", page);
            Assert.All(PasswordInputs().Matches(page), m => Assert.DoesNotContain("value=", m.Value));
            Assert.Equal(2, PasswordInputs().Matches(page).Count);
        }

        await ConsoleForms.CreateFirstAdminAsync(client, Admin, ConsoleUsers.Password);
        var failed = await (await ConsoleForms.LogInAsync(client, Admin, "Typed-secret-333!")).Content.ReadAsStringAsync();
        Assert.Contains(ConsoleSignIn.RefusedMessage, WebUtility.HtmlDecode(failed));
        Assert.DoesNotContain("Typed-secret", failed);
        Assert.Equal("<input id=\"password\" type=\"password\" name=\"Input.Password\" class=\"pgclone-input\" autocomplete=\"current-password\">",
            PasswordInputs().Match(failed).Value);
        // The email stays, so the user need not type it again.
        Assert.Contains($"value=\"{Admin}\"", failed);
    }

    [Fact]
    public async Task Sign_in_attempts_from_one_address_are_throttled()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_throttle");
        var logs = new LogCapture();
        await using var console = new ConsoleFactory(new Dictionary<string, string>
        {
            ["ConnectionStrings:PgClone"] = dbs.Source, ["PgClone:Security:SignInAttemptsPerMinute"] = "3",
        }) { Logs = logs };
        var client = console.Client();
        await ConsoleForms.CreateFirstAdminAsync(client, Admin, ConsoleUsers.Password);

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await ConsoleForms.LogInAsync(client, $"user{i}@example.com", "Guess-password-1")).StatusCode);
        // The fourth post in the minute is refused before any password is checked, whichever the account.
        var throttled = await ConsoleForms.LogInAsync(client, Admin, ConsoleUsers.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(SignInThrottle.Message, await throttled.Content.ReadAsStringAsync());
        Assert.Equal("60", throttled.Headers.RetryAfter!.ToString());
        Assert.Contains("Warning PgClone.Web.Security.SignInEvents: Sign-in attempts from unknown throttled", logs.Lines);
        // Reading the page is not limited.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login")).StatusCode);
    }

    /// <summary>The refusal page without its per-request parts (antiforgery token, CSP nonce, encrypted component state), and the email the user typed.</summary>
    private static async Task<string> RefusalAsync(HttpClient client, string email, string password)
    {
        var response = await ConsoleForms.LogInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(ConsoleSignIn.RefusedMessage, WebUtility.HtmlDecode(html));
        Assert.DoesNotContain(password, html);
        return PerRequest().Replace(html.Replace(email, "EMAIL"), "");
    }

    [GeneratedRegex("<input[^>]*type=\"password\"[^>]*>")]
    private static partial Regex PasswordInputs();

    [GeneratedRegex("(name=\"__RequestVerificationToken\" value=\"[^\"]*\"|nonce=\"[^\"]*\"|CfDJ8[A-Za-z0-9_+/=-]+)")]
    private static partial Regex PerRequest();
}
