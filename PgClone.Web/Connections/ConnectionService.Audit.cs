using PgClone.Web.Audit;

namespace PgClone.Web.Connections;

// Audit entries of connection changes: what the connection is (name, address, user, environment), never its password.
public sealed partial class ConnectionService
{
    private async Task<ConnectionSummary> AuditedAsync(string action, int id, IReadOnlyList<string>? changed, CancellationToken ct, string? duplicateOf = null)
    {
        var summary = await GetAsync(id, ct);
        object details = changed is not null ? new { connection = Details(summary), changed }
            : duplicateOf is not null ? new { connection = Details(summary), duplicateOf }
            : Details(summary);
        await audit.RecordAsync(action, Subject(summary), details, id, ct: ct);
        return summary;
    }

    private static string Subject(ConnectionSummary c) => $"connection '{c.Name}'";

    private static object Details(ConnectionSummary c) => new
    {
        c.Id, c.Name, c.Address, c.Username, Environment = c.Environment.ToString(), SslMode = c.SslMode.ToString(), c.HasPassword,
    };
}
