using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core;

/// <summary>
/// A failure the user can act on. The message names the server and, when there is one, the object:
/// <c>source 'prod' (db.example:5432): table "sales"."orders" does not exist</c>.
/// </summary>
public class PgCloneException : Exception
{
    public PgCloneException(string message, Exception? inner = null) : base(message, inner) { }

    public ServerEndpoint? Server { get; init; }
    public string? ObjectName { get; init; }

    public static PgCloneException For(ServerEndpoint server, string? objectName, string problem, Exception? inner = null) =>
        new($"{server.Describe()}: {(objectName is null ? "" : objectName + ": ")}{problem}", inner)
        { Server = server, ObjectName = objectName };

    /// <summary>Wraps a driver error so the user sees the server, the object and PostgreSQL's own words.</summary>
    public static PgCloneException FromDriver(ServerEndpoint server, string? objectName, Exception error) => error switch
    {
        PgCloneException p => p,
        PostgresException pg => For(server, objectName, pg.MessageText + (pg.Detail is { Length: > 0 } d ? $" ({d})" : ""), pg),
        NpgsqlException { InnerException: System.Net.Sockets.SocketException s } n => For(server, objectName, $"cannot connect: {s.Message}", n),
        NpgsqlException n => For(server, objectName, n.Message, n),
        TimeoutException t => For(server, objectName, "timed out: " + t.Message, t),
        _ => For(server, objectName, error.Message, error),
    };
}
