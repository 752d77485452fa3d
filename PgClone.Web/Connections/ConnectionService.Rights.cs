using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using PgClone.Web.Data;
using PgClone.Web.Security;

namespace PgClone.Web.Connections;

/// <summary>
/// Per-connection rights. The authorization matrix decides which roles may use connections at all
/// (<see cref="Policies.UseAsSource"/>, <see cref="Policies.UseAsTarget"/>); a grant then names the connections:
/// a role or a user may use this connection on this side. Those who manage connections (Admin) use every one
/// without a grant; observers (a role that may view but use nothing, i.e. Auditor) see every one read-only.
/// </summary>
public sealed partial class ConnectionService
{
    /// <summary>The connections this user may see: all for managers and observers, else those granted on either side.</summary>
    public async Task<List<ConnectionSummary>> ListVisibleAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (SeesAll(user)) return await ListAsync(ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        return await Summaries(db.Connections.Where(Granted(user, null))).ToListAsync(ct);
    }

    /// <summary>
    /// The connections this user may use on that side of a clone, for pickers and for checking a request before
    /// it is queued: every one for those who manage connections, the granted ones for other roles the matrix
    /// lets use connections, none for the rest.
    /// </summary>
    public async Task<List<ConnectionSummary>> ListUsableAsync(ClaimsPrincipal user, ConnectionUse use, CancellationToken ct = default)
    {
        if (!MayUseAny(user, use)) return [];
        if (Manages(user)) return await ListAsync(ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        return await Summaries(db.Connections.Where(Granted(user, use))).ToListAsync(ct);
    }

    /// <summary>Throws a <see cref="ConnectionAccessDeniedException"/> naming the connection unless the user may use it on that side.</summary>
    public async Task EnsureCanUseAsync(ClaimsPrincipal user, int connectionId, ConnectionUse use, CancellationToken ct = default)
    {
        var connection = await GetAsync(connectionId, ct);
        if (await CanUseAsync(user, connectionId, use, ct)) return;
        throw new ConnectionAccessDeniedException(
            $"{user.Identity?.Name ?? "anonymous"} may not use connection '{connection.Name}' as a {(use == ConnectionUse.Source ? "source" : "target")}: ask an Admin to grant it");
    }

    public async Task<bool> CanUseAsync(ClaimsPrincipal user, int connectionId, ConnectionUse use, CancellationToken ct = default)
    {
        if (!MayUseAny(user, use)) return false;
        if (Manages(user)) return true;
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Connections.Where(c => c.Id == connectionId).Where(Granted(user, use)).AnyAsync(ct);
    }

    /// <summary>Testing or browsing a server needs the right to use it on at least one side.</summary>
    public async Task EnsureCanReachAsync(ClaimsPrincipal user, int connectionId, CancellationToken ct = default)
    {
        var connection = await GetAsync(connectionId, ct);
        if (await CanUseAsync(user, connectionId, ConnectionUse.Source, ct) || await CanUseAsync(user, connectionId, ConnectionUse.Target, ct)) return;
        throw new ConnectionAccessDeniedException($"{user.Identity?.Name ?? "anonymous"} may not use connection '{connection.Name}': ask an Admin to grant it");
    }

    public async Task<ConnectionRights> GetRightsAsync(int connectionId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await db.Connections.AnyAsync(c => c.Id == connectionId, ct)) throw Missing(connectionId);
        var grants = await (from g in db.ConnectionGrants
                            where g.ConnectionId == connectionId
                            join u in db.Users on g.UserId equals u.Id into users
                            from u in users.DefaultIfEmpty()
                            select new { g.Use, g.Role, UserName = u == null ? null : u.UserName }).ToListAsync(ct);
        List<string> Pick(ConnectionUse use, bool roles) => grants.Where(g => g.Use == use)
            .Select(g => roles ? g.Role : g.UserName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        return new ConnectionRights(Pick(ConnectionUse.Source, true), Pick(ConnectionUse.Source, false), Pick(ConnectionUse.Target, true), Pick(ConnectionUse.Target, false));
    }

    /// <summary>Replaces the connection's grants; unknown roles or users are refused by name.</summary>
    public async Task SetRightsAsync(int connectionId, ConnectionRights rights, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await db.Connections.AnyAsync(c => c.Id == connectionId, ct)) throw Missing(connectionId);
        var unknownRole = rights.SourceRoles.Concat(rights.TargetRoles).FirstOrDefault(r => !AppRoles.All.Contains(r));
        if (unknownRole is not null) throw new Core.PgCloneException($"role '{unknownRole}' does not exist (roles: {string.Join(", ", AppRoles.All)})");
        var names = rights.SourceUsers.Concat(rights.TargetUsers).Distinct().ToList();
        var ids = await db.Users.Where(u => names.Contains(u.UserName!)).ToDictionaryAsync(u => u.UserName!, u => u.Id, ct);
        var unknownUser = names.FirstOrDefault(n => !ids.ContainsKey(n));
        if (unknownUser is not null) throw new Core.PgCloneException($"user '{unknownUser}' does not exist");

        IEnumerable<ConnectionGrant> Grants(ConnectionUse use, IEnumerable<string> roles, IEnumerable<string> users) =>
            roles.Distinct().Select(r => new ConnectionGrant { ConnectionId = connectionId, Use = use, Role = r })
                .Concat(users.Distinct().Select(u => new ConnectionGrant { ConnectionId = connectionId, Use = use, UserId = ids[u] }));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.ConnectionGrants.Where(g => g.ConnectionId == connectionId).ExecuteDeleteAsync(ct);
        db.ConnectionGrants.AddRange(Grants(ConnectionUse.Source, rights.SourceRoles, rights.SourceUsers));
        db.ConnectionGrants.AddRange(Grants(ConnectionUse.Target, rights.TargetRoles, rights.TargetUsers));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        var summary = await GetAsync(connectionId, ct);
        await audit.RecordAsync(Audit.AuditActions.ConnectionGranted, Subject(summary), rights, connectionId, ct: ct);
    }

    /// <summary>User names that a grant may name, for the rights dialog.</summary>
    public async Task<List<string>> ListUserNamesAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Users.Select(u => u.UserName!).OrderBy(n => n).ToListAsync(ct);
    }

    private static bool Manages(ClaimsPrincipal user) => InPolicy(user, Policies.ManageConnections);

    private static bool MayUseAny(ClaimsPrincipal user, ConnectionUse use) =>
        InPolicy(user, use == ConnectionUse.Source ? Policies.UseAsSource : Policies.UseAsTarget);

    /// <summary>Managers, and observers whose roles may view but never use a connection.</summary>
    private static bool SeesAll(ClaimsPrincipal user) =>
        Manages(user) || Roles(user).Any(r => AuthorizationMatrix.Allows(r, Policies.View)
            && !AuthorizationMatrix.Allows(r, Policies.UseAsSource) && !AuthorizationMatrix.Allows(r, Policies.UseAsTarget));

    private static bool InPolicy(ClaimsPrincipal user, string policy) => AuthorizationMatrix.RolesByPolicy[policy].Any(user.IsInRole);

    private static IEnumerable<string> Roles(ClaimsPrincipal user) => AppRoles.All.Where(user.IsInRole);

    /// <summary>Connections granted to the user or one of their roles, on one side or (null) on either.</summary>
    private static System.Linq.Expressions.Expression<Func<Connection, bool>> Granted(ClaimsPrincipal user, ConnectionUse? use)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        var roles = Roles(user).ToList();
        return c => c.Grants.Any(g => (use == null || g.Use == use) && (g.UserId == userId || (g.Role != null && roles.Contains(g.Role))));
    }
}
