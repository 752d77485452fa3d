using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PgClone.Core;
using PgClone.Web.Audit;
using PgClone.Web.Data;

namespace PgClone.Web.Users;

/// <summary>One row of the Users page and of <c>GET /api/v1/users</c>.</summary>
public sealed record UserRow(string Id, string Email, string Role, bool IsDisabled, bool MustChangePassword, DateTimeOffset? LastSignInAt, DateTimeOffset? LockedUntil);

/// <summary>
/// What an Admin does to console users. Every change that affects what a user may do (role, disabling, a new
/// password) gives the user a new security stamp, which ends all of that user's sessions. The last active Admin
/// can be neither demoted nor disabled.
/// </summary>
public sealed class UserService(IServiceScopeFactory scopes, AuditLog audit, TimeProvider time)
{
    public async Task<IReadOnlyList<UserRow>> ListAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PgCloneDbContext>();
        var roles = await RolesByUserAsync(db, ct);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct);
        var now = time.GetUtcNow();
        return users.Select(u => new UserRow(u.Id, u.Email ?? u.UserName ?? u.Id, roles.GetValueOrDefault(u.Id, ""), u.IsDisabled, u.MustChangePassword,
            u.LastSignInAt, u.LockoutEnd > now ? u.LockoutEnd : null)).ToList();
    }

    public async Task<UserRow> GetAsync(string id, CancellationToken ct = default) =>
        (await ListAsync(ct)).SingleOrDefault(u => u.Id == id) ?? throw new UserNotFoundException(id);

    /// <summary>Creates a user who must change the initial password at the first sign-in.</summary>
    public async Task<UserRow> CreateAsync(string email, string role, string password, CancellationToken ct = default)
    {
        CheckRole(role);
        email = email.Trim();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var db = scope.ServiceProvider.GetRequiredService<PgCloneDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, MustChangePassword = true };
        Check(await users.CreateAsync(user, password), email);
        Check(await users.AddToRoleAsync(user, role), email);
        await tx.CommitAsync(ct);
        await audit.RecordAsync(AuditActions.UserCreated, $"user {email}", new { role }, ct: ct);
        return await GetAsync(user.Id, ct);
    }

    public async Task ChangeRoleAsync(string id, string role, CancellationToken ct = default)
    {
        CheckRole(role);
        var from = "";
        var email = await ChangeAsync(id, demotesAdmin: role != AppRoles.Admin, async (users, user, current) =>
        {
            from = current;
            if (current == role) return;
            if (current.Length > 0) Check(await users.RemoveFromRoleAsync(user, current), user.Email);
            Check(await users.AddToRoleAsync(user, role), user.Email);
            Check(await users.UpdateSecurityStampAsync(user), user.Email);
        }, ct);
        if (from != role) await audit.RecordAsync(AuditActions.UserRoleChanged, $"user {email}", new { from, to = role }, ct: ct);
    }

    public async Task SetDisabledAsync(string id, bool disabled, CancellationToken ct = default)
    {
        var email = await ChangeAsync(id, demotesAdmin: disabled, async (users, user, _) =>
        {
            user.IsDisabled = disabled;
            Check(await users.UpdateAsync(user), user.Email);
            Check(await users.UpdateSecurityStampAsync(user), user.Email);
        }, ct);
        await audit.RecordAsync(disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, $"user {email}", ct: ct);
    }

    public async Task UnlockAsync(string id, CancellationToken ct = default)
    {
        var email = await ChangeAsync(id, demotesAdmin: false, async (users, user, _) =>
        {
            Check(await users.SetLockoutEndDateAsync(user, null), user.Email);
            Check(await users.ResetAccessFailedCountAsync(user), user.Email);
        }, ct);
        await audit.RecordAsync(AuditActions.UserUnlocked, $"user {email}", ct: ct);
    }

    public async Task ForcePasswordChangeAsync(string id, CancellationToken ct = default)
    {
        var email = await ChangeAsync(id, demotesAdmin: false, async (users, user, _) =>
        {
            user.MustChangePassword = true;
            Check(await users.UpdateAsync(user), user.Email);
        }, ct);
        await audit.RecordAsync(AuditActions.UserMustChangePassword, $"user {email}", ct: ct);
    }

    /// <summary>Sets a random temporary password (returned, to hand over once) that must be changed at the next sign-in.</summary>
    public async Task<string> ResetPasswordAsync(string id, CancellationToken ct = default)
    {
        var password = TemporaryPassword();
        var email = await ChangeAsync(id, demotesAdmin: false, async (users, user, _) =>
        {
            Check(await users.RemovePasswordAsync(user), user.Email);
            Check(await users.AddPasswordAsync(user, password), user.Email);
            user.MustChangePassword = true;
            Check(await users.UpdateAsync(user), user.Email);
            Check(await users.UpdateSecurityStampAsync(user), user.Email);
        }, ct);
        await audit.RecordAsync(AuditActions.UserPasswordReset, $"user {email}", ct: ct);
        return password;
    }

    /// <summary>
    /// Runs a change in a transaction that holds the users lock, so two Admins cannot demote each other at once
    /// and leave none. Returns the user's email, for the audit entry.
    /// </summary>
    private async Task<string> ChangeAsync(string id, bool demotesAdmin, Func<UserManager<ApplicationUser>, ApplicationUser, string, Task> change, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var db = scope.ServiceProvider.GetRequiredService<PgCloneDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('pgclone.users'))", ct);
        var user = await users.FindByIdAsync(id) ?? throw new UserNotFoundException(id);
        var current = (await users.GetRolesAsync(user)).FirstOrDefault() ?? "";
        if (demotesAdmin && current == AppRoles.Admin && !user.IsDisabled)
        {
            var admins = await users.GetUsersInRoleAsync(AppRoles.Admin);
            if (!admins.Any(a => a.Id != user.Id && !a.IsDisabled))
                throw new PgCloneException($"user {user.Email} is the last active Admin: make another user Admin first");
        }
        await change(users, user, current);
        await tx.CommitAsync(ct);
        return user.Email ?? user.Id;
    }

    private static async Task<Dictionary<string, string>> RolesByUserAsync(PgCloneDbContext db, CancellationToken ct) =>
        await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name })
            .ToDictionaryAsync(x => x.UserId, x => x.Name ?? "", ct);

    private static void CheckRole(string role)
    {
        if (!AppRoles.All.Contains(role))
            throw new PgCloneException($"unknown role '{role}': use {string.Join(", ", AppRoles.All)}");
    }

    private static void Check(IdentityResult result, string? email)
    {
        if (!result.Succeeded)
            throw new PgCloneException($"user {email}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }

    /// <summary>24 random characters from four classes, so it passes any password policy up to that length.</summary>
    private static string TemporaryPassword()
    {
        const string lower = "abcdefghijkmnopqrstuvwxyz", upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", digits = "23456789", symbols = "-_.!#%+";
        var all = lower + upper + digits + symbols;
        var chars = new[] { Pick(lower), Pick(upper), Pick(digits), Pick(symbols) }
            .Concat(Enumerable.Range(0, 20).Select(_ => Pick(all))).ToArray();
        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);

        static char Pick(string set) => set[RandomNumberGenerator.GetInt32(set.Length)];
    }
}

public sealed class UserNotFoundException(string id) : PgCloneException($"user {id} does not exist");
