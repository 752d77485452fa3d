using System.ComponentModel.DataAnnotations;
using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Web.Data;

namespace PgClone.Web.Connections;

/// <summary>
/// The connection form's model. A pasted libpq <c>key=value</c> string or <c>postgresql://</c> URI fills it
/// through the engine's one parser (<see cref="ConnInfo"/>); the password is write-only (an edit starts empty,
/// and empty keeps the stored one).
/// </summary>
public sealed class ConnectionDraft
{
    [Required(ErrorMessage = "Name is required."), StringLength(100, ErrorMessage = "Name is at most 100 characters.")]
    public string Name { get; set; } = "";

    public ConnectionEnvironment Environment { get; set; } = ConnectionEnvironment.Other;

    [Required(ErrorMessage = "Host is required."), StringLength(255)]
    public string Host { get; set; } = "";

    [Range(1, 65535, ErrorMessage = "Port must be between 1 and 65535.")]
    public int Port { get; set; } = 5432;

    [Required(ErrorMessage = "Database is required."), StringLength(63, ErrorMessage = "Database is at most 63 characters.")]
    public string Database { get; set; } = "";

    [Required(ErrorMessage = "User is required."), StringLength(63, ErrorMessage = "User is at most 63 characters.")]
    public string Username { get; set; } = "";

    public string? Password { get; set; }

    public SslMode SslMode { get; set; } = SslMode.Prefer;

    public string? RootCertificate { get; set; }

    [StringLength(4000, ErrorMessage = "Notes are at most 4000 characters.")]
    public string? Notes { get; set; }

    public static ConnectionDraft From(ConnectionSummary c) => new()
    {
        Name = c.Name, Environment = c.Environment, Host = c.Host, Port = c.Port, Database = c.Database, Username = c.Username,
        SslMode = c.SslMode, RootCertificate = c.RootCertificate, Notes = c.Notes,
    };

    public NewConnection ToNew() => new(Name, Host, Port, Database, Username, Password, SslMode, Environment, RootCertificate, Notes);

    /// <summary>
    /// Fills the connection fields from the pasted text (host, database, user and password when it names them;
    /// port and SSL mode always, with libpq's defaults); name, tag, certificate and notes keep their values. Returns null, or the reason the text is not a connection string.
    /// </summary>
    public string? Fill(string pasted)
    {
        NpgsqlConnectionStringBuilder csb;
        try
        {
            csb = ConnInfo.Parse(pasted);
        }
        catch (PgCloneException e)
        {
            return $"Not a connection string: {(e.InnerException ?? e).Message}";
        }
        Port = csb.Port; // libpq's defaults (5432, prefer) when the text names none, as psql would use
        // The console's connection has one host: of a list (or one host listed for target_session_attrs), the first.
        if (!string.IsNullOrEmpty(csb.Host))
        {
            var first = csb.Host.Split(',')[0];
            var colon = first.LastIndexOf(':');
            var hostWithPort = first.StartsWith('[') ? colon > 0 && first[colon - 1] == ']' : colon > 0 && first.IndexOf(':') == colon;
            if (hostWithPort && int.TryParse(first[(colon + 1)..], out var port))
                (first, Port) = (first[..colon].Trim('[', ']'), port);
            Host = first;
        }
        if (!string.IsNullOrEmpty(csb.Database)) Database = csb.Database;
        if (!string.IsNullOrEmpty(csb.Username)) Username = csb.Username;
        if (!string.IsNullOrEmpty(csb.Password)) Password = csb.Password;
        SslMode = csb.SslMode;
        return null;
    }
}
