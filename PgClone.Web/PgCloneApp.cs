using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using PgClone.Core;
using PgClone.Web.Api;
using PgClone.Web.Audit;
using PgClone.Web.Clones;
using PgClone.Web.Masking;
using PgClone.Web.Components;
using PgClone.Web.Connections;
using PgClone.Web.Data;
using PgClone.Web.Diff;
using PgClone.Web.Embedded;
using PgClone.Web.Health;
using PgClone.Web.Roles;
using PgClone.Web.Preflight;
using PgClone.Web.Runs;
using PgClone.Web.Schedules;
using PgClone.Web.Security;
using MudBlazor.Services;


namespace PgClone.Web;

/// <summary>The console's wiring, so Program.cs stays a handful of lines.</summary>
public static class PgCloneApp
{
    public static WebApplicationBuilder AddPgClone(this WebApplicationBuilder builder)
    {
        // `dotnet run` from the build output is not Development unless told so; without this the packages'
        // assets (_content/MudBlazor/...) are not found there and the console loads unstyled. Published
        // output carries the assets itself, and then this is a no-op.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        services.AddOptions<PgCloneOptions>().Bind(builder.Configuration.GetSection(PgCloneOptions.Section));
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<PgCloneDatabase>();
        services.AddDbContextFactory<PgCloneDbContext>(PgCloneDatabase.Configure);
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PgCloneDbContext>>().CreateDbContext());
        services.AddSingleton<EmbeddedServer>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedServer>());
        services.AddSingleton<DemoDatabases>();
        services.AddSingleton<ConnectionService>();
        services.AddPgCloneRuns(builder.Configuration);
        services.AddPgCloneClones();
        services.AddPgCloneAudit();
        services.AddPgCloneRoles();
        services.AddPgCloneDiff();
        services.AddPgCloneMasking();
        services.AddPgCloneSchedules(builder.Configuration);
        services.AddPgClonePreflight();

        // A page's prerendered state ([PersistentState]) comes back from the browser in the circuit's first message:
        // a run of 337 tables sent 100 kB, the dashboard after a few runs 39 kB, and SignalR's default limit (32 kB)
        // closed the circuit, leaving a page that never updated nor answered a click. 4 MB holds a run of about
        // 10,000 tables.
        services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(o => o.MaximumReceiveMessageSize = 4 * 1024 * 1024);
        services.AddMudServices(o => o.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
        services.AddHttpContextAccessor();
        services.AddPgCloneApi(builder.Configuration);
        services.AddPgCloneHealth();
        services.AddPgCloneSecurity(builder.Configuration); // after the Razor components: its AuthenticationStateProvider wins
        return builder;
    }

    public static WebApplication MapPgClone(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseSecurityHeaders();
        app.UseApiProblems();
        app.UseAuthentication();
        app.UseFirstRunRedirect();
        app.UseAuthorization();
        app.UsePasswordChangeRedirect();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        // frame-ancestors is in the console's own CSP (SecurityHeaders): no second policy header from Blazor.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        app.MapAccountEndpoints();
        app.MapPgCloneApi();
        app.MapPgCloneHealth();
        app.MapPgCloneRuns();
        return app;
    }

    /// <summary>
    /// Starts the console: the embedded server when no connection string is configured, migrations, demo data,
    /// then the web host. A <see cref="PgCloneException"/> during start-up is one line on stderr and exit code 1.
    /// </summary>
    public static async Task<int> RunPgCloneAsync(this WebApplication app)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PgClone");
        var embedded = app.Services.GetRequiredService<EmbeddedServer>();
        // The host handles Ctrl+C only once it runs; until then a signal must still stop the embedded server.
        using (var cancel = new CancellationTokenSource())
        using (PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); }))
        using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); }))
        {
            try
            {
                await PrepareDatabaseAsync(app, cancel.Token);
            }
            catch (PgCloneException e)
            {
                await embedded.StopAsync(CancellationToken.None);
                await Console.Error.WriteLineAsync($"pgclone: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                await embedded.StopAsync(CancellationToken.None);
                await Console.Error.WriteLineAsync("pgclone: cancelled during start-up");
                return 130;
            }
        }
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var url in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
                log.LogInformation("PgClone console: {Url}", url);
        });
        await app.RunAsync();
        return 0;
    }

    private static async Task PrepareDatabaseAsync(WebApplication app, CancellationToken ct)
    {
        var database = app.Services.GetRequiredService<PgCloneDatabase>();
        if (!database.IsEmbedded)
        {
            await database.MigrateAsync(ct);
            // Resolved only now: its Data Protection key ring needs the database (and, embedded, the data directory).
            await app.Services.GetRequiredService<ConsoleMaskingSecret>().EnsureAsync(ct);
            return;
        }
        var embedded = app.Services.GetRequiredService<EmbeddedServer>();
        var cluster = await embedded.StartAsync(ct);
        await EmbeddedServer.CreateDatabaseIfMissingAsync(cluster, PgCloneDatabase.EmbeddedDatabaseName, ct);
        database.ConnectionString = cluster.ConnectionString(PgCloneDatabase.EmbeddedDatabaseName);
        await database.MigrateAsync(ct);
        await app.Services.GetRequiredService<ConsoleMaskingSecret>().EnsureAsync(ct);
        if (embedded.PreviousPort is { } old)
            await app.Services.GetRequiredService<ConnectionService>().MovePortAsync("127.0.0.1", old, cluster.Port, ct);
        await app.Services.GetRequiredService<DemoDatabases>().EnsureAsync(cluster, ct);
    }
}
