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

    /// <summary>
    /// Wraps a driver error so the user sees the server, the object and PostgreSQL's own words. A lost connection
    /// says why (the server's message, or the socket's) rather than the driver's "Exception while reading from
    /// stream". A constraint violation's DETAIL is left out: it holds the failing row's values, which may be
    /// unmasked personal data, and must reach neither the console nor the logs.
    /// </summary>
    public static PgCloneException FromDriver(ServerEndpoint server, string? objectName, Exception error) => error switch
    {
        PgCloneException p => p,
        PostgresException pg when IsConstraintViolation(pg) => For(server, objectName, pg.MessageText, WithoutRowValues(pg)),
        PostgresException pg => For(server, objectName, pg.MessageText + (pg.Detail is { Length: > 0 } d ? $" ({d})" : ""), pg),
        NpgsqlException { InnerException: PostgresException pg } => FromDriver(server, objectName, pg),
        NpgsqlException { InnerException: System.Net.Sockets.SocketException s } n => For(server, objectName, $"cannot connect: {s.Message}", n),
        NpgsqlException { InnerException: IOException io } n => For(server, objectName, $"connection lost: {LostReason(io)}", n),
        NpgsqlException n when NoServerQualifies(n, server.Builder) is { } reason => For(server, objectName, reason, n),
        NpgsqlException n => For(server, objectName, n.Message, n),
        TimeoutException t => For(server, objectName, "timed out: " + t.Message, t),
        _ => For(server, objectName, error.Message, error),
    };

    /// <summary>Npgsql's "No suitable host was found." names no attribute; this names the one no server had.</summary>
    public static string? NoServerQualifies(Exception e, NpgsqlConnectionStringBuilder csb) =>
        e is NpgsqlException { InnerException: null } && csb.TargetSessionAttributes is { } attrs and not "any"
            && e.Message.StartsWith("No suitable host", StringComparison.Ordinal)
            ? $"no server is {attrs} (target_session_attrs={attrs})"
            : null;

    private static string LostReason(IOException io) => io switch
    {
        { InnerException: System.Net.Sockets.SocketException s } => s.Message,
        EndOfStreamException => "the server closed the connection unexpectedly (it may have stopped, restarted or ended the session)",
        _ => io.Message,
    };

    /// <summary>Integrity constraint violations (SQLSTATE class 23): their DETAIL names the row's values.</summary>
    private static bool IsConstraintViolation(PostgresException pg) => pg.SqlState.StartsWith("23", StringComparison.Ordinal);

    /// <summary>The same error without DETAIL and the failing statement's data (what callers test, SQLSTATE and names, is kept).</summary>
    private static PostgresException WithoutRowValues(PostgresException pg) => new(
        pg.MessageText, pg.Severity, pg.InvariantSeverity, pg.SqlState,
        schemaName: pg.SchemaName, tableName: pg.TableName, columnName: pg.ColumnName,
        dataTypeName: pg.DataTypeName, constraintName: pg.ConstraintName);
}
