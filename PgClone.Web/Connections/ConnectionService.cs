using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Web.Audit;
using PgClone.Web.Data;

namespace PgClone.Web.Connections;

/// <summary>
/// Registered connections: list, add, edit, duplicate, delete, and turn one into an engine
/// <see cref="ServerEndpoint"/>. Passwords are encrypted with Data Protection before they reach the database
/// and decrypted only to build an endpoint; no other member returns them. Rights (who may use which connection)
/// are in ConnectionService.Rights.cs, the server-facing actions (test, browse) in ConnectionService.Server.cs.
/// </summary>
public sealed partial class ConnectionService(IDbContextFactory<PgCloneDbContext> factory, IDataProtectionProvider protection, AuditLog audit, TimeProvider clock)
{
    private readonly IDataProtector _protector = protection.CreateProtector("PgClone.Connections.Password.v1");

    public async Task<List<ConnectionSummary>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await Summaries(db.Connections).ToListAsync(ct);
    }

    public async Task<int> CountAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Connections.CountAsync(ct);
    }

    public async Task<ConnectionSummary> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await Summaries(db.Connections.Where(c => c.Id == id)).SingleOrDefaultAsync(ct) ?? throw Missing(id);
    }

    public async Task<ConnectionSummary> AddAsync(NewConnection draft, string user, CancellationToken ct = default)
    {
        draft = Validate(draft);
        await using var db = await factory.CreateDbContextAsync(ct);
        await EnsureNameFreeAsync(db, draft.Name, null, ct);
        var now = clock.GetUtcNow();
        var entity = new Connection
        {
            Name = draft.Name, Host = draft.Host, Database = draft.Database, Username = draft.Username,
            CreatedAt = now, CreatedBy = user, UpdatedAt = now, UpdatedBy = user,
        };
        Apply(entity, draft);
        db.Connections.Add(entity);
        await db.SaveChangesAsync(ct);
        return await AuditedAsync(AuditActions.ConnectionCreated, entity.Id, null, ct);
    }

    /// <summary>Changes a connection; an empty password keeps the stored one.</summary>
    public async Task<ConnectionSummary> UpdateAsync(int id, NewConnection draft, string user, CancellationToken ct = default)
    {
        draft = Validate(draft);
        await using var db = await factory.CreateDbContextAsync(ct);
        var entity = await db.Connections.SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw Missing(id);
        await EnsureNameFreeAsync(db, draft.Name, id, ct);
        Apply(entity, draft);
        entity.UpdatedAt = clock.GetUtcNow();
        entity.UpdatedBy = user;
        var changed = db.Entry(entity).Properties.Where(p => p.IsModified && p.Metadata.Name is not (nameof(Connection.UpdatedAt) or nameof(Connection.UpdatedBy)))
            .Select(p => p.Metadata.Name == nameof(Connection.PasswordEncrypted) ? "Password" : p.Metadata.Name).ToList();
        await db.SaveChangesAsync(ct);
        return await AuditedAsync(AuditActions.ConnectionChanged, id, changed, ct);
    }

    /// <summary>A copy under a free name "<c>name (copy)</c>", with the same password; rights are not copied.</summary>
    public async Task<ConnectionSummary> DuplicateAsync(int id, string user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var c = await db.Connections.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw Missing(id);
        var names = await db.Connections.Where(x => x.Name.StartsWith(c.Name)).Select(x => x.Name).ToListAsync(ct);
        var name = $"{c.Name} (copy)";
        for (var i = 2; names.Contains(name); i++) name = $"{c.Name} (copy {i})";
        var now = clock.GetUtcNow();
        var copy = new Connection
        {
            Name = name, Host = c.Host, Port = c.Port, Database = c.Database, Username = c.Username, PasswordEncrypted = c.PasswordEncrypted,
            SslMode = c.SslMode, RootCertificate = c.RootCertificate, Environment = c.Environment, Notes = c.Notes,
            CreatedAt = now, CreatedBy = user, UpdatedAt = now, UpdatedBy = user,
        };
        db.Connections.Add(copy);
        await db.SaveChangesAsync(ct);
        return await AuditedAsync(AuditActions.ConnectionCreated, copy.Id, null, ct, duplicateOf: c.Name);
    }

    /// <summary>Deletes the connection and its grants. Callers ask first when <see cref="FindUsagesAsync"/> finds any.</summary>
    public async Task DeleteAsync(int id, CancellationToken ct = default)
    {
        var gone = await GetAsync(id, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.Connections.Where(c => c.Id == id).ExecuteDeleteAsync(ct) == 0) throw Missing(id);
        await audit.RecordAsync(AuditActions.ConnectionDeleted, Subject(gone), Details(gone), id, ct: ct);
    }

    /// <summary>
    /// What refers to this connection: saved clone profiles (and, later, schedules), so a delete can say which it
    /// breaks. Runs are history: they keep the connection's name and lose only the link.
    /// </summary>
    public async Task<List<ConnectionUsage>> FindUsagesAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var profiles = await db.CloneProfiles.Where(p => p.SourceConnectionId == id || p.TargetConnectionId == id)
            .OrderBy(p => p.Name).Select(p => p.Name).ToListAsync(ct);
        var templates = await db.RoleTemplates.Where(t => t.SourceConnectionId == id || t.TargetConnectionId == id)
            .OrderBy(t => t.Name).Select(t => t.Name).ToListAsync(ct);
        return [.. profiles.Select(name => new ConnectionUsage("clone profile", name)), .. templates.Select(name => new ConnectionUsage("role template", name))];
    }

    /// <summary>The connection as an engine endpoint on the given side, password decrypted (for the job that runs a clone).</summary>
    public async Task<ServerEndpoint> GetEndpointAsync(int id, ServerRole role, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var c = await db.Connections.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct)
            ?? throw new PgCloneException($"{role.Word()}: connection #{id} does not exist");
        return ToEndpoint(c, role);
    }

    /// <summary>The named connection as an engine endpoint on the given side, password decrypted.</summary>
    public async Task<ServerEndpoint> GetEndpointAsync(string name, ServerRole role, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var c = await db.Connections.AsNoTracking().SingleOrDefaultAsync(x => x.Name == name, ct)
            ?? throw new PgCloneException($"{role.Word()}: connection '{name}' does not exist");
        return ToEndpoint(c, role);
    }

    /// <summary>Connections to the embedded server follow it when it had to move to another port.</summary>
    public async Task MovePortAsync(string host, int from, int to, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Connections.Where(c => c.Host == host && c.Port == from)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Port, to).SetProperty(c => c.UpdatedAt, clock.GetUtcNow()), ct);
    }

    private ServerEndpoint ToEndpoint(Connection c, ServerRole role)
    {
        var csb = new NpgsqlConnectionStringBuilder
        {
            Host = c.Host, Port = c.Port, Database = c.Database, Username = c.Username, SslMode = c.SslMode,
            Password = c.PasswordEncrypted is null ? null : _protector.Unprotect(c.PasswordEncrypted),
        };
        // Npgsql reads the CA from a file; the PEM lives in the console database (see RootCertificateFiles).
        if (c.RootCertificate is { Length: > 0 } pem) csb.RootCertificate = RootCertificateFiles.PathFor(pem);
        return ServerEndpoint.Parse(role, csb.ConnectionString, c.Name);
    }

    private void Apply(Connection entity, NewConnection draft)
    {
        entity.Name = draft.Name;
        entity.Host = draft.Host;
        entity.Port = draft.Port;
        entity.Database = draft.Database;
        entity.Username = draft.Username;
        entity.SslMode = draft.SslMode;
        entity.Environment = draft.Environment;
        entity.RootCertificate = draft.RootCertificate;
        entity.Notes = draft.Notes;
        if (!string.IsNullOrEmpty(draft.Password)) entity.PasswordEncrypted = _protector.Protect(draft.Password);
    }

    /// <summary>The draft trimmed, or the first problem with it as one line.</summary>
    private static NewConnection Validate(NewConnection d)
    {
        d = d with
        {
            Name = (d.Name ?? "").Trim(), Host = (d.Host ?? "").Trim(), Database = (d.Database ?? "").Trim(), Username = (d.Username ?? "").Trim(),
            RootCertificate = string.IsNullOrWhiteSpace(d.RootCertificate) ? null : d.RootCertificate.Trim(),
            Notes = string.IsNullOrWhiteSpace(d.Notes) ? null : d.Notes.Trim(),
        };
        var problem =
            d.Name.Length == 0 ? "connection name is empty"
            : d.Name.Length > 100 ? "connection name is longer than 100 characters"
            : d.Host.Length == 0 ? $"connection '{d.Name}': host is empty"
            : d.Port is < 1 or > 65535 ? $"connection '{d.Name}': port {d.Port} is not between 1 and 65535"
            : d.Database.Length == 0 ? $"connection '{d.Name}': database is empty"
            : d.Username.Length == 0 ? $"connection '{d.Name}': user is empty"
            : d.RootCertificate is { } pem && !RootCertificateFiles.LooksLikePem(pem) ? $"connection '{d.Name}': the root certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)"
            : !Enum.IsDefined(d.SslMode) ? $"connection '{d.Name}': unknown SSL mode"
            : !Enum.IsDefined(d.Environment) ? $"connection '{d.Name}': unknown environment"
            : null;
        return problem is null ? d : throw new PgCloneException(problem);
    }

    private static async Task EnsureNameFreeAsync(PgCloneDbContext db, string name, int? except, CancellationToken ct)
    {
        if (await db.Connections.AnyAsync(c => c.Name == name && c.Id != except, ct))
            throw new PgCloneException($"connection '{name}' already exists");
    }

    private static IQueryable<ConnectionSummary> Summaries(IQueryable<Connection> connections) =>
        connections.AsNoTracking().OrderBy(c => c.Name).Select(c => new ConnectionSummary(c.Id, c.Name, c.Host, c.Port, c.Database, c.Username,
            c.SslMode, c.CreatedAt, c.CreatedBy, c.UpdatedAt, c.UpdatedBy, c.Environment, c.PasswordEncrypted != null, c.Notes, c.RootCertificate));

    private static ConnectionNotFoundException Missing(int id) => new($"connection #{id} does not exist");

}

/// <summary>The connection asked for does not exist (the API answers 404).</summary>
public sealed class ConnectionNotFoundException(string message) : PgCloneException(message);

/// <summary>The user may not do this with this connection (the API answers 403).</summary>
public sealed class ConnectionAccessDeniedException(string message) : PgCloneException(message);
