using Microsoft.AspNetCore.Authorization;
using PgClone.Web.Data;

namespace PgClone.Web.Security;

/// <summary>
/// What each console role may do, written once. Every action is an ASP.NET Core policy of the same name, applied
/// alike to pages (<c>[Authorize(Policy = Policies.Run)]</c>), API endpoints (<c>.RequireAuthorization(Policies.Run)</c>)
/// and the SignalR hub. Per-connection rights (which connections an Operator may use as source or target) narrow
/// <see cref="Policies.UseAsSource"/> and <see cref="Policies.UseAsTarget"/> further in the connection service.
/// README's authorization table is this matrix.
/// </summary>
public static class AuthorizationMatrix
{
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> RolesByPolicy = new Dictionary<string, IReadOnlyList<string>>
    {
        [Policies.View] = [AppRoles.Admin, AppRoles.Operator, AppRoles.Auditor],
        [Policies.Create] = [AppRoles.Admin, AppRoles.Operator],
        [Policies.Edit] = [AppRoles.Admin, AppRoles.Operator],
        [Policies.Delete] = [AppRoles.Admin, AppRoles.Operator],
        [Policies.UseAsSource] = [AppRoles.Admin, AppRoles.Operator],
        [Policies.UseAsTarget] = [AppRoles.Admin, AppRoles.Operator],
        [Policies.Run] = [AppRoles.Admin, AppRoles.Operator],
        [Policies.Cancel] = [AppRoles.Admin, AppRoles.Operator],
        [Policies.ReadHistory] = [AppRoles.Admin, AppRoles.Operator, AppRoles.Auditor],
        [Policies.ReadAudit] = [AppRoles.Admin, AppRoles.Auditor],
        [Policies.ManageConnections] = [AppRoles.Admin],
        [Policies.ManageUsers] = [AppRoles.Admin],
        [Policies.ManageTokens] = [AppRoles.Admin, AppRoles.Operator, AppRoles.Auditor],
        [Policies.OwnAccount] = [AppRoles.Admin, AppRoles.Operator, AppRoles.Auditor],
        [Policies.ReadMetrics] = [AppRoles.Admin, AppRoles.Auditor],
    };

    public static bool Allows(string role, string policy) => RolesByPolicy[policy].Contains(role);

    public static AuthorizationBuilder AddPgClonePolicies(this AuthorizationBuilder builder, params string[] schemes)
    {
        foreach (var (policy, roles) in RolesByPolicy)
            builder.AddPolicy(policy, p => p.AddAuthenticationSchemes(schemes).RequireAuthenticatedUser().RequireRole(roles));
        return builder;
    }
}

/// <summary>The console's actions; each is a policy name (see <see cref="AuthorizationMatrix"/>).</summary>
public static class Policies
{
    /// <summary>Open the console's pages and list what exists (connections granted to the user, runs, profiles).</summary>
    public const string View = "view";
    /// <summary>Create clone profiles, masking policies, role templates and schedules.</summary>
    public const string Create = "create";
    public const string Edit = "edit";
    public const string Delete = "delete";
    public const string UseAsSource = "use-as-source";
    public const string UseAsTarget = "use-as-target";
    /// <summary>Start a run (wizard, profile, API) and resume one.</summary>
    public const string Run = "run";
    public const string Cancel = "cancel";
    /// <summary>Runs, their per-table results and evidence.</summary>
    public const string ReadHistory = "read-history";
    public const string ReadAudit = "read-audit";
    /// <summary>Create, edit, delete and grant connections.</summary>
    public const string ManageConnections = "manage-connections";
    public const string ManageUsers = "manage-users";
    /// <summary>One's own personal API tokens.</summary>
    public const string ManageTokens = "manage-tokens";
    /// <summary>One's own account: who am I, change my password.</summary>
    public const string OwnAccount = "own-account";
    /// <summary>The Prometheus metrics at /metrics.</summary>
    public const string ReadMetrics = "read-metrics";
}
