using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using PgClone.Core;
using PgClone.Core.Roles;
using PgClone.Web.Audit;
using PgClone.Web.Connections;
using PgClone.Web.Data;
using PgClone.Web.Runs;

namespace PgClone.Web.Roles;

/// <summary>What a user types to save a role clone. No roles and no prefix means every non-system role.</summary>
public sealed record RoleTemplateDraft(string Name, string? Description, IReadOnlyList<string>? Roles, string? NamePrefix, bool NoPasswords,
    int SourceConnectionId, int TargetConnectionId);

/// <summary>A saved role clone as the Roles page and <c>/api/v1/role-templates</c> show it.</summary>
public sealed record RoleTemplateInfo(int Id, string Name, string? Description, IReadOnlyList<string> Roles, string? NamePrefix, bool NoPasswords,
    int SourceConnectionId, int TargetConnectionId, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    /// <summary>The engine's options for this template.</summary>
    public RoleCloneOptions Options => new() { Roles = Roles.Count > 0 ? Roles : null, NamePrefix = NamePrefix, NoPasswords = NoPasswords };
}

/// <summary>
/// Role-clone templates: list, read, create, edit, delete, and run one — as a "roles" run through
/// <see cref="RunsService"/>, so it is queued, shown in Jobs with its progress, and its result (roles created,
/// updated, grants skipped) lands on the run page like any run's.
/// </summary>
public sealed class RoleTemplatesService(IDbContextFactory<PgCloneDbContext> factory, ConnectionService connections, RunsService runs, AuditLog audit, TimeProvider clock)
{
    public async Task<List<RoleTemplateInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var all = await db.RoleTemplates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        return [.. all.Select(Info)];
    }

    public async Task<RoleTemplateInfo?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var t = await db.RoleTemplates.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        return t is null ? null : Info(t);
    }

    public async Task<RoleTemplateInfo> CreateAsync(RoleTemplateDraft draft, ClaimsPrincipal user, CancellationToken ct = default)
    {
        draft = await ValidateAsync(draft, user, null, ct);
        var by = RunActor.From(user).Name;
        var now = clock.GetUtcNow();
        var template = new RoleTemplate { Name = draft.Name, CreatedAt = now, CreatedBy = by, UpdatedAt = now, UpdatedBy = by };
        Apply(template, draft);
        await using var db = await factory.CreateDbContextAsync(ct);
        db.RoleTemplates.Add(template);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.RoleTemplateCreated, Subject(template.Name), draft, draft.SourceConnectionId, audit.ActorFor(user), ct);
        return Info(template);
    }

    public async Task<RoleTemplateInfo> UpdateAsync(int id, RoleTemplateDraft draft, ClaimsPrincipal user, CancellationToken ct = default)
    {
        draft = await ValidateAsync(draft, user, id, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var template = await db.RoleTemplates.SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw Missing(id);
        Apply(template, draft);
        template.UpdatedAt = clock.GetUtcNow();
        template.UpdatedBy = RunActor.From(user).Name;
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.RoleTemplateChanged, Subject(template.Name), draft, draft.SourceConnectionId, audit.ActorFor(user), ct);
        return Info(template);
    }

    public async Task<bool> DeleteAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var name = await db.RoleTemplates.Where(t => t.Id == id).Select(t => t.Name).SingleOrDefaultAsync(ct);
        if (name is null || await db.RoleTemplates.Where(t => t.Id == id).ExecuteDeleteAsync(ct) == 0) return false;
        await audit.RecordAsync(AuditActions.RoleTemplateDeleted, Subject(name), new { id }, ct: ct);
        return true;
    }

    /// <summary>Starts the template's role clone as a run (the runs path checks the user's rights again); returns the run id.</summary>
    public async Task<long> RunAsync(int id, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var template = await GetAsync(id, ct) ?? throw Missing(id);
        return await runs.SubmitAsync(new RunRequest(RunOperations.Roles, template.SourceConnectionId, template.TargetConnectionId, Roles: template.Options), user, ct);
    }

    private async Task<RoleTemplateDraft> ValidateAsync(RoleTemplateDraft d, ClaimsPrincipal user, int? id, CancellationToken ct)
    {
        var name = (d.Name ?? "").Trim();
        if (name.Length is 0 or > 100) throw new RunRejectedException(RunRejection.Invalid, "a role template needs a name of 1 to 100 characters");
        var roles = (d.Roles ?? []).Select(r => r.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var tooLong = roles.FirstOrDefault(r => r.Length > 63);
        if (tooLong is not null) throw new RunRejectedException(RunRejection.Invalid, $"role template '{name}': role name '{tooLong}' is longer than 63 characters");
        var prefix = string.IsNullOrWhiteSpace(d.NamePrefix) ? null : d.NamePrefix.Trim();
        await using (var db = await factory.CreateDbContextAsync(ct))
            if (await db.RoleTemplates.AnyAsync(t => t.Name == name && t.Id != id, ct))
                throw new RunRejectedException(RunRejection.Conflict, $"role template '{name}' already exists");
        try
        {
            await connections.EnsureCanUseAsync(user, d.SourceConnectionId, ConnectionUse.Source, ct);
            await connections.EnsureCanUseAsync(user, d.TargetConnectionId, ConnectionUse.Target, ct);
        }
        catch (ConnectionNotFoundException e) { throw new RunRejectedException(RunRejection.Invalid, $"role template '{name}': {e.Message}"); }
        catch (ConnectionAccessDeniedException e) { throw new RunRejectedException(RunRejection.Forbidden, e.Message); }
        return d with { Name = name, Description = string.IsNullOrWhiteSpace(d.Description) ? null : d.Description.Trim(), Roles = roles, NamePrefix = prefix };
    }

    private static void Apply(RoleTemplate t, RoleTemplateDraft d)
    {
        t.Name = d.Name;
        t.Description = d.Description;
        t.Roles = [.. d.Roles ?? []];
        t.NamePrefix = d.NamePrefix;
        t.NoPasswords = d.NoPasswords;
        t.SourceConnectionId = d.SourceConnectionId;
        t.TargetConnectionId = d.TargetConnectionId;
    }

    private static string Subject(string name) => $"role template '{name}'";

    private static RunRejectedException Missing(int id) => new(RunRejection.NotFound, $"role template #{id} does not exist");

    private static RoleTemplateInfo Info(RoleTemplate t) => new(t.Id, t.Name, t.Description, t.Roles, t.NamePrefix, t.NoPasswords,
        t.SourceConnectionId, t.TargetConnectionId, t.CreatedAt, t.CreatedBy, t.UpdatedAt, t.UpdatedBy);
}
