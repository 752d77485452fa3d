using System.Security.Claims;

namespace PgClone.Web.Runs;

/// <summary>Who submits a run, as the run records it.</summary>
public sealed record RunActor(string Kind, string Name)
{
    /// <summary>A principal built by the scheduler carries this claim with the schedule's name.</summary>
    public const string ScheduleClaim = "pgclone:schedule";
    /// <summary>Marks a principal that authenticated with an API token (see <see cref="ForRequest"/>).</summary>
    public const string TokenClaim = "pgclone:token";

    /// <summary>The caller of an API request, marked as a token when it authenticated with <c>Authorization: Bearer</c>.</summary>
    public static ClaimsPrincipal ForRequest(HttpContext context)
    {
        var user = context.User;
        if (!context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return user;
        var marked = new ClaimsPrincipal(user.Identities);
        marked.AddIdentity(new ClaimsIdentity([new Claim(TokenClaim, "API token")]));
        return marked;
    }

    public static RunActor From(ClaimsPrincipal user)
    {
        var name = user.Identity?.Name ?? "unknown";
        if (user.FindFirst(ScheduleClaim) is { } schedule) return new(RunActorKinds.Schedule, schedule.Value);
        if (user.HasClaim(c => c.Type == TokenClaim)) return new(RunActorKinds.Token, name);
        return new(RunActorKinds.User, name);
    }
}
