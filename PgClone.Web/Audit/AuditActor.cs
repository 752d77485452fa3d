using System.Security.Claims;
using PgClone.Web.Runs;

namespace PgClone.Web.Audit;

/// <summary>Who did an audited action and from where (the client's IP address when there is a client).</summary>
public sealed record AuditActor(string Kind, string Name, string? Address)
{
    public const string System = "system";
    public const string Anonymous = "anonymous";

    /// <summary>The console itself (a run finishing, a recovery at start-up).</summary>
    public static readonly AuditActor Console = new(System, "console", null);

    /// <summary>A signed-in user, an API token's owner or a schedule, as runs record them (<see cref="RunActor"/>).</summary>
    public static AuditActor From(ClaimsPrincipal user, string? address)
    {
        if (user.Identity?.IsAuthenticated != true && user.FindFirst(RunActor.ScheduleClaim) is null) return new(Anonymous, "anonymous", address);
        var actor = RunActor.From(user);
        return new(actor.Kind, actor.Name, address);
    }
}

/// <summary>
/// Who is acting in the code running now, for services that are not handed a principal: set per Blazor circuit
/// event (<see cref="AuditCircuitHandler"/>); HTTP requests are read from the current HttpContext instead.
/// </summary>
public static class AuditContext
{
    private static readonly AsyncLocal<Circuit?> Ambient = new();

    /// <summary>The circuit's user (read when needed: it can change during the circuit) and the address it was opened from.</summary>
    public sealed record Circuit(Func<Task<ClaimsPrincipal>> User, string? Address);

    public static Circuit? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }
}
