using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PgClone.Tests.Fixtures;
using PgClone.Tests.Web;
using PgClone.Web.Data;

namespace PgClone.Tests.E2E;

/// <summary>
/// Users and tokens in Chromium: the first admin creates a user of each role on the Users page; each signs in,
/// must change the initial password, and sees what the role allows; a token made in My account calls the API
/// until revoked. Every page is checked for console errors, which include Content-Security-Policy violations.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SecurityBrowserTests(PgServersFixture fx)
{
    private const string Admin = "first.admin@example.com";
    private const string Password = "Br0wser-secret!";
    private const string Initial = "Initial-passw0rd!";

    [Fact]
    public async Task Admin_creates_users_of_each_role_who_sign_in_and_use_personal_tokens()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_e2e_users");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var baseUrl = console.StartKestrel();

        await using var lease = await Chromium.LeaseAsync();
        var browser = lease.Browser;
        var errors = new List<string>();

        // First run, then the Users page: one user per role.
        var admin = await NewPageAsync(browser, errors);
        await Chromium.CreateFirstAdminAsync(admin, baseUrl, Admin, Password);
        await LogInAsync(admin, Admin, Password);
        await admin.WaitForURLAsync(baseUrl + "/");
        await admin.GotoAsync(baseUrl + "/admin/users");
        foreach (var role in new[] { AppRoles.Operator, AppRoles.Auditor, AppRoles.Admin })
        {
            var email = Email(role);
            await WaitForCircuitAsync(admin);
            await Field(admin, "new-user-email").FillAsync(email);
            await Field(admin, "new-user-password").FillAsync(Initial);
            await admin.Locator("#new-user-role").Locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' mud-select ')][1]").ClickAsync();
            await admin.Locator(".mud-popover-open").GetByText(role, new() { Exact = true }).ClickAsync();
            // The list closes when the circuit has taken the choice: creating before that (a loaded machine) used the previous role.
            await Assertions.Expect(admin.Locator(".mud-popover-open")).ToHaveCountAsync(0);
            await admin.ClickAsync("#create-user");
            var row = admin.Locator("#users tbody tr.mud-table-row", new() { HasText = email });
            await Assertions.Expect(row).ToContainTextAsync("must change password");
        }
        await Assertions.Expect(admin.Locator("#users tbody tr.mud-table-row")).ToHaveCountAsync(4);

        // Each signs in, is sent to change the initial password first, and then sees what the role allows.
        foreach (var role in new[] { AppRoles.Operator, AppRoles.Auditor, AppRoles.Admin })
        {
            var page = await NewPageAsync(browser, errors);
            await page.GotoAsync(baseUrl + "/Account/Login");
            await LogInAsync(page, Email(role), Initial);
            await page.WaitForURLAsync(baseUrl + "/account/password");
            await page.GotoAsync(baseUrl + "/connections");
            await page.WaitForURLAsync(baseUrl + "/account/password");
            await page.FillAsync("#current", Initial);
            await page.FillAsync("#new-password", Password);
            await page.FillAsync("#confirm", Password);
            await page.ClickAsync("#change-password-submit");
            await page.WaitForURLAsync(baseUrl + "/account?changed=true");
            await Assertions.Expect(page.Locator("#my-role")).ToHaveTextAsync(role);
            var nav = page.Locator("nav[aria-label='Main navigation'], .mud-navmenu").First;
            await Assertions.Expect(nav).ToContainTextAsync("Dashboard");
            if (role == AppRoles.Admin) await Assertions.Expect(nav).ToContainTextAsync("Users");
            else await Assertions.Expect(nav).Not.ToContainTextAsync("Users");
            if (role == AppRoles.Operator) await Assertions.Expect(nav).Not.ToContainTextAsync("Audit");
            if (role != AppRoles.Admin)
            {
                await page.GotoAsync(baseUrl + "/admin/users");
                await page.WaitForURLAsync(new Regex("/Account/AccessDenied"));
            }
            await page.CloseAsync();
        }

        // The Operator's personal token: made in My account, shown once, works on the API until revoked.
        var op = await NewPageAsync(browser, errors);
        await op.GotoAsync(baseUrl + "/Account/Login");
        await LogInAsync(op, Email(AppRoles.Operator), Password);
        await op.WaitForURLAsync(baseUrl + "/");
        await op.GotoAsync(baseUrl + "/account");
        await WaitForCircuitAsync(op);
        await Field(op, "token-name").FillAsync("ci pipeline");
        await op.ClickAsync("#create-token");
        var secret = (await op.Locator("#new-token-secret").InnerTextAsync()).Trim();
        Assert.Matches("^pgc_[A-Za-z0-9_-]{43}$", secret);
        await Assertions.Expect(op.Locator("#tokens tbody tr.mud-table-row")).ToContainTextAsync("ci pipeline");

        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal("{\"name\":\"operator.user@example.com\",\"roles\":[\"Operator\"]}", await http.GetStringAsync("/api/v1/me"));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/v1/users")).StatusCode);
        // The Operator has been granted no connection, so the token sees none.
        Assert.Equal("[]", await http.GetStringAsync("/api/v1/connections"));

        await op.ClickAsync(".revoke-token");
        // Revoking cannot be undone: the console asks first.
        await Assertions.Expect(op.GetByText("Revoke the token 'ci pipeline'?")).ToBeVisibleAsync();
        await op.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Assertions.Expect(op.Locator("#tokens tbody tr.mud-table-row")).ToContainTextAsync("revoked");
        await Assertions.Expect(op.Locator("#new-token-secret")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/connections")).StatusCode);

        // Disabling a user asks first; keeping them enabled changes nothing.
        await admin.GotoAsync(baseUrl + "/admin/users");
        await WaitForCircuitAsync(admin);
        var operatorRow = admin.Locator("#users tbody tr.mud-table-row", new() { HasText = Email(AppRoles.Operator) });
        var operatorMenu = $".user-actions[data-email='{Email(AppRoles.Operator)}'] button";
        var question = $"Disable {Email(AppRoles.Operator)}? They are signed out and cannot sign in or use their API tokens until enabled again.";
        await Chromium.ClickUntilVisibleAsync(admin, operatorMenu, ".mud-popover-open .disable-user");
        await admin.ClickAsync(".mud-popover-open .disable-user");
        await Assertions.Expect(admin.GetByText(question)).ToBeVisibleAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Keep enabled", Exact = true }).ClickAsync();
        await Assertions.Expect(admin.GetByText(question)).ToHaveCountAsync(0);
        await Assertions.Expect(operatorRow).ToContainTextAsync("active");
        await Chromium.ClickUntilVisibleAsync(admin, operatorMenu, ".mud-popover-open .disable-user");
        await admin.ClickAsync(".mud-popover-open .disable-user");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Disable", Exact = true }).ClickAsync();
        await Assertions.Expect(operatorRow).ToContainTextAsync("disabled");
        await Assertions.Expect(admin.GetByText($"{Email(AppRoles.Operator)}: disabled.")).ToBeVisibleAsync();

        // The API reference works under the console's Content-Security-Policy. Not waiting for "load": that waits
        // for the reference's 3 MB script to be fetched and run, which took over 30 s on a CI machine loaded many
        // times over; the heading shows once it has run, whenever that is.
        await admin.GotoAsync(baseUrl + "/api/docs", new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(admin.GetByText("PgClone console API").First).ToBeVisibleAsync(new() { Timeout = 90_000 });

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static string Email(string role) => $"{role.ToLowerInvariant()}.user@example.com";

    private static async Task<IPage> NewPageAsync(IBrowser browser, List<string> errors)
    {
        var page = await Chromium.NewPageAsync(browser);
        page.SetDefaultTimeout(30_000);
        page.Console += (_, m) => { if (Chromium.IsError(m)) errors.Add($"{page.Url}: {m.Text}"); };
        page.PageError += (_, e) => errors.Add($"{page.Url}: {e}");
        page.Response += (_, r) => { if (r.Status >= 400 && !r.Url.Contains("/Account/AccessDenied")) errors.Add($"HTTP {r.Status} {r.Url}"); };
        return page;
    }

    private static async Task LogInAsync(IPage page, string email, string password)
    {
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#login-submit");
    }

    /// <summary>A MudTextField's input, wherever MudBlazor puts the id.</summary>
    private static ILocator Field(IPage page, string id) => page.Locator($"input#{id}, #{id} input").First;

    /// <summary>Right after the first render the circuit may still be connecting, and typing before then is lost.</summary>
    private static Task WaitForCircuitAsync(IPage page) => Chromium.WaitForInteractiveAsync(page);
}
