using PgClone.Core.Connections;
using PgClone.Core.Verification;

namespace PgClone.Core.Roles;

/// <summary>
/// Clones roles from the source server to the target: attributes and password hashes, memberships, privileges on
/// the objects of the connected databases, and default privileges. Existing roles are updated; grants are only
/// ever added. Everything on the target happens in one transaction, so a failure leaves it unchanged.
/// </summary>
public sealed class RoleCloner
{
    public async Task<RoleCloneResult> CloneAsync(ServerEndpoint source, ServerEndpoint target, RoleCloneOptions options, CancellationToken ct = default)
    {
        var plan = await ReadSourceAsync(source, options, ct);
        await using var applier = await RoleApplier.OpenAsync(target, plan.Grants, plan.Defaults, plan.ByteForByte, ct);
        await applier.RolesAsync(plan.Roles, !options.NoPasswords, ct);
        await applier.SettingsAsync(plan.Settings, ct);
        await applier.MembershipsAsync(plan.Memberships, ct);
        await applier.GrantsAsync(plan.Grants, ct);
        await applier.DefaultPrivilegesAsync(plan.Defaults, ct);
        return await applier.CommitAsync(ct);
    }

    /// <param name="ByteForByte">Read from a SQL_ASCII database byte for byte: the names are written to the target so too.</param>
    private sealed record SourceRoles(List<RoleDefinition> Roles, List<RoleSetting> Settings, List<RoleMembership> Memberships,
        List<ObjectGrant> Grants, List<DefaultPrivilegeGrant> Defaults, bool ByteForByte);

    private static string NothingToClone(RoleCloneOptions asked) => (asked.Roles is { Count: > 0 }, asked.NamePrefix) switch
    {
        (true, { } prefix) => $"no role to clone: none of the roles named ({string.Join(", ", asked.Roles!.Select(Sql.Ident))}) starts with {Sql.Literal(prefix)}",
        (false, { } prefix) => $"no role to clone: no role on the source (but system roles) has a name starting with {Sql.Literal(prefix)}",
        _ => "no role to clone: the source has no role but system roles",
    };

    private static async Task<SourceRoles> ReadSourceAsync(ServerEndpoint source, RoleCloneOptions asked, CancellationToken ct)
    {
        var options = asked;
        await using var s = await ReadOnlySession.OpenAsync(source, ct);
        if (!options.NoPasswords && !await RoleCatalog.CanReadPasswordsAsync(s, ct))
            throw PgCloneException.For(source, null,
                "reading password hashes requires a superuser (SELECT on pg_authid): connect to the source as a superuser, or pass --no-passwords to clone roles without passwords");
        if (asked.Roles is { Count: > 0 } wanted)
        {
            // A name as given (picked from a list this session read), else as typed (ReadOnlySession.AsRead).
            var found = (await RoleCatalog.FindRolesAsync(s, [.. wanted.Concat(wanted.Select(s.AsRead)).Distinct()], ct)).ToDictionary(x => x.Name, x => x.System, StringComparer.Ordinal);
            var asRead = new List<string>();
            foreach (var name in wanted)
            {
                var read = found.ContainsKey(name) ? name : s.AsRead(name);
                if (!found.TryGetValue(read, out var system)) throw PgCloneException.For(source, $"role {Sql.Ident(name)}", "does not exist");
                if (system) throw PgCloneException.For(source, $"role {Sql.Ident(name)}", "is a system role (pg_* or the bootstrap superuser) and is not cloned");
                asRead.Add(read);
            }
            options = options with { Roles = asRead };
        }
        if (options.NamePrefix is { } prefix) options = options with { NamePrefix = s.AsRead(prefix) };
        var roles = await RoleCatalog.ReadRolesAsync(s, options, ct);
        // A clone that copies nothing is a mistaken filter, not a success.
        if (roles.Count == 0) throw PgCloneException.For(source, null, NothingToClone(asked));
        var names = roles.Select(r => r.Name).ToArray();
        return new SourceRoles(roles,
            await RoleCatalog.ReadSettingsAsync(s, names, ct),
            await RoleCatalog.ReadMembershipsAsync(s, names, ct),
            await RoleCatalog.ReadObjectGrantsAsync(s, names, ct),
            await RoleCatalog.ReadDefaultPrivilegesAsync(s, names, ct), s.ByteForByte);
    }
}
