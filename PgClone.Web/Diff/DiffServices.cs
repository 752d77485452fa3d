namespace PgClone.Web.Diff;

public static class DiffServices
{
    public static IServiceCollection AddPgCloneDiff(this IServiceCollection services) => services.AddSingleton<DiffService>();
}
