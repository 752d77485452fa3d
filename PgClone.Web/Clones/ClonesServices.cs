namespace PgClone.Web.Clones;

/// <summary>The new-clone wizard's wiring (its runs and profiles come from the Runs feature).</summary>
public static class ClonesServices
{
    public static IServiceCollection AddPgCloneClones(this IServiceCollection services) => services.AddScoped<CloneWizardService>();
}
