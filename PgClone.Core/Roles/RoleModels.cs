namespace PgClone.Core.Roles;

/// <summary>A role's attributes as the source stores them; <see cref="PasswordHash"/> is the pg_authid text (SCRAM or md5).</summary>
public sealed record RoleDefinition(
    string Name,
    bool Login,
    bool Superuser,
    bool CreateDb,
    bool CreateRole,
    bool Replication,
    bool BypassRls,
    bool Inherit,
    int ConnectionLimit,
    string? ValidUntil,
    string? PasswordHash);

/// <summary><c>GRANT "Group" TO "Member" [WITH ADMIN OPTION] [GRANTED BY "Grantor"]</c>; Grantor null when unknown (dropped).</summary>
public sealed record RoleMembership(string Group, string Member, bool AdminOption)
{
    public string? Grantor { get; init; }
}

/// <summary>
/// <c>ALTER ROLE "Role" [IN DATABASE ...] SET Name TO Value</c>: a per-role setting (pg_db_role_setting), for every
/// database or (InDatabase) for the connected one; Value is the text PostgreSQL stores.
/// </summary>
public sealed record RoleSetting(string Role, bool InDatabase, string Name, string Value);

/// <summary>The kinds of objects whose ACLs are cloned; Column grants carry the column name.</summary>
public enum GrantObjectKind { Database, Schema, Table, Sequence, Column, Routine, Type }

/// <summary>
/// One GRANT statement on one object to one grantee: the privileges that share the same grant option.
/// Schema is null for databases and schemas (their name is in Name); RoutineArguments is the identity argument list.
/// </summary>
public sealed record ObjectGrant(
    GrantObjectKind Kind,
    string? Schema,
    string Name,
    string? Column,
    string? RoutineArguments,
    string Grantee,
    IReadOnlyList<string> Privileges,
    bool Grantable)
{
    /// <summary>The role that granted, when not the object's owner (a holder of the grant option passed it on).</summary>
    public string? Grantor { get; init; }
}

/// <summary>One ALTER DEFAULT PRIVILEGES entry; Schema null means every schema, Grantee null means PUBLIC.</summary>
public sealed record DefaultPrivilegeGrant(
    string Owner,
    string? Schema,
    char ObjectType,
    string? Grantee,
    IReadOnlyList<string> Privileges,
    bool Grantable);

/// <summary>Which roles to clone and how. Roles and NamePrefix both narrow the set; neither means every non-system role.</summary>
public sealed record RoleCloneOptions
{
    public IReadOnlyList<string>? Roles { get; init; }
    public string? NamePrefix { get; init; }
    public bool NoPasswords { get; init; }
}

/// <summary>What happened to one role or grant: the statement run on the target (passwords shown as '***').</summary>
public sealed record RoleAction(string Kind, string Name, string Statement);

/// <summary>A grant that was not applied because its object (or a role it names) does not exist on the target.</summary>
public sealed record SkippedGrant(string Statement, string Reason);

public sealed record RoleCloneResult(
    IReadOnlyList<RoleAction> Created,
    IReadOnlyList<RoleAction> Updated,
    IReadOnlyList<RoleAction> Grants,
    IReadOnlyList<SkippedGrant> Skipped,
    IReadOnlyList<RoleAction> Settings)
{
    public string Summary => $"{Created.Count} roles created, {Updated.Count} updated, {Grants.Count} grants applied" +
                             (Settings.Count > 0 ? $", {Settings.Count} settings applied" : "") +
                             (Skipped.Count > 0 ? $", {Skipped.Count} skipped" : "");
}
