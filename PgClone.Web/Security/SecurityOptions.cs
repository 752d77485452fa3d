namespace PgClone.Web.Security;

/// <summary>The "PgClone:Security" configuration section: sign-in rules and where the key-ring key comes from.</summary>
public sealed class SecurityOptions
{
    public const string Section = "PgClone:Security";

    /// <summary>Minimum password length for every console user.</summary>
    public int PasswordMinLength { get; set; } = 12;

    /// <summary>Wrong passwords in a row that lock an account.</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>How long a lock lasts unless an Admin unlocks the account first.</summary>
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Sign-in attempts (login form posts) allowed per client address per minute; more get 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary>Data Protection key-ring encryption: a PFX certificate file and its password...</summary>
    public string? KeyRingCertificatePath { get; set; }
    public string? KeyRingCertificatePassword { get; set; }

    /// <summary>...or a 256-bit key, base64, given directly (e.g. through an environment variable)...</summary>
    public string? KeyRingKey { get; set; }

    /// <summary>...or read from a file holding that base64 key.</summary>
    public string? KeyRingKeyFile { get; set; }
}
