using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PgClone.Core;
using PgClone.Core.Roles;
using PgClone.Web.Audit;
using PgClone.Web.Data;

namespace PgClone.Web.Runs;

/// <summary>What a user types to save a clone.</summary>
/// <param name="MaskPolicyId">A masking policy whose newest version every run of the profile applies (the request's
/// <see cref="RunRequest.MaskPolicyId"/> says the same; give either, or both alike).</param>
public sealed record ProfileDraft(string Name, string? Description, RunRequest Request, int? MaskPolicyId = null);

/// <summary>A saved clone as pages and the API show it.</summary>
public sealed record ProfileInfo(int Id, string Name, string? Description, RunRequest Request,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt, string UpdatedBy, int? MaskPolicyId = null);

/// <summary>
/// Saved clones (<see cref="CloneProfile"/>): list, read, create, edit, delete. A profile is checked like a run
/// (operation, scope, options, the user's rights on both connections) when it is saved, and again when it runs.
/// </summary>
public sealed class ProfilesService(IDbContextFactory<PgCloneDbContext> factory, RunAdmission admission, AuditLog audit, TimeProvider clock)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<List<ProfileInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var all = await db.CloneProfiles.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
        return [.. all.Select(Info)];
    }

    public async Task<ProfileInfo?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await db.CloneProfiles.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        return p is null ? null : Info(p);
    }

    public async Task<ProfileInfo> CreateAsync(ProfileDraft draft, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var name = await ValidateAsync(draft, user, null, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var by = RunActor.From(user).Name;
        var profile = new CloneProfile
        {
            Name = name, Operation = draft.Request.Operation, CreatedAt = now, CreatedBy = by, UpdatedAt = now, UpdatedBy = by,
        };
        Apply(profile, draft);
        db.CloneProfiles.Add(profile);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.ProfileCreated, $"profile '{profile.Name}'", draft, profile.SourceConnectionId, audit.ActorFor(user), ct);
        return Info(profile);
    }

    public async Task<ProfileInfo> UpdateAsync(int id, ProfileDraft draft, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var name = await ValidateAsync(draft, user, id, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var profile = await db.CloneProfiles.SingleOrDefaultAsync(p => p.Id == id, ct)
            ?? throw new RunRejectedException(RunRejection.NotFound, $"profile #{id} does not exist");
        profile.Name = name;
        Apply(profile, draft);
        profile.UpdatedAt = clock.GetUtcNow();
        profile.UpdatedBy = RunActor.From(user).Name;
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.ProfileChanged, $"profile '{profile.Name}'", draft, profile.SourceConnectionId, audit.ActorFor(user), ct);
        return Info(profile);
    }

    /// <summary>Deletes a profile; its past runs stay (they copied what they need). False when it does not exist.</summary>
    public async Task<bool> DeleteAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var name = await db.CloneProfiles.Where(p => p.Id == id).Select(p => p.Name).SingleOrDefaultAsync(ct);
        if (name is null || await db.CloneProfiles.Where(p => p.Id == id).ExecuteDeleteAsync(ct) == 0) return false;
        await audit.RecordAsync(AuditActions.ProfileDeleted, $"profile '{name}'", new { id }, ct: ct);
        return true;
    }

    /// <summary>The profile's request; it names the profile's masking policy, whose newest version each run applies.</summary>
    internal static RunRequest ToRequest(CloneProfile p)
    {
        var options = p.OptionsJson is null ? null : CloneOptions.Parse(p.OptionsJson);
        // The policy replaces typed rules a profile may have held before it pointed at one (saving refuses both now).
        if (p.MaskPolicyId is not null && options is not null) options = options with { Mask = null };
        return new RunRequest(p.Operation, p.SourceConnectionId, p.TargetConnectionId, p.Schema, p.Table, options,
            p.RolesJson is null ? null : JsonSerializer.Deserialize<RoleCloneOptions>(p.RolesJson, Json),
            MaskPolicyId: p.MaskPolicyId);
    }

    private static ProfileInfo Info(CloneProfile p) =>
        new(p.Id, p.Name, p.Description, ToRequest(p), p.CreatedAt, p.CreatedBy, p.UpdatedAt, p.UpdatedBy, p.MaskPolicyId);

    private static void Apply(CloneProfile p, ProfileDraft draft)
    {
        var r = draft.Request;
        p.Description = string.IsNullOrWhiteSpace(draft.Description) ? null : draft.Description.Trim();
        p.Operation = r.Operation;
        p.SourceConnectionId = r.SourceConnectionId;
        p.TargetConnectionId = r.TargetConnectionId;
        p.Schema = r.Schema;
        p.Table = r.Table;
        p.OptionsJson = r.Options?.ToJson();
        p.RolesJson = r.Roles is null ? null : JsonSerializer.Serialize(r.Roles, Json);
        p.MaskPolicyId = PolicyOf(draft);
    }

    private static int? PolicyOf(ProfileDraft draft) => draft.MaskPolicyId ?? draft.Request.MaskPolicyId;

    private async Task<string> ValidateAsync(ProfileDraft draft, ClaimsPrincipal user, int? id, CancellationToken ct)
    {
        var name = draft.Name?.Trim() ?? "";
        if (name.Length == 0) throw new RunRejectedException(RunRejection.Invalid, "profile name is empty");
        await admission.CheckAsync(draft.Request, user, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        if (draft.MaskPolicyId is { } a && draft.Request.MaskPolicyId is { } b && a != b)
            throw new RunRejectedException(RunRejection.Invalid, $"the profile names masking policy #{a} and its request policy #{b}: give one");
        if (draft.Request.MaskPolicyVersionId is not null)
            throw new RunRejectedException(RunRejection.Invalid, "a profile points at a masking policy (maskPolicyId) and each run applies its newest version: it keeps no version id");
        if (PolicyOf(draft) is { } policyId)
        {
            PgClone.Web.Masking.MaskPoliciesService.EnsureApplicable(draft.Request);
            if (!await db.MaskPolicies.AnyAsync(p => p.Id == policyId, ct))
                throw new RunRejectedException(RunRejection.NotFound, $"masking policy #{policyId} does not exist");
        }
        if (await db.CloneProfiles.AnyAsync(p => p.Name == name && p.Id != id, ct))
            throw new RunRejectedException(RunRejection.Conflict, $"profile '{name}' already exists");
        return name;
    }
}
