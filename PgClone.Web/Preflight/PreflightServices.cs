namespace PgClone.Web.Preflight;

/// <summary>The preflight's wiring (the wizard's summary and /api/v1/preflight).</summary>
public static class PreflightServices
{
    public static IServiceCollection AddPgClonePreflight(this IServiceCollection services) => services.AddScoped<PreflightService>();
}
