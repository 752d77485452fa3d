using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Web.Data;

namespace PgClone.Tests.Web.Connections;

/// <summary>Console users for tests, created through Identity as the Users page would, and their principals.</summary>
public static class ConsoleUsers
{
    public const string Password = "Us3r-secret-pass!";

    public static async Task<ClaimsPrincipal> AddAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> console, string email, string role)
    {
        await using var scope = console.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        var factory = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>();
        return await factory.CreateAsync(user);
    }
}
