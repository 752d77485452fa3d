using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PgClone.Web.Components.Pages.Account;
using PgClone.Web.Data;
using PgClone.Web.Tokens;
using PgClone.Web.Users;

namespace PgClone.Web.Security;

/// <summary>
/// Identity with cookies and personal API tokens, a fallback policy that makes every endpoint require a login
/// unless it says [AllowAnonymous], 401/403 instead of a redirect for the API, and the Data Protection key ring
/// in the database (its keys encrypted, see <see cref="KeyRingProtection"/>).
/// </summary>
public static class SecurityServices
{
    public const string LoginPath = "/Account/Login";
    public const string AccessDeniedPath = "/Account/AccessDenied";
    public const string ChangePasswordPath = "/account/password";

    /// <summary>Machine-facing paths: they answer 401/403 (problem+json), never a redirect to the login page.</summary>
    public static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/metrics");

    public static void AddPgCloneSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section));
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = LoginPath;
            o.AccessDeniedPath = AccessDeniedPath;
            o.Cookie.Name = "PgClone.Auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Events.OnRedirectToLogin = ctx => ApiAwareRedirect(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiAwareRedirect(ctx, StatusCodes.Status403Forbidden);
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        // Each request re-reads the user: a new security stamp (logout, password or role change, disabling)
        // ends every session at once, and roles are always current.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(IdentityConstants.ApplicationScheme, ApiTokenHandler.SchemeName).RequireAuthenticatedUser().Build())
            .AddPgClonePolicies(IdentityConstants.ApplicationScheme, ApiTokenHandler.SchemeName);

        services.AddIdentityCore<ApplicationUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddClaimsPrincipalFactory<PgCloneClaimsFactory>()
            .AddEntityFrameworkStores<PgCloneDbContext>()
            .AddSignInManager<PgCloneSignInManager>()
            .AddDefaultTokenProviders();
        services.TryAddScoped<ISecurityStampValidator, SecurityStampValidator<ApplicationUser>>();
        services.AddOptions<IdentityOptions>().Configure<IOptions<SecurityOptions>>((o, security) =>
        {
            o.Password.RequiredLength = security.Value.PasswordMinLength;
            o.Lockout.MaxFailedAccessAttempts = security.Value.MaxFailedSignIns;
            o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(security.Value.LockoutMinutes);
        });

        var dataProtection = services.AddDataProtection().SetApplicationName("PgClone");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
            o.XmlRepository = new DbXmlRepository(sp)));
        dataProtection.AddKeyRingProtection(configuration);

        services.AddSignInThrottle();
        services.AddSingleton<FirstRunState>();
        services.AddSingleton<SignInEvents>();
        services.AddScoped<ConsoleSignIn>();
        services.AddSingleton<UserService>();
        services.AddSingleton<ApiTokenService>();
    }

    private static Task ApiAwareRedirect(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (IsApiPath(ctx.Request.Path))
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

    /// <summary>A user who must change the password sees only the password page until it is done.</summary>
    public static void UsePasswordChangeRedirect(this WebApplication app) => app.Use(async (context, next) =>
    {
        var page = context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>();
        if (page is not null && page.Type != typeof(ChangePassword) && context.User.HasClaim(c => c.Type == PgCloneClaimsFactory.MustChangePassword))
        {
            context.Response.Redirect(ChangePasswordPath);
            return;
        }
        await next(context);
    });

    public static void MapAccountEndpoints(this WebApplication app) =>
        app.MapPost("/Account/Logout", async Task<IResult> (HttpContext context, IAntiforgery antiforgery, ConsoleSignIn signIn, ClaimsPrincipal user) =>
        {
            // Nothing binds the form here, so the token is checked explicitly: no cross-site logouts.
            if (!await antiforgery.IsRequestValidAsync(context)) return TypedResults.BadRequest();
            await signIn.SignOutAsync(user);
            return TypedResults.LocalRedirect("~" + LoginPath);
        });
}
