using System.Security.Cryptography;
using System.Text;

namespace PgClone.Web.Connections;

/// <summary>
/// Npgsql reads a root certificate from a file, while the console stores the PEM text in its database. Each
/// distinct PEM is written once to a private directory (0700) as a file only the console's user can read (0600),
/// named by its SHA-256 so concurrent runs share it and a changed certificate gets a new file.
/// </summary>
public static class RootCertificateFiles
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), $"pgclone-ca-{Environment.UserName}");

    public static string PathFor(string pem)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pem)));
        var path = Path.Combine(Root, hash + ".pem");
        if (File.Exists(path)) return path;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Root);
        else Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temp = Path.Combine(Root, $"{hash}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new StreamWriter(temp, Encoding.ASCII, options)) file.Write(pem);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>Whether the text holds at least one PEM certificate block.</summary>
    public static bool LooksLikePem(string text) =>
        text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal) && text.Contains("-----END CERTIFICATE-----", StringComparison.Ordinal);
}
