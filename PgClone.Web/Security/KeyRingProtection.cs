using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;
using PgClone.Core;
using PgClone.Web.Data;
using PgClone.Web.Embedded;

namespace PgClone.Web.Security;

/// <summary>
/// The Data Protection key ring lives in the PgClone database beside the secrets it protects, so its keys are
/// encrypted with something kept elsewhere: a certificate (PFX file), or a 256-bit key from a setting
/// (environment variable) or a file. In embedded mode with neither, the console generates that key file beside
/// the data directory (mode 0600). On an existing server with neither, keys stay unencrypted and start-up warns.
/// </summary>
public static partial class KeyRingProtection
{
    public const string EmbeddedKeyFileSuffix = ".keyring-key";

    public static void AddKeyRingProtection(this IDataProtectionBuilder builder, IConfiguration configuration)
    {
        var options = configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        if (!string.IsNullOrWhiteSpace(options.KeyRingCertificatePath))
        {
            builder.ProtectKeysWithCertificate(LoadCertificate(options.KeyRingCertificatePath, options.KeyRingCertificatePassword));
            return;
        }
        var embedded = string.IsNullOrEmpty(configuration.GetConnectionString(PgCloneDatabase.ConnectionStringName));
        if (string.IsNullOrWhiteSpace(options.KeyRingKey) && string.IsNullOrWhiteSpace(options.KeyRingKeyFile) && !embedded)
        {
            builder.Services.AddHostedService<UnprotectedKeyRingWarning>();
            return;
        }
        builder.Services.AddSingleton(sp => KeyRingKey.Resolve(options, sp.GetRequiredService<IOptions<PgCloneOptions>>().Value));
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
            o.XmlEncryptor = new AesGcmXmlEncryptor(sp.GetRequiredService<KeyRingKey>())));
    }

    private static X509Certificate2 LoadCertificate(string path, string? password)
    {
        try { return X509CertificateLoader.LoadPkcs12FromFile(path, password); }
        catch (CryptographicException e)
        {
            throw new PgCloneException($"PgClone:Security:KeyRingCertificatePath {path}: cannot load the certificate: {e.Message}", e);
        }
    }

    private sealed partial class UnprotectedKeyRingWarning(ILogger<UnprotectedKeyRingWarning> log) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            LogUnprotected();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "The Data Protection key ring is stored unencrypted in the PgClone database: " +
            "set PgClone:Security:KeyRingCertificatePath, PgClone:Security:KeyRingKey or PgClone:Security:KeyRingKeyFile (see README, Security)")]
        private partial void LogUnprotected();
    }
}

/// <summary>The 256-bit key that encrypts the key ring's keys.</summary>
public sealed class KeyRingKey(byte[] key)
{
    public byte[] Key { get; } = key.Length == 32 ? key : throw new PgCloneException("the key-ring key must be 32 bytes (256 bits), base64-encoded");

    /// <summary>A short fingerprint stored with each encrypted key, so a wrong key fails with a clear message.</summary>
    public string Id { get; } = Convert.ToHexString(SHA256.HashData(key))[..16];

    public static KeyRingKey Resolve(SecurityOptions options, PgCloneOptions pgclone)
    {
        if (!string.IsNullOrWhiteSpace(options.KeyRingKey)) return Parse(options.KeyRingKey, "PgClone:Security:KeyRingKey");
        var file = !string.IsNullOrWhiteSpace(options.KeyRingKeyFile)
            ? options.KeyRingKeyFile
            : pgclone.ResolvedDataDirectory + KeyRingProtection.EmbeddedKeyFileSuffix;
        if (string.IsNullOrWhiteSpace(options.KeyRingKeyFile) && !File.Exists(file)) CreateKeyFile(file);
        try { return Parse(File.ReadAllText(file), file); }
        catch (IOException e) { throw new PgCloneException($"key-ring key file {file}: {e.Message}", e); }
    }

    private static KeyRingKey Parse(string base64, string source)
    {
        try { return new KeyRingKey(Convert.FromBase64String(base64.Trim())); }
        catch (FormatException) { throw new PgCloneException($"{source}: not a base64 key (create one with: openssl rand -base64 32)"); }
    }

    private static void CreateKeyFile(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(file, options);
        stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
    }
}

/// <summary>AES-256-GCM over a key element's XML; the output names <see cref="AesGcmXmlDecryptor"/>.</summary>
public sealed class AesGcmXmlEncryptor(KeyRingKey key) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var cipher = new byte[plain.Length];
        using (var aes = new AesGcm(key.Key, tag.Length)) aes.Encrypt(nonce, plain, cipher, tag);
        var element = new XElement("pgcloneEncryptedKey", new XAttribute("keyId", key.Id),
            new XElement("value", Convert.ToBase64String([.. nonce, .. tag, .. cipher])));
        return new EncryptedXmlInfo(element, typeof(AesGcmXmlDecryptor));
    }
}

/// <summary>Created by Data Protection by type name, hence the service-provider constructor.</summary>
public sealed class AesGcmXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetService<KeyRingKey>()
            ?? throw new PgCloneException("the Data Protection key ring is encrypted, but no key-ring key is configured (PgClone:Security:KeyRingKey or KeyRingKeyFile)");
        if ((string?)encryptedElement.Attribute("keyId") != key.Id)
            throw new PgCloneException($"the Data Protection key ring was encrypted with key-ring key {(string?)encryptedElement.Attribute("keyId")}, not the configured {key.Id}");
        var data = Convert.FromBase64String((string)encryptedElement.Element("value")!);
        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        var plain = new byte[data.Length - nonceSize - tagSize];
        using (var aes = new AesGcm(key.Key, tagSize))
            aes.Decrypt(data.AsSpan(0, nonceSize), data.AsSpan(nonceSize + tagSize), data.AsSpan(nonceSize, tagSize), plain);
        return XElement.Parse(Encoding.UTF8.GetString(plain));
    }
}
