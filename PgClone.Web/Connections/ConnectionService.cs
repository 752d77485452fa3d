using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Web.Data;
using PgClone.Web.Security;
using System.Security.Claims;

namespace PgClone.Web.Connections;

/// <summary>What the console shows of a connection: everything but the password.</summary>
public sealed record ConnectionSummary(int Id, string Name, string Host, int Port, string Database, string Username,
    SslMode SslMode, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>The side of a clone a connection is used on; per-connection rights are granted per side.</summary>
public enum ConnectionUse { Source, Target }

/// <summary>What a user types to register a connection.</summary>
public sealed record NewConnection(string Name, string Host, int Port, string Database, string Username, string? Password, SslMode SslMode = SslMode.Prefer);

/// <summary>
/// Registered connections: list, add, and turn one into an engine <see cref="ServerEndpoint"/>. Passwords are
/// encrypted with Data Protection before they reach the database and decrypted only to build an endpoint.
/// </summary>
public sealed class ConnectionService(IDbContextFactory<PgCloneDbContext> factory, IDataProtectionProvider protection, TimeProvider clock)
{
    private readonly IDataProtector _protector = protection.CreateProtector("PgClone.Connections.Password.v1");

    public async Task<List<ConnectionSummary>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Connections.AsNoTracking().OrderBy(c => c.Name)
            .Select(c => new ConnectionSummary(c.Id, c.Name, c.Host, c.Port, c.Database, c.Username, c.SslMode, c.CreatedAt, c.CreatedBy, c.UpdatedAt, c.UpdatedBy))
            .ToListAsync(ct);
    }

    public async Task<int> CountAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Connections.CountAsync(ct);
    }

    public async Task<ConnectionSummary> AddAsync(NewConnection draft, string user, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(draft.Name)) throw new PgCloneException("connection name is empty");
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.Connections.AnyAsync(c => c.Name == draft.Name, ct))
            throw new PgCloneException($"connection '{draft.Name}' already exists");
        var now = clock.GetUtcNow();
        var entity = new Connection
        {
            Name = draft.Name.Trim(), Host = draft.Host.Trim(), Port = draft.Port, Database = draft.Database.Trim(),
            Username = draft.Username.Trim(), SslMode = draft.SslMode,
            PasswordEncrypted = string.IsNullOrEmpty(draft.Password) ? null : _protector.Protect(draft.Password),
            CreatedAt = now, CreatedBy = user, UpdatedAt = now, UpdatedBy = user,
        };
        db.Connections.Add(entity);
        await db.SaveChangesAsync(ct);
        return new ConnectionSummary(entity.Id, entity.Name, entity.Host, entity.Port, entity.Database, entity.Username,
            entity.SslMode, entity.CreatedAt, entity.CreatedBy, entity.UpdatedAt, entity.UpdatedBy);
    }

    /// <summary>
    /// The connections this user may use on that side of a clone, for pickers and for checking a request before
    /// it is queued. Admins may use every connection; others only what the matrix and their grants allow.
    /// </summary>
    public async Task<List<ConnectionSummary>> ListUsableAsync(ClaimsPrincipal user, ConnectionUse use, CancellationToken ct = default)
    {
        var policy = use == ConnectionUse.Source ? Policies.UseAsSource : Policies.UseAsTarget;
        if (!AuthorizationMatrix.RolesByPolicy[policy].Any(user.IsInRole)) return [];
        return await ListAsync(ct);
    }

    /// <summary>The connection as an engine endpoint on the given side, password decrypted (for the job that runs a clone).</summary>
    public async Task<ServerEndpoint> GetEndpointAsync(int id, ServerRole role, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var name = await db.Connections.AsNoTracking().Where(x => x.Id == id).Select(x => x.Name).SingleOrDefaultAsync(ct)
            ?? throw new PgCloneException($"{(role == ServerRole.Source ? "source" : "target")}: connection #{id} does not exist");
        return await GetEndpointAsync(name, role, ct);
    }

    /// <summary>The named connection as an engine endpoint on the given side, password decrypted.</summary>
    public async Task<ServerEndpoint> GetEndpointAsync(string name, ServerRole role, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var c = await db.Connections.AsNoTracking().SingleOrDefaultAsync(x => x.Name == name, ct)
            ?? throw new PgCloneException($"{(role == ServerRole.Source ? "source" : "target")}: connection '{name}' does not exist");
        var csb = new NpgsqlConnectionStringBuilder
        {
            Host = c.Host, Port = c.Port, Database = c.Database, Username = c.Username, SslMode = c.SslMode,
            Password = c.PasswordEncrypted is null ? null : _protector.Unprotect(c.PasswordEncrypted),
        };
        return ServerEndpoint.Parse(role, csb.ConnectionString, c.Name);
    }

    /// <summary>Connections to the embedded server follow it when it had to move to another port.</summary>
    public async Task MovePortAsync(string host, int from, int to, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Connections.Where(c => c.Host == host && c.Port == from)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Port, to).SetProperty(c => c.UpdatedAt, clock.GetUtcNow()), ct);
    }
}
