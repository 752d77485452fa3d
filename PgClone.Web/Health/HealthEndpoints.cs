using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PgClone.Web.Data;

namespace PgClone.Web.Health;

/// <summary>
/// For load balancers and orchestrators, anonymous: <c>/healthz</c> says the process answers, <c>/readyz</c> that
/// the console database is reachable and fully migrated. Both answer only Healthy or Unhealthy (503), nothing else.
/// </summary>
public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static void AddPgCloneHealth(this IServiceCollection services) =>
        services.AddHealthChecks().AddCheck<ConsoleDatabaseCheck>("console-database", tags: [Ready]);

    public static void MapPgCloneHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready) }).AllowAnonymous();
    }

    private sealed class ConsoleDatabaseCheck(IServiceScopeFactory scopes) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PgCloneDbContext>>().CreateDbContextAsync(ct);
                if (!await db.Database.CanConnectAsync(ct)) return HealthCheckResult.Unhealthy("unreachable");
                return (await db.Database.GetPendingMigrationsAsync(ct)).Any()
                    ? HealthCheckResult.Unhealthy("migrations pending")
                    : HealthCheckResult.Healthy();
            }
            catch (InvalidOperationException) // the embedded server is not started yet
            {
                return HealthCheckResult.Unhealthy("starting");
            }
        }
    }
}
