using Npgsql;
using OpenTelemetry.Metrics;
using PgClone.Web.Security;

namespace PgClone.Web.Api;

/// <summary>
/// What the API needs beside its endpoints: problem+json for every error under the machine-facing paths
/// (including 401/403/404 that no endpoint wrote), the OpenAPI document, and Prometheus metrics when configured.
/// </summary>
public static class ApiServices
{
    public const string PrometheusSetting = "PgClone:Metrics:Prometheus";

    public static void AddPgCloneApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            switch (ctx.ProblemDetails.Status)
            {
                // Only the framework's bare 401/403 (authentication, policies); a service's refusal keeps its own line.
                case StatusCodes.Status401Unauthorized when ctx.ProblemDetails.Title is null or "Unauthorized":
                    ctx.ProblemDetails.Title = "Authentication required";
                    ctx.ProblemDetails.Detail = "Log in, or send 'Authorization: Bearer <token>' with a valid personal API token (My account → API tokens).";
                    break;
                case StatusCodes.Status403Forbidden when ctx.ProblemDetails.Title is null or "Forbidden":
                    ctx.ProblemDetails.Title = "Not allowed";
                    ctx.ProblemDetails.Detail = "Your role may not do this; see the authorization matrix in README.";
                    break;
                case StatusCodes.Status404NotFound when ctx.ProblemDetails.Title is null or "Not Found":
                    ctx.ProblemDetails.Title = "Not found";
                    ctx.ProblemDetails.Detail ??= $"No API endpoint or object at {ctx.HttpContext.Request.Path}.";
                    break;
            }
        });
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "PgClone console API";
            document.Info.Description = "Authenticate with 'Authorization: Bearer <token>' (a personal API token from My account) or the console's login cookie.";
            return Task.CompletedTask;
        }));
        if (configuration.GetValue<bool>(PrometheusSetting))
            services.AddOpenTelemetry().WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddNpgsqlInstrumentation(_ => { })
                .AddMeter("System.Runtime")
                .AddPrometheusExporter());
    }

    /// <summary>Empty error responses under the API paths become problem+json (the challenge's 401, a 404, ...).</summary>
    public static void UseApiProblems(this WebApplication app) =>
        app.UseWhen(ctx => SecurityServices.IsApiPath(ctx.Request.Path), branch => branch.UseStatusCodePages());

    /// <summary>Prometheus text at /metrics, for Admins and Auditors (a scraper uses one of their API tokens).</summary>
    public static void MapPgCloneMetrics(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>(PrometheusSetting))
            app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Policies.ReadMetrics);
    }
}
