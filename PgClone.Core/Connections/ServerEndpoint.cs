using System.Text;
using Npgsql;

namespace PgClone.Core.Connections;

/// <summary>
/// Which side of a clone a server is on; used in every error message. <see cref="Server"/> is a server looked at
/// outside a clone (a connection's test, browsing it): read as a source is, named as a connection.
/// </summary>
public enum ServerRole { Source, Target, Server }

public static class ServerRoles
{
    /// <summary>"source", "target" or "connection", as messages name a server.</summary>
    public static string Word(this ServerRole role) => role switch
    {
        ServerRole.Source => "source",
        ServerRole.Target => "target",
        _ => "connection",
    };

    /// <summary>Whether the engine only reads it (a source, or a server looked at): read-only sessions, SQL_ASCII read byte for byte.</summary>
    public static bool Reads(this ServerRole role) => role != ServerRole.Target;
}

/// <summary>
/// A server PgClone talks to: its role, a display name (the console's connection name, or host:port), and the
/// Npgsql connection string. Every error about a server is phrased through <see cref="Describe"/>.
/// </summary>
public sealed record ServerEndpoint(ServerRole Role, string Name, string ConnectionString)
{
    public static ServerEndpoint Parse(ServerRole role, string conninfo, string? name = null)
    {
        var csb = ConnInfo.Parse(conninfo, role);
        return new ServerEndpoint(role, name ?? $"{Distinct(csb.Host)}:{csb.Port}/{csb.Database}", csb.ConnectionString);
    }

    public NpgsqlConnectionStringBuilder Builder => new(ConnectionString);

    /// <summary>The host, or the host list without repeats (a single host with target_session_attrs is listed twice).</summary>
    public string Host => Distinct(Builder.Host);

    private static string Distinct(string? hosts) => hosts is null ? "localhost" : string.Join(",", hosts.Split(',').Distinct());
    public int Port => Builder.Port;
    public string? Database => Builder.Database;

    /// <summary>source 'prod' (db.example:5432)</summary>
    public string Describe() => $"{Role.Word()} '{Name}' ({Host}:{Port})";

    /// <summary>The same server, another database.</summary>
    public ServerEndpoint WithDatabase(string database)
    {
        var b = Builder;
        b.Database = database;
        return this with { ConnectionString = b.ConnectionString };
    }

    /// <summary>
    /// Opens a connection to this server; any failure (refused, wrong password, unknown database) becomes one
    /// PgCloneException that names the server. <paramref name="settings"/> replaces the connection string when a
    /// caller tunes it (pooling, application_name, buffers). A source database in SQL_ASCII is read byte for byte
    /// (see <see cref="SqlAsciiDatabases"/>); a target is written so when <paramref name="textFromSqlAscii"/> says what
    /// is written there comes from such a source (asked once the target's own start-up is done, so both start at
    /// once). A UTF8 source's text is written as UTF-8 to a SQL_ASCII target, as a restore of pg_dump's output writes it.
    /// </summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct, NpgsqlConnectionStringBuilder? settings = null, Func<Task<bool>>? textFromSqlAscii = null)
    {
        var csb = new NpgsqlConnectionStringBuilder(settings?.ConnectionString ?? ConnectionString);
        // A client encoding the user chose is theirs.
        if (!string.IsNullOrEmpty(csb.ClientEncoding)) return await OpenOnceAsync(csb, ct);
        var database = (csb.Host, csb.Port, csb.Database);
        async Task<bool> Wanted() => Role.Reads() || textFromSqlAscii is not null && await textFromSqlAscii();
        var byteForByte = ByteForByte(new NpgsqlConnectionStringBuilder(csb.ConnectionString));
        if (SqlAsciiDatabases.ContainsKey(database) && await Wanted())
        {
            var known = await OpenOnceAsync(byteForByte, ct);
            if (IsSqlAsciiServer(known)) return known;
            // Created again since, in another encoding.
            SqlAsciiDatabases.TryRemove(database, out _);
            await known.DisposeAsync();
        }
        NpgsqlConnection conn;
        try { conn = await OpenOnceAsync(csb, ct); }
        catch (PgCloneException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire })
        {
            // Refused its start-up (Npgsql reads the enum labels then): only a SQL_ASCII database holds text that is not UTF-8.
            if (!await Wanted()) throw;
            conn = await OpenOnceAsync(byteForByte, ct);
            if (IsSqlAsciiServer(conn))
            {
                SqlAsciiDatabases[database] = true;
                return conn;
            }
            await conn.DisposeAsync();
            throw;
        }
        var sqlAscii = IsSqlAsciiServer(conn);
        if (sqlAscii) SqlAsciiDatabases[database] = true;
        // A source is read byte for byte when it is SQL_ASCII; a target is written so whenever its text comes from such
        // a source, whatever its own encoding, as a restore of pg_dump's output sends it: the server checks the bytes
        // are valid there (UTF-8 names arrive encoded once).
        if (!(Role.Reads() ? sqlAscii : await Wanted())) return conn;
        await conn.DisposeAsync();
        return await OpenOnceAsync(byteForByte, ct);
    }

    private static bool IsSqlAsciiServer(NpgsqlConnection conn) => DatabaseEncoding(conn) == SqlAscii;

    /// <summary>The connected database's encoding, as the server reports it (UTF8, LATIN1, SQL_ASCII...).</summary>
    public static string DatabaseEncoding(NpgsqlConnection conn) => conn.PostgresParameters.GetValueOrDefault("server_encoding") ?? "";

    /// <summary>Whether the connection reads and writes a SQL_ASCII database byte for byte.</summary>
    public static bool IsByteForByte(NpgsqlConnection conn) => conn.PostgresParameters.GetValueOrDefault("client_encoding") == SqlAscii;

    private async Task<NpgsqlConnection> OpenOnceAsync(NpgsqlConnectionStringBuilder csb, CancellationToken ct)
    {
        // Every literal PgClone writes is a standard string ('a\b' is a, backslash, b), as pg_dump's script sets it: a
        // target database with standard_conforming_strings = off read them as escapes (defaults, checks, comments and
        // views lost their backslashes, silently). No statement timeout either: the driver's first query (it loads the
        // server's types) ran under the database's or role's, and a short one (or a large catalog) cancelled the open;
        // nor an idle-session one (PostgreSQL 14 and later), which ended the session before its first SET.
        var server = (csb.Host, csb.Port);
        var idle = NoIdleSessionTimeout.ContainsKey(server) ? "" : " -c idle_session_timeout=0";
        var started = new NpgsqlConnectionStringBuilder(csb.ConnectionString) { Options = $"{csb.Options} -c standard_conforming_strings=on -c statement_timeout=0{idle}".TrimStart() };
        var conn = new NpgsqlConnection(started.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            return conn;
        }
        catch (PostgresException e) when (idle.Length > 0 && e.SqlState == PostgresErrorCodes.UndefinedObject && e.MessageText.Contains("idle_session_timeout"))
        {
            await conn.DisposeAsync();
            NoIdleSessionTimeout[server] = true;
            return await OpenOnceAsync(csb, ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or NotSupportedException or ArgumentException)
        {
            await conn.DisposeAsync();
            // A start-up failure reads as a connection's test words it: the one thing to fix.
            var cause = e as PostgresException ?? e.InnerException as PostgresException ?? e;
            throw PgCloneException.For(this, null, ServerProbe.Explain(cause, csb, TimeSpan.FromSeconds(csb.Timeout)), cause);
        }
    }

    internal const string SqlAscii = "SQL_ASCII";

    /// <summary>
    /// Databases (host, port, name) whose encoding is SQL_ASCII: their text is bytes in no declared encoding, and
    /// a UTF8 client is refused any byte over 127 that is not valid UTF-8 ("invalid byte sequence"), so every read of
    /// such a name, comment or value failed. They are read and written as pg_dump does, with client_encoding SQL_ASCII
    /// (no conversion), and in Latin-1 strings (one char per byte), so every byte goes through unchanged.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string?, int, string?), bool> SqlAsciiDatabases = new();

    /// <summary>Servers older than PostgreSQL 14, which refuse idle_session_timeout as a start-up option.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string?, int), bool> NoIdleSessionTimeout = new();

    /// <summary>
    /// Text a user typed (a name to look up) as a byte-for-byte session reads the same characters stored in UTF-8,
    /// which most SQL_ASCII databases hold: one char per byte of its UTF-8.
    /// </summary>
    public static string AsByteForByte(string typed) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(typed));

    private static NpgsqlConnectionStringBuilder ByteForByte(NpgsqlConnectionStringBuilder csb)
    {
        csb.ClientEncoding = SqlAscii;
        csb.Encoding = "ISO-8859-1";
        return csb;
    }

    public override string ToString() => Describe();
}
