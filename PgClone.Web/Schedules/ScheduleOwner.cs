using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using PgClone.Web.Data;
using PgClone.Web.Runs;

namespace PgClone.Web.Schedules;

/// <summary>
/// The principal a schedule's runs are submitted as: its owner, with the owner's roles as they are now (so a
/// demoted or deleted owner's schedule stops being able to use the connections), marked with the schedule's name.
/// </summary>
public sealed class ScheduleOwner(IDbContextFactory<PgCloneDbContext> factory)
{
    public async Task<ClaimsPrincipal> PrincipalAsync(Schedule schedule, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == schedule.OwnerId, ct)
            ?? throw new RunRejectedException(RunRejection.Forbidden, $"schedule '{schedule.Name}': its owner {schedule.Owner} no longer exists; edit the schedule to take it over");
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ur.UserId == user.Id
                           select r.Name).ToListAsync(ct);
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id),
            new(ClaimTypes.Name, user.UserName ?? schedule.Owner),
            new(RunActor.ScheduleClaim, schedule.Name),
        };
        claims.AddRange(roles.OfType<string>().Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "schedule"));
    }
}
