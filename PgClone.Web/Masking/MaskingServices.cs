namespace PgClone.Web.Masking;

/// <summary>The masking feature's wiring: stored policies and the engine work of the masking pages.</summary>
public static class MaskingServices
{
    public static IServiceCollection AddPgCloneMasking(this IServiceCollection services) => services
        .AddSingleton<MaskPoliciesService>()
        .AddScoped<MaskingWorkbench>()
        .AddScoped<RunEvidenceService>();
}
