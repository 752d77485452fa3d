using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Tests.Fixtures;
using PgClone.Web.Data;
using PgClone.Web.Tokens;
using PgClone.Web.Users;

namespace PgClone.Tests.Web.Security;

/// <summary>Personal API tokens: Bearer authentication with the owner's role, stored hashed, revocable; problem+json errors.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ApiTokenTests(PgServersFixture fx)
{
    private const string Admin = "admin@example.com";

    [Fact]
    public async Task A_token_acts_as_its_owner_until_revoked_expired_or_the_owner_is_disabled()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_tokens");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        await ConsoleForms.CreateFirstAdminAsync(console.Client(), Admin, ConsoleUsers.Password);
        var op = await ConsoleUsers.AddAsync(console, "op@example.com", AppRoles.Operator);
        var tokens = console.Services.GetRequiredService<ApiTokenService>();

        var created = await tokens.CreateAsync(op.Id, "ci", 30);
        Assert.Matches("^pgc_[A-Za-z0-9_-]{43}$", created.Secret);
        Assert.Equal(created.Secret[..8], created.Token.Hint);
        Assert.Equal(TimeSpan.FromDays(30), created.Token.ExpiresAt - created.Token.CreatedAt);
        var api = ConsoleUsers.WithToken(console, created.Secret);
        Assert.Equal("{\"name\":\"op@example.com\",\"roles\":[\"Operator\"]}", await api.GetStringAsync("/api/v1/me"));

        // Stored hashed: the secret is nowhere in the table.
        await using (var db = Db(dbs.Source))
        {
            var row = await db.ApiTokens.SingleAsync();
            Assert.Equal(ApiTokenService.Hash(created.Secret), row.Hash);
            Assert.NotNull(row.LastUsedAt);
            var dump = await db.Database.SqlQueryRaw<string>("SELECT t::text AS \"Value\" FROM api_tokens t").SingleAsync();
            Assert.DoesNotContain(created.Secret[4..], dump);
        }

        // The owner's role, no more: an Operator may not manage users.
        var forbidden = await api.GetAsync("/api/v1/users");
        await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, "Not allowed");

        // Through the API, the owner lists and creates tokens (the list never shows a secret).
        var second = await (await api.PostAsJsonAsync("/api/v1/tokens", new { name = "second", lifetimeDays = 7 })).Content.ReadFromJsonAsync<JsonElement>();
        var secondSecret = second.GetProperty("secret").GetString()!;
        var list = await api.GetStringAsync("/api/v1/tokens");
        Assert.DoesNotContain(created.Secret, list);
        Assert.DoesNotContain(secondSecret, list);
        Assert.Equal(["second", "ci"], JsonSerializer.Deserialize<JsonElement>(list).EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray());

        // Revoked: 401 problem+json.
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/tokens/{created.Token.Id}")).StatusCode);
        await AssertProblemAsync(await api.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "Authentication required");
        // Nobody revokes another user's token.
        var adminToken = await tokens.CreateAsync((await console.Services.GetRequiredService<UserService>().ListAsync()).Single(u => u.Email == Admin).Id, "admin", 1);
        var secondId = second.GetProperty("token").GetProperty("id").GetInt32();
        await AssertProblemAsync(await ConsoleUsers.WithToken(console, adminToken.Secret).DeleteAsync($"/api/v1/tokens/{secondId}"), HttpStatusCode.NotFound, $"you have no API token {secondId}");

        // Expired: 401.
        var secondApi = ConsoleUsers.WithToken(console, secondSecret);
        Assert.Equal(HttpStatusCode.OK, (await secondApi.GetAsync("/api/v1/me")).StatusCode);
        await using (var db = Db(dbs.Source))
            await db.ApiTokens.Where(t => t.Id == secondId).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await secondApi.GetAsync("/api/v1/me")).StatusCode);

        // The owner disabled: 401, and enabled again: the token works again.
        var third = await tokens.CreateAsync(op.Id, "third", 1);
        var thirdApi = ConsoleUsers.WithToken(console, third.Secret);
        await console.Services.GetRequiredService<UserService>().SetDisabledAsync(op.Id, true);
        Assert.Equal(HttpStatusCode.Unauthorized, (await thirdApi.GetAsync("/api/v1/me")).StatusCode);
        await console.Services.GetRequiredService<UserService>().SetDisabledAsync(op.Id, false);
        Assert.Equal(HttpStatusCode.OK, (await thirdApi.GetAsync("/api/v1/me")).StatusCode);

        // Unknown or malformed tokens and anonymous callers: 401 problem+json with a Bearer challenge.
        foreach (var client in new[] { ConsoleUsers.WithToken(console, "pgc_" + new string('A', 43)), ConsoleUsers.WithToken(console, "nonsense"), console.Client() })
        {
            var response = await client.GetAsync("/api/v1/me");
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Authentication required");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Fact]
    public async Task Admins_manage_users_through_the_api_and_the_last_admin_stays()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_users_api");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        await ConsoleForms.CreateFirstAdminAsync(console.Client(), Admin, ConsoleUsers.Password);
        var users = console.Services.GetRequiredService<UserService>();
        var adminId = (await users.ListAsync()).Single().Id;
        var api = ConsoleUsers.WithToken(console, (await console.Services.GetRequiredService<ApiTokenService>().CreateAsync(adminId, "admin", 1)).Secret);

        // The only Admin can be neither demoted nor disabled, through the API or the service.
        await AssertProblemAsync(await api.PutAsJsonAsync($"/api/v1/users/{adminId}/role", new { role = "Operator" }), HttpStatusCode.BadRequest,
            "user admin@example.com is the last active Admin: make another user Admin first");
        await AssertProblemAsync(await api.PostAsync($"/api/v1/users/{adminId}/disable", null), HttpStatusCode.BadRequest,
            "user admin@example.com is the last active Admin: make another user Admin first");
        await AssertProblemAsync(await api.PostAsync("/api/v1/users/no-such-id/unlock", null), HttpStatusCode.NotFound, "user no-such-id does not exist");

        var createdResponse = await api.PostAsJsonAsync("/api/v1/users", new { email = "second@example.com", role = "Admin", password = "Initial-password-1" });
        Assert.Equal(HttpStatusCode.Created, createdResponse.StatusCode);
        var second = await createdResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Admin", second.GetProperty("role").GetString());
        Assert.True(second.GetProperty("mustChangePassword").GetBoolean());
        await AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/users", new { email = "weak@example.com", role = "Auditor", password = "Sh0rt-pw!" }), HttpStatusCode.BadRequest,
            "user weak@example.com: Passwords must be at least 12 characters.");
        await AssertProblemAsync(await api.PostAsJsonAsync("/api/v1/users", new { email = "x@example.com", role = "Root", password = "Initial-password-1" }), HttpStatusCode.BadRequest,
            "unknown role 'Root': use Admin, Operator, Auditor");

        // With a second Admin, the first may be demoted; then the second is the last one.
        var secondId = second.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/users/{secondId}/role", new { role = "Admin" })).StatusCode);
        await users.ChangeRoleAsync(adminId, AppRoles.Operator);
        var refused = await Assert.ThrowsAsync<PgClone.Core.PgCloneException>(() => users.SetDisabledAsync(secondId, true));
        Assert.Equal("user second@example.com is the last active Admin: make another user Admin first", refused.Message);
        Assert.Equal(["Operator", "Admin"], (await users.ListAsync()).Select(u => u.Role).ToArray());

        // A reset password is temporary: it works once, and leads to the password page.
        var reset = await users.ResetPasswordAsync(secondId);
        Assert.Equal(24, reset.Length);
        var login = await ConsoleForms.LogInAsync(console.Client(), "second@example.com", reset);
        Assert.Equal("/account/password", login.Headers.Location!.PathAndQuery);
        Assert.NotNull((await users.GetAsync(secondId)).LastSignInAt);
    }

    private static PgCloneDbContext Db(string cs) => new(new DbContextOptionsBuilder<PgCloneDbContext>().UseNpgsql(cs).Options);

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
    }
}
