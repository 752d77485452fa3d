using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace PgClone.Web.Audit;

/// <summary>
/// Makes the circuit's user (and the address the circuit was opened from) the ambient audit actor while each
/// event of the circuit runs, so services called from interactive pages record who acted without being handed it.
/// </summary>
public sealed class AuditCircuitHandler(AuthenticationStateProvider auth, IHttpContextAccessor http) : CircuitHandler
{
    // The circuit starts inside the request of its SignalR connection: that request's address is the client's.
    private readonly string? _address = http.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        context =>
        {
            AuditContext.Current = new AuditContext.Circuit(async () => (await auth.GetAuthenticationStateAsync()).User, _address);
            return next(context);
        };
}
