using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PgClone.Web.Components.Pages.Account;
using PgClone.Web.Data;

namespace PgClone.Web.Security;

/// <summary>
/// Identity with cookies, a fallback policy that makes every endpoint require a login unless it says
/// [AllowAnonymous], 401 instead of a redirect under /api, and the Data Protection key ring in the database.
/// </summary>
public static class SecurityServices
{
    public const string LoginPath = "/Account/Login";

    public static void AddPgCloneSecurity(this IServiceCollection services)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = LoginPath;
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "PgClone.Auth";
            o.Events.OnRedirectToLogin = ctx => ApiAwareRedirect(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiAwareRedirect(ctx, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPgClonePolicies(IdentityConstants.ApplicationScheme);

        services.AddIdentityCore<ApplicationUser>(o =>
            {
                o.Password.RequiredLength = 8;
                o.User.RequireUniqueEmail = true;
                o.Lockout.MaxFailedAccessAttempts = 10;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PgCloneDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddDataProtection().SetApplicationName("PgClone");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
            o.XmlRepository = new DbXmlRepository(sp)));

        services.AddSingleton<FirstRunState>();
    }

    private static Task ApiAwareRedirect(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
            ctx.Response.StatusCode = status;
        else
            ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>While no user exists, every console page leads to the first-run page.</summary>
    public static void UseFirstRunRedirect(this WebApplication app) => app.Use(async (context, next) =>
    {
        var page = context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>();
        if (page is not null && page.Type != typeof(FirstRun) && HttpMethods.IsGet(context.Request.Method)
            && !await context.RequestServices.GetRequiredService<FirstRunState>().AnyUserAsync(context.RequestAborted))
        {
            context.Response.Redirect(FirstRun.Path);
            return;
        }
        await next(context);
    });

    public static void MapAccountEndpoints(this WebApplication app) =>
        app.MapPost("/Account/Logout", async Task<IResult> (HttpContext context, IAntiforgery antiforgery, SignInManager<ApplicationUser> signIn) =>
        {
            // Nothing binds the form here, so the token is checked explicitly: no cross-site logouts.
            if (!await antiforgery.IsRequestValidAsync(context)) return TypedResults.BadRequest();
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("~" + LoginPath);
        });
}
