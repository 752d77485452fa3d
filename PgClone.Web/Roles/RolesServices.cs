namespace PgClone.Web.Roles;

public static class RolesServices
{
    public static IServiceCollection AddPgCloneRoles(this IServiceCollection services) => services.AddSingleton<RoleTemplatesService>();
}
