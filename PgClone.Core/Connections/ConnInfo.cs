using System.Text;
using Npgsql;

namespace PgClone.Core.Connections;

/// <summary>
/// Turns what a user types — libpq <c>key=value</c> pairs, a <c>postgresql://</c> URI, or an Npgsql
/// <c>Key=Value;</c> string — into an Npgsql connection string, and adds the settings a long clone needs.
/// </summary>
public static class ConnInfo
{
    private static readonly Dictionary<string, string> LibpqToNpgsql = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "Host", ["hostaddr"] = "Host", ["dbname"] = "Database", ["user"] = "Username",
        ["password"] = "Password", ["passfile"] = "Passfile", ["sslmode"] = "SSL Mode", ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate", ["sslkey"] = "SSL Key", ["sslpassword"] = "SSL Password",
        ["connect_timeout"] = "Timeout", ["application_name"] = "Application Name", ["options"] = "Options",
        ["keepalives"] = "Tcp Keepalive",
        ["keepalives_idle"] = "Tcp Keepalive Time", ["keepalives_interval"] = "Tcp Keepalive Interval",
        ["client_encoding"] = "Client Encoding", ["gssencmode"] = "GSS Encryption Mode",
        ["channel_binding"] = "Channel Binding", ["krbsrvname"] = "Kerberos Service Name", ["load_balance_hosts"] = "Load Balance Hosts",
    };

    /// <summary>
    /// The other libpq connection keywords (PostgreSQL 15 and later). Npgsql has no setting for them, so they are
    /// accepted and have the meaning libpq gives them where that is also Npgsql's behaviour: the operating system's
    /// keepalive count and TCP user timeout, SNI, the TLS versions the platform negotiates; GSS and peer options
    /// that only apply to other platforms or socket types; options of later libpq versions.
    /// </summary>
    private static readonly HashSet<string> AcceptedWithoutSetting = new(StringComparer.OrdinalIgnoreCase)
    {
        "keepalives_count", "tcp_user_timeout", "sslsni", "ssl_min_protocol_version", "ssl_max_protocol_version", "sslcompression",
        "sslcrl", "sslcrldir", "requirepeer", "gsslib", "replication", "sslcertmode", "require_auth", "gssdelegation",
    };

    /// <summary>Parses any accepted form. Throws <see cref="PgCloneException"/> with the reason on bad input.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string conninfo, ServerRole role = ServerRole.Source)
    {
        var side = role.Word();
        if (string.IsNullOrWhiteSpace(conninfo)) throw new PgCloneException($"{side}: connection string is empty");
        NpgsqlConnectionStringBuilder csb;
        try
        {
            var text = conninfo.Trim();
            csb = text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
                ? FromPairs(ParseUri(text))
                : text.Contains(';') || !text.Contains(' ') && text.Contains("=") && LooksLikeNpgsql(text)
                    ? ListSingleHostTwice(new NpgsqlConnectionStringBuilder(text))
                    : FromPairs(ParseKeyValue(text));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new PgCloneException($"{side}: invalid connection string: {e.Message}", e);
        }
        ApplyDefaults(csb, role);
        return csb;
    }

    private static bool LooksLikeNpgsql(string text)
    {
        var key = text[..text.IndexOf('=')].Trim();
        return !LibpqToNpgsql.ContainsKey(key) && !AcceptedWithoutSetting.Contains(key) && key.ToLowerInvariant() is not ("fallback_application_name" or "requiressl" or "service" or "port" or "target_session_attrs");
    }

    private static NpgsqlConnectionStringBuilder FromPairs(IEnumerable<KeyValuePair<string, string>> given)
    {
        var pairs = given.ToList();
        // A service's parameters come first, so the ones given explicitly override them.
        if (pairs.FindLast(p => p.Key.Equals("service", StringComparison.OrdinalIgnoreCase)) is { Value: { } service })
            pairs = [.. ServiceFile.Lookup(service), .. pairs.Where(p => !p.Key.Equals("service", StringComparison.OrdinalIgnoreCase))];
        var csb = new NpgsqlConnectionStringBuilder();
        string? fallbackName = null, ports = null, sessionAttrs = null;
        foreach (var (key, value) in pairs)
        {
            if (AcceptedWithoutSetting.Contains(key)) continue;
            if (key.Equals("port", StringComparison.OrdinalIgnoreCase)) { ports = value; continue; }
            if (key.Equals("target_session_attrs", StringComparison.OrdinalIgnoreCase)) { sessionAttrs = value; continue; }
            // fallback_application_name applies when no application_name is given; requiressl=1 is sslmode=require.
            if (key.Equals("fallback_application_name", StringComparison.OrdinalIgnoreCase)) { fallbackName = value; continue; }
            if (key.Equals("requiressl", StringComparison.OrdinalIgnoreCase))
            {
                if (value == "1") csb.SslMode = SslMode.Require;
                continue;
            }
            if (!LibpqToNpgsql.TryGetValue(key, out var npgsqlKey))
                throw new FormatException($"unknown connection parameter '{key}'");
            csb[npgsqlKey] = npgsqlKey switch
            {
                "Tcp Keepalive" => value is "1" or "true" or "on" ? "true" : "false",
                "Load Balance Hosts" => value == "random" ? "true" : "false",
                "SSL Mode" => value switch { "disable" => "Disable", "allow" => "Allow", "prefer" => "Prefer", "require" => "Require", "verify-ca" => "VerifyCA", "verify-full" => "VerifyFull", _ => throw new FormatException($"invalid sslmode '{value}'") },
                _ => value,
            };
        }
        if (fallbackName is not null && string.IsNullOrEmpty(csb.ApplicationName)) csb.ApplicationName = fallbackName;
        ApplyHostList(csb, ports, sessionAttrs);
        return csb;
    }

    private static readonly string[] SessionAttrs = ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"];

    /// <summary>
    /// libpq's host lists: <c>host=a,b port=5432,5433</c> pairs each host with its port (one port serves them all),
    /// which Npgsql writes as <c>a:5432,b:5433</c>. <c>target_session_attrs</c> other than <c>any</c> holds for one host
    /// too in libpq (the session is refused when the server does not qualify), while Npgsql accepts it only with
    /// several hosts: a single host is listed twice, so Npgsql checks it the same way and connects to it alone.
    /// </summary>
    private static void ApplyHostList(NpgsqlConnectionStringBuilder csb, string? ports, string? sessionAttrs)
    {
        var hosts = string.IsNullOrEmpty(csb.Host) ? [] : csb.Host.Split(',');
        if (ports is not null)
        {
            var list = ports.Split(',');
            foreach (var p in list)
                if (p.Length > 0 && !ushort.TryParse(p, out _)) throw new FormatException($"invalid port '{p}'");
            if (list.Length == 1) { if (list[0].Length > 0) csb.Port = int.Parse(list[0]); }
            else if (list.Length != Math.Max(hosts.Length, 1))
                throw new FormatException($"could not match {list.Length} port numbers to {Math.Max(hosts.Length, 1)} hosts");
            else
            {
                if (hosts.Length == 0) hosts = ["localhost"];
                hosts = [.. hosts.Select((h, i) => list[i].Length == 0 ? h : $"{(h.Contains(':') ? $"[{h}]" : h)}:{list[i]}")];
                csb.Host = string.Join(",", hosts);
            }
        }
        if (sessionAttrs is null) return;
        if (!SessionAttrs.Contains(sessionAttrs))
            throw new FormatException($"invalid target_session_attrs value: \"{sessionAttrs}\" (one of {string.Join(", ", SessionAttrs)})");
        csb["Target Session Attributes"] = sessionAttrs;
        ListSingleHostTwice(csb);
    }

    private static NpgsqlConnectionStringBuilder ListSingleHostTwice(NpgsqlConnectionStringBuilder csb)
    {
        if (csb.TargetSessionAttributes is null or "any" || csb.Host?.Contains(',') == true) return csb;
        var host = string.IsNullOrEmpty(csb.Host) ? "localhost" : csb.Host;
        csb.Host = $"{host},{host}";
        return csb;
    }

    /// <summary>libpq's key = value syntax: values may be single-quoted with \' and \\ escapes.</summary>
    internal static List<KeyValuePair<string, string>> ParseKeyValue(string text)
    {
        var result = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) return result;
            var keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i])) i++;
            var key = text[keyStart..i];
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length || text[i] != '=') throw new FormatException($"missing \"=\" after \"{key}\"");
            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length) throw new FormatException("unterminated quoted string");
                    if (text[i] == '\\' && i + 1 < text.Length) { value.Append(text[i + 1]); i += 2; continue; }
                    if (text[i] == '\'') { i++; break; }
                    value.Append(text[i++]);
                }
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    if (text[i] == '\\' && i + 1 < text.Length) { value.Append(text[i + 1]); i += 2; continue; }
                    value.Append(text[i++]);
                }
            }
            result.Add(new(key, value.ToString()));
        }
    }

    /// <summary>postgresql://user:password@host:port/dbname?key=value, percent-decoded.</summary>
    internal static List<KeyValuePair<string, string>> ParseUri(string text)
    {
        var result = new List<KeyValuePair<string, string>>();
        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string? query = null;
        var q = rest.IndexOf('?');
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        var slash = rest.IndexOf('/');
        var authority = slash >= 0 ? rest[..slash] : rest;
        if (slash >= 0 && slash + 1 < rest.Length) result.Add(new("dbname", Decode(rest[(slash + 1)..])));
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            result.Add(new("user", Decode(colon >= 0 ? userInfo[..colon] : userInfo)));
            if (colon >= 0) result.Add(new("password", Decode(userInfo[(colon + 1)..])));
        }
        if (authority.Length > 0)
        {
            string host = authority, port = "";
            if (authority.StartsWith('['))
            {
                var close = authority.IndexOf(']');
                if (close < 0) throw new FormatException("unterminated [IPv6] host");
                host = authority[1..close];
                if (close + 1 < authority.Length && authority[close + 1] == ':') port = authority[(close + 2)..];
            }
            else if (authority.LastIndexOf(':') is var c and >= 0)
            {
                host = authority[..c];
                port = authority[(c + 1)..];
            }
            if (host.Length > 0) result.Add(new("host", Decode(host)));
            if (port.Length > 0)
            {
                if (!int.TryParse(port, out _)) throw new FormatException($"invalid port '{port}'");
                result.Add(new("port", port));
            }
        }
        if (query is not null)
            foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=');
                if (eq < 0) throw new FormatException($"missing \"=\" in URI parameter \"{part}\"");
                result.Add(new(Decode(part[..eq]), Decode(part[(eq + 1)..])));
            }
        return result;
    }

    /// <summary>Percent-decoding that refuses a '%' not followed by two hex digits (libpq refuses it too).</summary>
    private static string Decode(string part)
    {
        for (var i = part.IndexOf('%'); i >= 0; i = part.IndexOf('%', i + 1))
            if (i + 2 >= part.Length || !Uri.IsHexDigit(part[i + 1]) || !Uri.IsHexDigit(part[i + 2]))
                throw new FormatException($"invalid percent-encoded token in URI at \"{part[i..Math.Min(part.Length, i + 3)]}\"");
        return Uri.UnescapeDataString(part);
    }

    /// <summary>
    /// A clone holds source connections open for a long time inside one snapshot: keepalives stop idle
    /// firewalls from cutting them, unless the user chose otherwise.
    /// </summary>
    private static void ApplyDefaults(NpgsqlConnectionStringBuilder csb, ServerRole role)
    {
        if (string.IsNullOrEmpty(csb.ApplicationName)) csb.ApplicationName = "pgclone";
        if (role.Reads() && !csb.TcpKeepAlive && csb.TcpKeepAliveTime == 0 && csb.KeepAlive == 0)
        {
            csb.TcpKeepAlive = true;
            csb.TcpKeepAliveTime = 30;
            csb.TcpKeepAliveInterval = 10;
        }
        csb.IncludeErrorDetail = true;
        // Commands may legitimately run for hours (COPY of a large table, index builds).
        csb.CommandTimeout = 0;
        // libpq's gssencmode=prefer asks the server for GSS encryption only when a Kerberos credential cache is at
        // hand; Npgsql's Prefer loads the GSS libraries and asks on every connection: 5-30 ms before a run's first
        // query on this machine. Without a sign of Kerberos, the connection goes as libpq's would: without asking.
        if (!IsSet(csb, "GSS Encryption Mode") && !KerberosAtHand.Value) csb.GssEncryptionMode = GssEncryptionMode.Disable;
    }

    private static bool IsSet(NpgsqlConnectionStringBuilder csb, string key) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = csb.ConnectionString }.ContainsKey(key);

    /// <summary>A Kerberos configuration or credential cache libpq could use (Windows: SSPI, always); looked for once per process.</summary>
    private static readonly Lazy<bool> KerberosAtHand = new(() =>
        OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable("KRB5CCNAME") is { Length: > 0 } || File.Exists("/etc/krb5.conf")
        || Directory.Exists("/tmp") && Directory.EnumerateFiles("/tmp", "krb5cc_*").Any());
}
