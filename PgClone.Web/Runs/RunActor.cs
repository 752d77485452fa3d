using System.Security.Claims;

namespace PgClone.Web.Runs;

/// <summary>Who submits a run, as the run records it.</summary>
public sealed record RunActor(string Kind, string Name)
{
    /// <summary>A principal built by the scheduler carries this claim with the schedule's name.</summary>
    public const string ScheduleClaim = "pgclone:schedule";
    /// <summary>The API token scheme puts the token's name in this claim.</summary>
    public const string TokenClaim = "pgclone:token";

    public static RunActor From(ClaimsPrincipal user)
    {
        var name = user.Identity?.Name ?? "unknown";
        if (user.FindFirst(ScheduleClaim) is { } schedule) return new(RunActorKinds.Schedule, schedule.Value);
        if (user.FindFirst(TokenClaim) is { } token) return new(RunActorKinds.Token, $"{name} ({token.Value})");
        if (user.Identity?.AuthenticationType is { } type && type.Contains("token", StringComparison.OrdinalIgnoreCase))
            return new(RunActorKinds.Token, name);
        return new(RunActorKinds.User, name);
    }
}
