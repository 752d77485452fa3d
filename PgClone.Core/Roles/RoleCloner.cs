using Npgsql;
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
        return await ApplyAsync(target, plan, options, ct);
    }

    private sealed record SourceRoles(List<RoleDefinition> Roles, List<RoleSetting> Settings, List<RoleMembership> Memberships,
        List<ObjectGrant> Grants, List<DefaultPrivilegeGrant> Defaults);

    private static async Task<SourceRoles> ReadSourceAsync(ServerEndpoint source, RoleCloneOptions options, CancellationToken ct)
    {
        await using var s = await ReadOnlySession.OpenAsync(source, ct);
        if (!options.NoPasswords && !await RoleCatalog.CanReadPasswordsAsync(s, ct))
            throw PgCloneException.For(source, null,
                "reading password hashes requires a superuser (SELECT on pg_authid): connect to the source as a superuser, or pass --no-passwords to clone roles without passwords");
        if (options.Roles is { Count: > 0 } wanted)
        {
            var found = (await RoleCatalog.FindRolesAsync(s, wanted, ct)).ToDictionary(x => x.Name, x => x.System, StringComparer.Ordinal);
            foreach (var name in wanted)
            {
                if (!found.TryGetValue(name, out var system)) throw PgCloneException.For(source, $"role {Sql.Ident(name)}", "does not exist");
                if (system) throw PgCloneException.For(source, $"role {Sql.Ident(name)}", "is a system role (pg_* or the bootstrap superuser) and is not cloned");
            }
        }
        var roles = await RoleCatalog.ReadRolesAsync(s, options, ct);
        var names = roles.Select(r => r.Name).ToArray();
        return new SourceRoles(roles,
            await RoleCatalog.ReadSettingsAsync(s, names, ct),
            await RoleCatalog.ReadMembershipsAsync(s, names, ct),
            await RoleCatalog.ReadObjectGrantsAsync(s, names, ct),
            await RoleCatalog.ReadDefaultPrivilegesAsync(s, names, ct));
    }

    private static async Task<RoleCloneResult> ApplyAsync(ServerEndpoint target, SourceRoles plan, RoleCloneOptions options, CancellationToken ct)
    {
        Dictionary<string, bool> targetRoles;
        HashSet<string> targetObjects;
        string targetDatabase;
        await using (var t = await ReadOnlySession.OpenAsync(target, ct))
        {
            targetRoles = await RoleCatalog.ReadRoleExpiriesAsync(t, ct);
            var schemas = plan.Grants.Select(g => g.Schema ?? g.Name).Concat(plan.Defaults.Select(d => d.Schema).OfType<string>()).Distinct().ToArray();
            targetObjects = await RoleCatalog.ReadObjectKeysAsync(t, schemas, ct);
            targetDatabase = await t.ScalarAsync<string>("SELECT current_database()::text", ct);
        }

        List<RoleAction> created = [], updated = [], grants = [], settings = [];
        List<SkippedGrant> skipped = [];
        await using var conn = new NpgsqlConnection(target.ConnectionString);
        try { await conn.OpenAsync(ct); }
        catch (Exception e) when (e is not OperationCanceledException) { throw PgCloneException.FromDriver(target, null, e); }
        await using var tx = await conn.BeginTransactionAsync(ct);

        foreach (var role in plan.Roles)
        {
            var objectName = $"role {Sql.Ident(role.Name)}";
            if (targetRoles.TryGetValue(role.Name, out var hasExpiry))
            {
                var (sql, display) = RoleStatements.Alter(role, hasExpiry, !options.NoPasswords);
                await RunAsync(conn, tx, target, objectName, sql, ct);
                updated.Add(new RoleAction("role", role.Name, display));
            }
            else
            {
                var (sql, display) = RoleStatements.Create(role, !options.NoPasswords);
                await RunAsync(conn, tx, target, objectName, sql, ct);
                created.Add(new RoleAction("role", role.Name, display));
                targetRoles[role.Name] = role.ValidUntil is not null;
            }
        }

        foreach (var setting in plan.Settings)
        {
            var sql = RoleStatements.Setting(setting, targetDatabase);
            await RunAsync(conn, tx, target, $"role {Sql.Ident(setting.Role)}", sql, ct);
            settings.Add(new RoleAction("setting", setting.Role, sql));
        }

        foreach (var m in plan.Memberships)
        {
            var sql = RoleStatements.Membership(m);
            var missing = new[] { m.Group, m.Member }.FirstOrDefault(r => !targetRoles.ContainsKey(r));
            if (missing is not null) { skipped.Add(new SkippedGrant(sql, $"role {Sql.Ident(missing)} does not exist on the target")); continue; }
            await RunAsync(conn, tx, target, $"role {Sql.Ident(m.Member)}", sql, ct);
            grants.Add(new RoleAction("membership", m.Member, sql));
        }

        foreach (var g in plan.Grants)
        {
            var sql = RoleStatements.Grant(g, targetDatabase);
            var missing = MissingObject(g, targetObjects);
            if (missing is not null) { skipped.Add(new SkippedGrant(sql, $"{missing} does not exist on the target")); continue; }
            await RunAsync(conn, tx, target, ObjectName(g), sql, ct);
            grants.Add(new RoleAction(g.Kind.ToString().ToLowerInvariant(), g.Grantee, sql));
        }

        foreach (var d in plan.Defaults)
        {
            var sql = RoleStatements.DefaultPrivilege(d);
            var missingRole = new[] { d.Owner, d.Grantee }.OfType<string>().FirstOrDefault(r => !targetRoles.ContainsKey(r));
            string? missing = missingRole is not null ? $"role {Sql.Ident(missingRole)}"
                : d.Schema is not null && !targetObjects.Contains(RoleCatalog.ObjectKey(GrantObjectKind.Schema, null, d.Schema, null, null)) ? $"schema {Sql.Ident(d.Schema)}"
                : null;
            if (missing is not null) { skipped.Add(new SkippedGrant(sql, $"{missing} does not exist on the target")); continue; }
            await RunAsync(conn, tx, target, $"default privileges of role {Sql.Ident(d.Owner)}", sql, ct);
            grants.Add(new RoleAction("default privileges", d.Grantee ?? "PUBLIC", sql));
        }

        await tx.CommitAsync(ct);
        return new RoleCloneResult(created, updated, grants, skipped, settings);
    }

    /// <summary>The object a grant names when the target lacks it (a column's table first), else null.</summary>
    private static string? MissingObject(ObjectGrant g, HashSet<string> targetObjects)
    {
        if (g.Kind == GrantObjectKind.Database) return null;
        if (g.Kind == GrantObjectKind.Column && !targetObjects.Contains(RoleCatalog.ObjectKey(GrantObjectKind.Table, g.Schema, g.Name, null, null)))
            return $"table {Sql.Qualified(g.Schema!, g.Name)}";
        return targetObjects.Contains(RoleCatalog.ObjectKey(g.Kind, g.Schema, g.Name, g.Column, g.RoutineArguments)) ? null : ObjectName(g);
    }

    private static string ObjectName(ObjectGrant g) => g.Kind switch
    {
        GrantObjectKind.Database => $"database {Sql.Ident(g.Name)}",
        GrantObjectKind.Schema => $"schema {Sql.Ident(g.Name)}",
        GrantObjectKind.Table => $"table {Sql.Qualified(g.Schema!, g.Name)}",
        GrantObjectKind.Sequence => $"sequence {Sql.Qualified(g.Schema!, g.Name)}",
        GrantObjectKind.Column => $"column {Sql.Qualified(g.Schema!, g.Name)}.{Sql.Ident(g.Column!)}",
        GrantObjectKind.Type => $"type {Sql.Qualified(g.Schema!, g.Name)}",
        _ => $"routine {Sql.Qualified(g.Schema!, g.Name)}({g.RoutineArguments})",
    };

    private static async Task RunAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ServerEndpoint target, string objectName, string sql, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PgCloneException.FromDriver(target, objectName, e);
        }
    }
}
