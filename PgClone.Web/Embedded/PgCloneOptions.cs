namespace PgClone.Web.Embedded;

/// <summary>The "PgClone" configuration section.</summary>
public sealed class PgCloneOptions
{
    public const string Section = "PgClone";

    /// <summary>Where the embedded server keeps its cluster; see <see cref="DefaultDataDirectory"/>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The embedded server's port; 0 = the port it used last time when free, else any free port.</summary>
    public int EmbeddedPort { get; set; }

    /// <summary>Colon-separated directories holding initdb and pg_ctl; empty = PATH, then /usr/lib/postgresql/*/bin.</summary>
    public string? PostgresBinPath { get; set; }

    public string ResolvedDataDirectory => Path.GetFullPath(string.IsNullOrWhiteSpace(DataDirectory) ? DefaultDataDirectory() : DataDirectory);

    public IReadOnlyList<string>? BinSearchPath => string.IsNullOrWhiteSpace(PostgresBinPath)
        ? null
        : PostgresBinPath.Split(':', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The user's local application data (~/.local/share/PgClone/pgdata on Linux). As root the server runs as the
    /// postgres user, who cannot traverse /root, so root gets /var/lib/pgclone/pgdata instead.
    /// </summary>
    public static string DefaultDataDirectory()
    {
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Environment.UserName == "root" || string.IsNullOrEmpty(local)
            ? "/var/lib/pgclone/pgdata"
            : Path.Combine(local, "PgClone", "pgdata");
    }
}
