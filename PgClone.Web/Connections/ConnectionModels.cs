using System.Text.Json.Serialization;
using Npgsql;
using PgClone.Web.Data;

namespace PgClone.Web.Connections;

/// <summary>
/// What the console shows of a connection: everything but the password, of which only its presence is told
/// (<see cref="HasPassword"/>). This is also the API's representation.
/// </summary>
public sealed record ConnectionSummary(int Id, string Name, string Host, int Port, string Database, string Username,
    [property: JsonConverter(typeof(JsonStringEnumConverter<SslMode>))] SslMode SslMode,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt, string UpdatedBy,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ConnectionEnvironment>))] ConnectionEnvironment Environment = ConnectionEnvironment.Other, bool HasPassword = false, string? Notes = null, string? RootCertificate = null)
{
    /// <summary>host:port/database, as the list shows it.</summary>
    public string Address => $"{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}/{Database}";
}

/// <summary>The side of a clone a connection is used on; per-connection rights are granted per side.</summary>
public enum ConnectionUse { Source, Target }

/// <summary>
/// What a user types to register or change a connection. On an update an empty <see cref="Password"/> keeps the
/// stored one.
/// </summary>
public sealed record NewConnection(string Name, string Host, int Port, string Database, string Username, string? Password,
    [property: JsonConverter(typeof(JsonStringEnumConverter<SslMode>))] SslMode SslMode = SslMode.Prefer,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ConnectionEnvironment>))] ConnectionEnvironment Environment = ConnectionEnvironment.Other,
    string? RootCertificate = null, string? Notes = null);

/// <summary>
/// Who may use a connection on each side: console roles and users (by user name). Admins need no grant.
/// </summary>
public sealed record ConnectionRights(IReadOnlyList<string> SourceRoles, IReadOnlyList<string> SourceUsers,
    IReadOnlyList<string> TargetRoles, IReadOnlyList<string> TargetUsers)
{
    public static readonly ConnectionRights None = new([], [], [], []);
}

/// <summary>Something saved that refers to a connection (a clone profile, a schedule), named for a delete confirmation.</summary>
public sealed record ConnectionUsage(string Kind, string Name)
{
    public override string ToString() => $"{Kind} '{Name}'";
}
