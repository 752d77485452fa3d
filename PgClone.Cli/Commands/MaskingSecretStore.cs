using System.Security.Cryptography;
using PgClone.Core;
using PgClone.Core.Masking;

namespace PgClone.Cli.Commands;

/// <summary>
/// The command line's masking secret: PGCLONE_MASK_SECRET when set, else a 32-byte random key created once at
/// ~/.config/pgclone/mask.key (mode 0600) and reused, so keyed masks stay the same from run to run.
/// </summary>
internal static class MaskingSecretStore
{
    public const string EnvironmentVariable = "PGCLONE_MASK_SECRET";

    public static string KeyFile => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "pgclone", "mask.key");

    /// <summary>What the clone verbs give the engine: the secret is read (or the key file created) only when a keyed rule needs it.</summary>
    public static Func<CloneRequest, IColumnMasker?> MaskerFactory() => request => MaskingFactory.Create(request, Load);

    public static MaskingSecret Load()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } text) return MaskingSecret.FromText(text);
        var path = KeyFile;
        try
        {
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var key = RandomNumberGenerator.GetBytes(32);
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var file = new FileStream(path, options);
                file.Write(key);
                return new MaskingSecret(key);
            }
            var bytes = File.ReadAllBytes(path);
            return bytes.Length == 32 ? new MaskingSecret(bytes) : throw new PgCloneException($"masking key file {path} must hold 32 bytes, it holds {bytes.Length}");
        }
        catch (IOException e) when (File.Exists(path) && e is not FileNotFoundException)
        {
            // Another pgclone created the file between our check and our create: use theirs.
            var bytes = File.ReadAllBytes(path);
            return new MaskingSecret(bytes);
        }
        catch (UnauthorizedAccessException e) { throw new PgCloneException($"cannot read or create the masking key file {path}: {e.Message}; set {EnvironmentVariable} instead", e); }
    }
}
