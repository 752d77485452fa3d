using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PgClone.Web.Data;

namespace PgClone.Web.Security;

/// <summary>
/// A circuit outlives the request that logged the user in: every 30 seconds it checks that the user still
/// exists, is not disabled, and that the security stamp (changed by logout, a password or role change, disabling)
/// still matches; otherwise the circuit loses its login like every other session of that user.
/// </summary>
internal sealed class RevalidatingIdentityStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(30);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await IsCurrentAsync(users, state.User);
    }

    private async Task<bool> IsCurrentAsync(UserManager<ApplicationUser> users, ClaimsPrincipal principal)
    {
        if (await users.GetUserAsync(principal) is not { IsDisabled: false } user) return false;
        if (!users.SupportsUserSecurityStamp) return true;
        return principal.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType) == await users.GetSecurityStampAsync(user);
    }
}
