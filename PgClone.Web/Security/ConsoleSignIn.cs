using Microsoft.AspNetCore.Identity;
using PgClone.Web.Data;

namespace PgClone.Web.Security;

public enum SignInOutcome { Succeeded, MustChangePassword, Refused }

/// <summary>
/// Password sign-in and sign-out for the console's cookie. Unknown accounts, wrong passwords, locked and
/// disabled accounts all give <see cref="SignInOutcome.Refused"/>, so the page cannot tell them apart either.
/// </summary>
public sealed class ConsoleSignIn(SignInManager<ApplicationUser> signIn, SignInEvents events, TimeProvider time)
{
    /// <summary>What the login page shows for every refusal: it must not reveal whether the account exists.</summary>
    public const string RefusedMessage = "Wrong email or password, or the account is locked; try again later.";

    public async Task<SignInOutcome> PasswordAsync(string email, string password, string? address)
    {
        var users = signIn.UserManager;
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            await events.FailedAsync(email, address, "no such account");
            return SignInOutcome.Refused;
        }
        var wasLocked = await users.IsLockedOutAsync(user);
        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            user.LastSignInAt = time.GetUtcNow();
            await users.UpdateAsync(user);
            await events.SucceededAsync(email, address);
            return user.MustChangePassword ? SignInOutcome.MustChangePassword : SignInOutcome.Succeeded;
        }
        if (result.IsLockedOut)
        {
            if (wasLocked) await events.FailedAsync(email, address, "account locked");
            else await events.LockedOutAsync(email, address);
        }
        else await events.FailedAsync(email, address, result.IsNotAllowed ? "account disabled" : "wrong password");
        return SignInOutcome.Refused;
    }

    /// <summary>
    /// Changes the signed-in user's own password. Every other session of the user ends (new security stamp); this
    /// one gets a fresh cookie. Clears the must-change mark.
    /// </summary>
    public async Task<IdentityResult> ChangePasswordAsync(System.Security.Claims.ClaimsPrincipal principal, string current, string next)
    {
        var users = signIn.UserManager;
        if (await users.GetUserAsync(principal) is not { } user)
            return IdentityResult.Failed(new IdentityError { Description = "Your account no longer exists." });
        var result = await users.ChangePasswordAsync(user, current, next);
        if (!result.Succeeded) return result;
        user.MustChangePassword = false;
        result = await users.UpdateAsync(user);
        if (!result.Succeeded) return result;
        await signIn.RefreshSignInAsync(user);
        await events.PasswordChangedAsync(user.Email ?? user.Id, ClientAddress());
        return result;
    }

    /// <summary>
    /// Ends every session of the signed-in user, not only this one: a new security stamp invalidates every cookie
    /// issued before (each request and each circuit checks it).
    /// </summary>
    public async Task SignOutAsync(System.Security.Claims.ClaimsPrincipal principal)
    {
        if (await signIn.UserManager.GetUserAsync(principal) is { } user)
        {
            await signIn.UserManager.UpdateSecurityStampAsync(user);
            await events.SignedOutAsync(user.Email ?? user.Id, ClientAddress());
        }
        await signIn.SignOutAsync();
    }

    private string? ClientAddress() => signIn.Context.Connection.RemoteIpAddress?.ToString();
}
