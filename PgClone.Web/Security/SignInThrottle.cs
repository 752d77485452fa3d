using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace PgClone.Web.Security;

/// <summary>
/// Sign-in attempts per client address (ASP.NET Core's rate limiter): a guesser is slowed down long before
/// lockouts pile up. The login page opts in with <c>[EnableRateLimiting(SignInThrottle.Policy)]</c>; only posts
/// count. Behind a reverse proxy, configure forwarded headers so the address is the client's.
/// </summary>
public static class SignInThrottle
{
    public const string Policy = "sign-in";
    public const string Message = "Too many sign-in attempts from your address; try again in a minute.";

    public static void AddSignInThrottle(this IServiceCollection services) => services.AddRateLimiter(o =>
    {
        o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        o.AddPolicy(Policy, context =>
        {
            if (!HttpMethods.IsPost(context.Request.Method)) return RateLimitPartition.GetNoLimiter("read");
            var perMinute = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value.SignInAttemptsPerMinute;
            return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
        });
        o.OnRejected = async (rejected, ct) =>
        {
            var context = rejected.HttpContext;
            await context.RequestServices.GetRequiredService<SignInEvents>().ThrottledAsync(context.Connection.RemoteIpAddress?.ToString());
            context.Response.Headers.RetryAfter = "60";
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(Message, ct);
        };
    });
}
