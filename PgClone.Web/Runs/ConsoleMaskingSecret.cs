using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using PgClone.Core.Masking;
using PgClone.Web.Data;

namespace PgClone.Web.Runs;

/// <summary>
/// The key of keyed mask rules for runs of the console, the same on every instance (so a value masks alike whichever
/// instance runs the clone): <c>PgClone:MaskingSecret</c> when set; otherwise one the console generates once and keeps
/// in its database, encrypted with Data Protection, so keyed rules (discovery suggests them) work out of the box.
/// </summary>
public sealed class ConsoleMaskingSecret(IConfiguration configuration, IDbContextFactory<PgCloneDbContext> factory, IDataProtectionProvider protection)
{
    public const string Setting = "PgClone:MaskingSecret";
    private const string Name = "masking-secret";

    private MaskingSecret? _generated;

    /// <summary>Whether the secret comes from the console's configuration rather than its database.</summary>
    public bool Configured => configuration[Setting] is { Length: > 0 };

    public MaskingSecret Get() => configuration[Setting] is { Length: > 0 } text
        ? MaskingSecret.FromText(text)
        : _generated ?? throw new InvalidOperationException($"{nameof(EnsureAsync)} was not called at start-up");

    /// <summary>
    /// Without a configured secret, reads the generated one, creating it first if no instance has: the first insert
    /// wins, and every instance then reads that one. Called once at start-up, after the migrations.
    /// </summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        if (Configured) return;
        var protector = protection.CreateProtector("PgClone.MaskingSecret");
        await using var db = await factory.CreateDbContextAsync(ct);
        var fresh = protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO console_secrets ("Name", "ValueEncrypted", "CreatedAt") VALUES ({Name}, {fresh}, now()) ON CONFLICT ("Name") DO NOTHING
            """, ct);
        var stored = await db.ConsoleSecrets.AsNoTracking().Where(s => s.Name == Name).Select(s => s.ValueEncrypted).SingleAsync(ct);
        _generated = MaskingSecret.FromText(protector.Unprotect(stored));
    }
}
