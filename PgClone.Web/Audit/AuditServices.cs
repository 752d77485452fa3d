using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PgClone.Web.Audit;

public static class AuditServices
{
    public static IServiceCollection AddPgCloneAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditExport>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, AuditCircuitHandler>());
        return services;
    }
}
