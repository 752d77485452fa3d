using PgClone.Web.Runs;

namespace PgClone.Web.Schedules;

/// <summary>The schedules feature's wiring. Its Quartz jobs run in the scheduler <see cref="RunsServices"/> sets up.</summary>
public static class SchedulesServices
{
    public static IServiceCollection AddPgCloneSchedules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SchedulesOptions>().Bind(configuration.GetSection(SchedulesOptions.Section));
        services.AddSingleton<ScheduleTriggers>();
        services.AddSingleton<ScheduleOwner>();
        services.AddSingleton<SchedulesService>();
        services.AddSingleton<IRunOutcomeListener, WebhookNotifier>();
        services.AddHttpClient(WebhookJob.HttpClientName);
        return services;
    }
}
