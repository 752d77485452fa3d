using Npgsql;

namespace PgClone.Web.Data;

/// <summary>
/// A registered PostgreSQL server (one database on it). The password is stored encrypted with ASP.NET Core
/// Data Protection (see <see cref="PgClone.Web.Connections.ConnectionService"/>); nothing else reads it.
/// </summary>
public sealed class Connection
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Host { get; set; }
    public int Port { get; set; } = 5432;
    public required string Database { get; set; }
    public required string Username { get; set; }
    public string? PasswordEncrypted { get; set; }
    public SslMode SslMode { get; set; } = SslMode.Prefer;
    /// <summary>PEM text of the CA certificate(s) that sign the server's certificate (for Verify-CA / Verify-Full).</summary>
    public string? RootCertificate { get; set; }
    public ConnectionEnvironment Environment { get; set; } = ConnectionEnvironment.Other;
    public string? Notes { get; set; }
    public List<ConnectionGrant> Grants { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

/// <summary>The environment tag shown as a coloured chip, so nobody mistakes production for a scratch server.</summary>
public enum ConnectionEnvironment { Other, Production, Staging, Development }
