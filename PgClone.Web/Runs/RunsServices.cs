using Npgsql;
using PgClone.Web.Data;
using Quartz;

namespace PgClone.Web.Runs;

/// <summary>The runs feature's wiring: services, the clustered Quartz scheduler, the hub, progress publishing and relay.</summary>
public static class RunsServices
{
    /// <summary>The Quartz scheduler every console instance joins: one cluster in the shared store.</summary>
    public const string SchedulerName = "pgclone";

    public static IServiceCollection AddPgCloneRuns(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(RunsOptions.Section);
        services.AddOptions<RunsOptions>().Bind(section);
        var settings = section.Get<RunsOptions>() ?? new RunsOptions();

        services.AddSingleton<ConsoleDataSource>();
        services.AddSingleton<RunAdmission>();
        services.AddSingleton<RunScheduler>();
        services.AddSingleton<RunTargets>();
        services.AddSingleton<RunsService>();
        services.AddSingleton<ProfilesService>();
        services.AddSingleton<EfCheckpointStore>();
        services.AddSingleton<RunningRuns>();
        services.AddSingleton<ConsoleMaskingSecret>();
        services.AddSingleton<RunExecutor>();
        services.AddSingleton<RunProgressBroker>();
        services.AddSingleton<ConsoleInstances>();
        services.AddScoped<RunProgressFeed>();
        services.AddSingleton<RunProgressPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<RunProgressPublisher>());
        services.AddSingleton<ProgressRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<ProgressRelay>());
        services.AddSignalR();

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = SchedulerName;
                if (settings.InstanceId is { Length: > 0 } id) o.InstanceId = id;
                // How soon an idle instance sees runs queued by another one.
                o.IdleWaitTime = settings.PollInterval;
                // A shutdown asks running runs to stop and waits: they hand their firing back for recovery.
                o.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            });
            q.UseDefaultThreadPool(Math.Max(1, settings.MaxConcurrentRunsPerInstance));
            q.UsePersistentStore(s =>
            {
                s.UsePostgres(o => o.DataSourceFactory = sp => sp.GetRequiredService<ConsoleDataSource>().Source);
                s.UseSystemTextJsonSerializer();
                s.ProvisionSchema();
                s.UseClustering(c =>
                {
                    c.CheckinInterval = settings.ClusterCheckinInterval;
                    c.CheckinMisfireThreshold = settings.ClusterCheckinMisfireThreshold;
                });
                s.ConfigureStore(o => o.RecoverFiringsCancelledByShutdown = true);
            });
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddHostedService<InterruptedRuns>();
        return services;
    }

    public static WebApplication MapPgCloneRuns(this WebApplication app)
    {
        app.MapHub<ProgressHub>(ProgressHub.Path);
        return app;
    }
}
