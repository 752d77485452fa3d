using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Verification;

namespace PgClone.Core.Roles;

/// <summary>
/// Applies cloned roles to the target inside one transaction, step by step (roles, settings, memberships, grants,
/// default privileges), skipping grants whose object or role the target lacks, and collects what it did.
/// </summary>
internal sealed class RoleApplier : IAsyncDisposable
{
    private readonly ServerEndpoint _target;
    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlTransaction _tx;
    private readonly Dictionary<string, bool> _roles;
    private readonly HashSet<string> _objects;
    private readonly string _database;
    private readonly (string Name, bool Superuser) _user;
    private readonly Dictionary<string, bool> _canActAs = new(StringComparer.Ordinal);
    private readonly List<RoleAction> _created = [], _updated = [], _grants = [], _settings = [];
    private readonly List<SkippedGrant> _skipped = [];

    private RoleApplier(ServerEndpoint target, NpgsqlConnection conn, NpgsqlTransaction tx, Dictionary<string, bool> roles, HashSet<string> objects, string database,
        (string, bool) user)
    {
        (_target, _conn, _tx, _roles, _objects, _database, _user) = (target, conn, tx, roles, objects, database, user);
    }

    /// <summary>Reads the target's roles and the objects the grants name, then opens the write transaction.</summary>
    /// <param name="textFromSqlAscii">The names were read byte for byte from a SQL_ASCII database: written so, as pg_dumpall's output is.</param>
    public static async Task<RoleApplier> OpenAsync(ServerEndpoint target, List<ObjectGrant> grants, List<DefaultPrivilegeGrant> defaults, bool textFromSqlAscii, CancellationToken ct)
    {
        Dictionary<string, bool> roles;
        HashSet<string> objects;
        string database;
        (string, bool) user;
        await using (var t = await ReadOnlySession.OpenAsync(target, ct, textFromSqlAscii))
        {
            roles = await RoleCatalog.ReadRoleExpiriesAsync(t, ct);
            var schemas = grants.Select(g => g.Schema ?? g.Name).Concat(defaults.Select(d => d.Schema).OfType<string>()).Distinct().ToArray();
            objects = await RoleCatalog.ReadObjectKeysAsync(t, schemas, ct);
            (database, user) = (await t.QueryAsync("SELECT current_database()::text, rolname::text, rolsuper FROM pg_roles WHERE rolname = current_user",
                r => (r.GetString(0), (r.GetString(1), r.GetBoolean(2))), ct)).Single();
        }
        var conn = await target.OpenAsync(ct, textFromSqlAscii: textFromSqlAscii ? () => Task.FromResult(true) : null);
        try
        {
            return new RoleApplier(target, conn, await conn.BeginTransactionAsync(ct), roles, objects, database, user);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await conn.DisposeAsync();
            throw PgCloneException.FromDriver(target, null, e);
        }
    }

    /// <summary>Creates missing roles and brings existing ones to the source's attributes (and password).</summary>
    public async Task RolesAsync(IEnumerable<RoleDefinition> roles, bool withPasswords, CancellationToken ct)
    {
        foreach (var role in roles)
        {
            var exists = _roles.TryGetValue(role.Name, out var hasExpiry);
            var (sql, display) = exists ? RoleStatements.Alter(role, hasExpiry, withPasswords, _user.Superuser) : RoleStatements.Create(role, withPasswords);
            await RunAsync($"role {Sql.Ident(role.Name)}", sql, ct);
            (exists ? _updated : _created).Add(new RoleAction("role", role.Name, display));
            _roles[role.Name] = role.ValidUntil is not null;
        }
    }

    public async Task SettingsAsync(IEnumerable<RoleSetting> settings, CancellationToken ct)
    {
        foreach (var setting in settings)
        {
            var sql = RoleStatements.Setting(setting, _database);
            await RunAsync($"role {Sql.Ident(setting.Role)}", sql, ct);
            _settings.Add(new RoleAction("setting", setting.Role, sql));
        }
    }

    public async Task MembershipsAsync(IEnumerable<RoleMembership> memberships, CancellationToken ct)
    {
        foreach (var m in memberships)
        {
            // Recorded as granted by the source's grantor, as pg_dumpall does: only a superuser may name another one.
            var grantor = _user.Superuser && m.Grantor is { } by && by != _user.Name && _roles.ContainsKey(by) ? by : null;
            var sql = RoleStatements.Membership(m, grantor);
            var missing = MissingRole(m.Group, m.Member);
            if (missing is not null) { Skip(sql, missing); continue; }
            await RunAsync($"role {Sql.Ident(m.Member)}", sql, ct);
            _grants.Add(new RoleAction("membership", m.Member, sql));
        }
    }

    public async Task GrantsAsync(IEnumerable<ObjectGrant> grants, CancellationToken ct)
    {
        foreach (var g in grants)
        {
            var sql = RoleStatements.Grant(g, _database);
            var missing = MissingObject(g);
            if (missing is not null) { Skip(sql, missing); continue; }
            // A grant passed on by a holder of the grant option is made as that role, so the target records the same
            // grantor (and a second run finds it made); by the owner when this user cannot act as that role, or that
            // role holds no grant option on the target (its own grant was not cloned).
            var made = g.Grantor is { } grantor && await CanActAsAsync(grantor, ct) ? await TryAsync(Sql.AsRole(grantor, sql), ct) : null;
            if (made is null) await RunAsync(ObjectName(g), made = sql, ct);
            _grants.Add(new RoleAction(g.Kind.ToString().ToLowerInvariant(), g.Grantee, made));
        }
    }

    public async Task DefaultPrivilegesAsync(IEnumerable<DefaultPrivilegeGrant> defaults, CancellationToken ct)
    {
        foreach (var d in defaults)
        {
            var sql = RoleStatements.DefaultPrivilege(d);
            var missing = MissingRole(d.Owner, d.Grantee)
                ?? (d.Schema is not null && !_objects.Contains(RoleCatalog.ObjectKey(GrantObjectKind.Schema, null, d.Schema, null, null)) ? $"schema {Sql.Ident(d.Schema)}" : null);
            if (missing is not null) { Skip(sql, missing); continue; }
            await RunAsync($"default privileges of role {Sql.Ident(d.Owner)}", sql, ct);
            _grants.Add(new RoleAction("default privileges", d.Grantee ?? "PUBLIC", sql));
        }
    }

    public async Task<RoleCloneResult> CommitAsync(CancellationToken ct)
    {
        try { await _tx.CommitAsync(ct); }
        catch (Exception e) when (e is not OperationCanceledException) { throw PgCloneException.FromDriver(_target, null, e); }
        return new RoleCloneResult(_created, _updated, _grants, _skipped, _settings);
    }

    /// <summary>Runs <paramref name="sql"/> behind a savepoint; null when the server refused it (rolled back, the transaction goes on).</summary>
    private async Task<string?> TryAsync(string sql, CancellationToken ct)
    {
        await RunAsync(null, "SAVEPOINT pgclone_try", ct);
        try
        {
            await using (var cmd = new NpgsqlCommand(sql, _conn, _tx)) await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException)
        {
            await RunAsync(null, "ROLLBACK TO SAVEPOINT pgclone_try", ct);
            return null;
        }
        await RunAsync(null, "RELEASE SAVEPOINT pgclone_try", ct);
        return sql;
    }

    private async Task<bool> CanActAsAsync(string role, CancellationToken ct)
    {
        if (!_roles.ContainsKey(role)) return false;
        if (_user.Superuser) return true;
        if (_canActAs.TryGetValue(role, out var can)) return can;
        await using var cmd = new NpgsqlCommand("SELECT pg_catalog.pg_has_role($1, 'MEMBER')", _conn, _tx) { Parameters = { new() { Value = role } } };
        return _canActAs[role] = (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private void Skip(string sql, string missing) => _skipped.Add(new SkippedGrant(sql, $"{missing} does not exist on the target"));

    private string? MissingRole(params string?[] roles) =>
        roles.OfType<string>().FirstOrDefault(r => !_roles.ContainsKey(r)) is { } r ? $"role {Sql.Ident(r)}" : null;

    /// <summary>The object a grant names when the target lacks it (a column's table first), else null.</summary>
    private string? MissingObject(ObjectGrant g)
    {
        if (g.Kind == GrantObjectKind.Database) return null;
        if (g.Kind == GrantObjectKind.Column && !_objects.Contains(RoleCatalog.ObjectKey(GrantObjectKind.Table, g.Schema, g.Name, null, null)))
            return $"table {Sql.Qualified(g.Schema!, g.Name)}";
        return _objects.Contains(RoleCatalog.ObjectKey(g.Kind, g.Schema, g.Name, g.Column, g.RoutineArguments)) ? null : ObjectName(g);
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

    private async Task RunAsync(string? objectName, string sql, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, _conn, _tx);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PgCloneException.FromDriver(_target, objectName, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _tx.DisposeAsync();
        await _conn.DisposeAsync();
    }
}
