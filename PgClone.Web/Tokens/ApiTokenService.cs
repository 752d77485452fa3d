using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PgClone.Core;
using PgClone.Web.Audit;
using PgClone.Web.Data;

namespace PgClone.Web.Tokens;

/// <summary>What a user sees of a token: never the secret, which exists only in <see cref="NewApiToken"/>.</summary>
public sealed record ApiTokenInfo(int Id, string Name, string Hint, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)
{
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}

/// <summary>A token just created: <see cref="Secret"/> is shown once and is not stored.</summary>
public sealed record NewApiToken(ApiTokenInfo Token, string Secret);

/// <summary>Personal API tokens: create (secret shown once), list, revoke, and find the token a request carries.</summary>
public sealed class ApiTokenService(IDbContextFactory<PgCloneDbContext> factory, AuditLog audit, TimeProvider time)
{
    /// <summary>Every token starts with this, so leaked tokens are recognisable (secret scanners, logs).</summary>
    public const string Prefix = "pgc_";
    public const int MaxLifetimeDays = 365;

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public async Task<NewApiToken> CreateAsync(string userId, string name, int lifetimeDays, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100) throw new PgCloneException("a token needs a name of 1 to 100 characters");
        if (lifetimeDays is < 1 or > MaxLifetimeDays) throw new PgCloneException($"a token's lifetime must be 1 to {MaxLifetimeDays} days");
        var secret = Prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var token = new ApiToken
        {
            UserId = userId, Name = name, Hash = Hash(secret), Hint = secret[..(Prefix.Length + 4)],
            CreatedAt = now, ExpiresAt = now.AddDays(lifetimeDays),
        };
        await using var db = await factory.CreateDbContextAsync(ct);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.TokenCreated, $"token #{token.Id} '{name}'", new { owner = await OwnerAsync(db, userId, ct), expiresAt = token.ExpiresAt }, ct: ct);
        return new NewApiToken(ToInfo(token), secret);
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderByDescending(t => t.CreatedAt).ToListAsync(ct);
        return tokens.Select(ToInfo).ToList();
    }

    /// <summary>Revokes one of the user's own tokens; false when the user has no such token.</summary>
    public async Task<bool> RevokeAsync(string userId, int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        if (await db.ApiTokens.Where(t => t.Id == id && t.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, t => t.RevokedAt ?? now), ct) == 0) return false;
        var name = await db.ApiTokens.Where(t => t.Id == id).Select(t => t.Name).SingleAsync(ct);
        await audit.RecordAsync(AuditActions.TokenRevoked, $"token #{id} '{name}'", new { owner = await OwnerAsync(db, userId, ct) }, ct: ct);
        return true;
    }

    private static Task<string?> OwnerAsync(PgCloneDbContext db, string userId, CancellationToken ct) =>
        db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(ct);

    /// <summary>The token with this secret and its owner, or null when unknown.</summary>
    public async Task<ApiToken?> FindAsync(string secret, CancellationToken ct = default)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var hash = Hash(secret);
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ApiTokens.AsNoTracking().Include(t => t.User).SingleOrDefaultAsync(t => t.Hash == hash, ct);
    }

    public async Task TouchAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        await db.ApiTokens.Where(t => t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
    }

    private static ApiTokenInfo ToInfo(ApiToken t) => new(t.Id, t.Name, t.Hint, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt);

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
