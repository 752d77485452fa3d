using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Tests.Fixtures;
using PgClone.Web.Data;
using PgClone.Web.Security;

namespace PgClone.Tests.Web;

/// <summary>First run, login, logout and the anonymous rules, against a fresh console database.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AuthFlowTests(PgServersFixture fx)
{
    private const string Email = "admin@example.com";
    private const string Password = "Sup3r-secret!";

    private sealed record Me(string Name, List<string> Roles);

    [Fact]
    public async Task First_run_creates_the_admin_once_then_login_guards_every_page_and_the_api()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_auth");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var client = console.Client();
        await using (var scope = console.Services.CreateAsyncScope())
            Assert.IsType<RevalidatingIdentityStateProvider>(scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());

        // No user yet: every page leads to the first-run page; the API answers 401, never a redirect.
        foreach (var page in new[] { "/", "/connections", "/admin", "/Account/Login" })
            AssertRedirect(await client.GetAsync(page), "/first-run");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/no-such-endpoint")).StatusCode);

        // The scripts and styles the login page needs are public.
        foreach (var asset in new[] { "/_framework/blazor.web.js", "/_content/MudBlazor/MudBlazor.min.js", "/_content/MudBlazor/MudBlazor.min.css", "/css/app.css", "/favicon.svg" })
            Assert.Equal((asset, HttpStatusCode.OK), (asset, (await client.GetAsync(asset)).StatusCode));

        // The form validates: mismatched confirmation, then a password Identity rejects.
        var mismatch = await ConsoleForms.CreateFirstAdminAsync(client, Email, Password, confirm: "Other-secret1!");
        Assert.Equal(HttpStatusCode.OK, mismatch.StatusCode);
        Assert.Contains("The passwords do not match.", await mismatch.Content.ReadAsStringAsync());
        var weak = await ConsoleForms.CreateFirstAdminAsync(client, Email, "alllowercase");
        Assert.Contains("Passwords must have at least one non alphanumeric character.", await weak.Content.ReadAsStringAsync());
        Assert.Contains("Passwords must have at least one digit (&#x27;0&#x27;-&#x27;9&#x27;).", await weak.Content.ReadAsStringAsync());

        var created = await ConsoleForms.CreateFirstAdminAsync(client, Email, Password);
        AssertRedirect(created, "/Account/Login?created=true");

        // The first-run page is gone for good; pages now ask for a login.
        AssertRedirect(await client.GetAsync("/first-run"), "/Account/Login");
        AssertRedirect(await client.GetAsync("/"), "/Account/Login?ReturnUrl=%2F");
        AssertRedirect(await client.GetAsync("/connections"), "/Account/Login?ReturnUrl=%2Fconnections");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);

        var wrong = await ConsoleForms.LogInAsync(client, Email, "Wrong-secret1!");
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains(ConsoleSignIn.RefusedMessage, System.Net.WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()));

        AssertRedirect(await ConsoleForms.LogInAsync(client, Email, Password, "/Account/Login?ReturnUrl=%2Fconnections"), "/connections");

        var dashboard = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("<title>Dashboard · PgClone</title>", await dashboard.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/connections")).StatusCode);
        var me = await client.GetFromJsonAsync<Me>("/api/me");
        Assert.Equal(Email, me!.Name);
        Assert.Equal(["Admin"], me.Roles);

        // Logout needs the antiforgery token of the page the user is on.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/Account/Logout", new FormUrlEncodedContent([]))).StatusCode);
        var token = ConsoleForms.AntiforgeryToken(await client.GetStringAsync("/"));
        AssertRedirect(await client.PostAsync("/Account/Logout", new FormUrlEncodedContent([new("__RequestVerificationToken", token)])), "/Account/Login");
        AssertRedirect(await client.GetAsync("/"), "/Account/Login?ReturnUrl=%2F");

        // The Admin page is for the Admin role only.
        AssertRedirect(await ConsoleForms.LogInAsync(client, Email, Password, "/Account/Login?ReturnUrl=%2Fadmin"), "/admin");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
        var operatorClient = console.Client();
        await AddUserAsync(console, "operator@example.com", AppRoles.Operator);
        AssertRedirect(await ConsoleForms.LogInAsync(operatorClient, "operator@example.com", Password), "/");
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync("/connections")).StatusCode);
        AssertRedirect(await operatorClient.GetAsync("/admin"), "/Account/AccessDenied?ReturnUrl=%2Fadmin");
        Assert.Contains("Your account does not have a role that may open this page.", await operatorClient.GetStringAsync("/Account/AccessDenied?ReturnUrl=%2Fadmin"));
        Assert.Equal(["Operator"], (await operatorClient.GetFromJsonAsync<Me>("/api/me"))!.Roles);
    }

    private static async Task AddUserAsync(ConsoleFactory console, string email, string role)
    {
        await using var scope = console.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
    }

    private static void AssertRedirect(HttpResponseMessage response, string location)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // Blazor's redirects are absolute, the cookie handler's relative: compare the path and query.
        var actual = response.Headers.Location!;
        Assert.Equal(location, actual.IsAbsoluteUri ? actual.PathAndQuery : actual.OriginalString);
    }
}
