using PgClone.Web.Connections;

namespace PgClone.Web.Data;

/// <summary>
/// The right to use one connection on one side of a clone, given either to a console role (Admin, Operator,
/// Auditor) or to one user. Admins need no grant; see <see cref="ConnectionService"/>.
/// </summary>
public sealed class ConnectionGrant
{
    public int Id { get; set; }
    public int ConnectionId { get; set; }
    public ConnectionUse Use { get; set; }
    /// <summary>A role name, or null when the grant is to <see cref="UserId"/>.</summary>
    public string? Role { get; set; }
    /// <summary>An Identity user id, or null when the grant is to <see cref="Role"/>.</summary>
    public string? UserId { get; set; }
}
