namespace PgClone.Web.Data;

/// <summary>The console's roles; seeded by the initial migration.</summary>
public static class AppRoles
{
    public const string Admin = "Admin";
    public const string Operator = "Operator";
    public const string Auditor = "Auditor";

    public static readonly IReadOnlyList<string> All = [Admin, Operator, Auditor];
}
