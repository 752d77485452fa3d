using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PgClone.Core;
using PgClone.Web.Audit;
using PgClone.Web.Data;

namespace PgClone.Web.Security;

/// <summary>
/// Whether the console still waits for its first administrator. Once a user exists the answer is cached: the
/// first-run page never comes back.
/// </summary>
public sealed class FirstRunState(IDbContextFactory<PgCloneDbContext> factory, AuditLog audit)
{
    private volatile bool _anyUser;

    public async Task<bool> AnyUserAsync(CancellationToken ct = default)
    {
        if (_anyUser) return true;
        await using var db = await factory.CreateDbContextAsync(ct);
        return _anyUser = await db.Users.AnyAsync(ct);
    }

    /// <summary>
    /// Creates the first administrator, or fails when a user already exists. A transaction-scoped advisory lock
    /// serializes concurrent attempts, also across console instances.
    /// </summary>
    public async Task<IdentityResult> CreateFirstAdminAsync(UserManager<ApplicationUser> users, PgCloneDbContext db, string email, string password, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('pgclone.first-run'))", ct);
        if (await db.Users.AnyAsync(ct))
        {
            _anyUser = true;
            throw new PgCloneException("an administrator already exists: log in instead");
        }
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded) return result;
        result = await users.AddToRoleAsync(user, AppRoles.Admin);
        if (!result.Succeeded) return result;
        await tx.CommitAsync(ct);
        _anyUser = true;
        await audit.RecordAsync(AuditActions.UserCreated, $"user {email}", new { role = AppRoles.Admin, firstRun = true },
            actor: new AuditActor(AuditActor.Anonymous, email, audit.ClientAddress()), ct: ct);
        return result;
    }
}
