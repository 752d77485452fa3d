using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using PgClone.Web.Audit;
using PgClone.Web.Data;
using PgClone.Web.Runs;

namespace PgClone.Web.Masking;

/// <summary>
/// Masking policies (<see cref="MaskPolicy"/>): list, read with versions, create, add a version, export. Versions
/// are immutable: an edit is a new version, and a run records the version it applied
/// (<see cref="ApplyAsync"/>, called by the runs service and the preflight).
/// </summary>
public sealed class MaskPoliciesService(IDbContextFactory<PgCloneDbContext> factory, TimeProvider clock, AuditLog audit)
{
    public async Task<List<MaskPolicySummary>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var policies = await db.MaskPolicies.AsNoTracking().Include(p => p.Versions).OrderBy(p => p.Name).ToListAsync(ct);
        return [.. policies.Select(Summary)];
    }

    public async Task<MaskPolicyDetail?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await db.MaskPolicies.AsNoTracking().Include(x => x.Versions).SingleOrDefaultAsync(x => x.Id == id, ct);
        return p is null ? null : new MaskPolicyDetail(Summary(p), [.. p.Versions.OrderByDescending(v => v.Version).Select(v => Info(p, v))]);
    }

    /// <summary>One version (any policy's) by its id; null when it does not exist.</summary>
    public async Task<MaskPolicyVersionInfo?> GetVersionAsync(long versionId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var v = await db.MaskPolicyVersions.AsNoTracking().SingleOrDefaultAsync(x => x.Id == versionId, ct);
        if (v is null) return null;
        var p = await db.MaskPolicies.AsNoTracking().SingleAsync(x => x.Id == v.PolicyId, ct);
        return Info(p, v);
    }

    public async Task<MaskPolicyDetail> CreateAsync(MaskPolicyDraft draft, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var name = draft.Name?.Trim() ?? "";
        if (name.Length == 0) throw new RunRejectedException(RunRejection.Invalid, "masking policy name is empty");
        var rules = MaskPolicyScope.Validate(draft.Rules);
        var by = RunActor.From(user).Name;
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.MaskPolicies.AnyAsync(p => p.Name == name, ct))
            throw new RunRejectedException(RunRejection.Conflict, $"masking policy '{name}' already exists");
        var policy = new MaskPolicy
        {
            Name = name, Description = Trimmed(draft.Description), Owner = Trimmed(draft.Owner) ?? by, CreatedAt = now, CreatedBy = by,
            Versions = [new MaskPolicyVersion { Version = 1, RulesJson = rules.ToJsonString(), Note = Trimmed(draft.Note), CreatedAt = now, CreatedBy = by }],
        };
        db.MaskPolicies.Add(policy);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.MaskingPolicyCreated, $"masking policy '{name}'", new { version = 1, columns = Columns(rules) }, actor: audit.ActorFor(user), ct: ct);
        return (await GetAsync(policy.Id, ct))!;
    }

    /// <summary>Adds the next version; earlier versions stay as they were. Two editors at once: one wins, the other gets a conflict.</summary>
    public async Task<MaskPolicyVersionInfo> AddVersionAsync(int policyId, MaskPolicyVersionDraft draft, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var rules = MaskPolicyScope.Validate(draft.Rules);
        await using var db = await factory.CreateDbContextAsync(ct);
        var policy = await db.MaskPolicies.AsNoTracking().SingleOrDefaultAsync(p => p.Id == policyId, ct)
            ?? throw new RunRejectedException(RunRejection.NotFound, $"masking policy #{policyId} does not exist");
        var next = await db.MaskPolicyVersions.Where(v => v.PolicyId == policyId).MaxAsync(v => (int?)v.Version, ct) + 1 ?? 1;
        var version = new MaskPolicyVersion
        {
            PolicyId = policyId, Version = next, RulesJson = rules.ToJsonString(), Note = Trimmed(draft.Note),
            CreatedAt = clock.GetUtcNow(), CreatedBy = RunActor.From(user).Name,
        };
        db.MaskPolicyVersions.Add(version);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            throw new RunRejectedException(RunRejection.Conflict, $"masking policy '{policy.Name}': version {next} was saved by someone else meanwhile; reload and edit again");
        }
        await audit.RecordAsync(AuditActions.MaskingPolicyChanged, $"masking policy '{policy.Name}'", new { version = next, columns = Columns(rules) }, actor: audit.ActorFor(user), ct: ct);
        return Info(policy, version);
    }

    /// <summary>A new version with the newest version's rules plus the accepted ones (an accepted rule replaces the column's earlier rule).</summary>
    public async Task<MaskPolicyVersionInfo> AcceptIntoAsync(int policyId, JsonObject accepted, string note, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var current = await GetAsync(policyId, ct) ?? throw new RunRejectedException(RunRejection.NotFound, $"masking policy #{policyId} does not exist");
        var merged = (JsonObject)current.Versions[0].Rules.DeepClone();
        foreach (var (table, columns) in accepted)
        {
            if (merged[table] is not JsonObject existing) merged[table] = existing = new JsonObject();
            foreach (var (column, rule) in columns as JsonObject ?? []) existing[column] = rule?.DeepClone();
        }
        return await AddVersionAsync(policyId, new MaskPolicyVersionDraft(merged, note), user, ct);
    }

    /// <summary>
    /// The request as it runs with its masking policy (<see cref="RunRequest.MaskPolicyId"/> or
    /// <see cref="RunRequest.MaskPolicyVersionId"/>): the version's rules for the run's scope
    /// (<see cref="MaskPolicyScope.ForRun"/>) become its mask, and the version it names is the one the run records.
    /// The runs service and the preflight both read a request through here, so the preflight checks what the run applies.
    /// </summary>
    public async Task<RunRequest> ApplyAsync(RunRequest request, CancellationToken ct)
    {
        if (request.MaskPolicyId is null && request.MaskPolicyVersionId is null) return request;
        var operation = EnsureApplicable(request);
        var versionId = request.MaskPolicyVersionId ?? await LatestVersionIdAsync(request.MaskPolicyId!.Value, ct);
        var version = await GetVersionAsync(versionId, ct)
            ?? throw new RunRejectedException(RunRejection.NotFound, $"masking policy version #{versionId} does not exist");
        if (request.MaskPolicyId is { } policyId && version.PolicyId != policyId)
            throw new RunRejectedException(RunRejection.Invalid, $"masking policy version #{versionId} belongs to policy '{version.PolicyName}' (#{version.PolicyId}), not to policy #{policyId}");
        var schema = request.Schema ?? (operation == PgClone.Core.CloneOperation.Table ? "public" : null);
        var mask = MaskPolicyScope.ForRun(version.Rules, operation, schema, request.Table);
        return request with
        {
            MaskPolicyId = version.PolicyId,
            MaskPolicyVersionId = version.Id,
            Options = (request.Options ?? new PgClone.Core.CloneOptions()) with { Mask = mask.Count > 0 ? mask : null },
        };
    }

    /// <summary>A policy masks the rows of a clone that has no typed rules of its own; returns the clone's operation.</summary>
    public static PgClone.Core.CloneOperation EnsureApplicable(RunRequest request)
    {
        if (RunOperations.ToClone(request.Operation) is not { } operation)
            throw new RunRejectedException(RunRejection.Invalid, $"a {request.Operation} clone copies no rows: it takes no masking policy");
        if (request.Options?.Mask is { Count: > 0 })
            throw new RunRejectedException(RunRejection.Invalid, "give the mask rules either in options.mask or as a masking policy (maskPolicyId), not both");
        return operation;
    }

    /// <summary>The id of a policy's newest version (what a profile that points at the policy runs with).</summary>
    public async Task<long> LatestVersionIdAsync(int policyId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.MaskPolicyVersions.Where(v => v.PolicyId == policyId).OrderByDescending(v => v.Version).Select(v => (long?)v.Id).FirstOrDefaultAsync(ct)
            ?? throw new RunRejectedException(RunRejection.NotFound, $"masking policy #{policyId} does not exist");
    }

    /// <summary>The newest version of a policy; null when the policy does not exist.</summary>
    public async Task<MaskPolicyVersionInfo?> LatestVersionAsync(int policyId, CancellationToken ct = default) =>
        await GetAsync(policyId, ct) is { } p ? p.Versions[0] : null;

    private static MaskPolicySummary Summary(MaskPolicy p)
    {
        var latest = p.Versions.MaxBy(v => v.Version)!;
        return new MaskPolicySummary(p.Id, p.Name, p.Description, p.Owner, latest.Version, latest.Id,
            MaskPolicyScope.Count(Rules(latest)), latest.CreatedAt, latest.CreatedBy);
    }

    private static MaskPolicyVersionInfo Info(MaskPolicy p, MaskPolicyVersion v) =>
        new(v.Id, p.Id, p.Name, v.Version, Rules(v), v.Note, v.CreatedAt, v.CreatedBy);

    private static JsonObject Rules(MaskPolicyVersion v) => JsonNode.Parse(v.RulesJson) as JsonObject ?? [];

    private static string? Trimmed(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>The columns a rule set masks ("table.column"), for the audit trail: which columns, never the parameters.</summary>
    private static List<string> Columns(JsonObject rules) =>
        [.. rules.SelectMany(t => (t.Value as JsonObject ?? []).Select(c => $"{t.Key}.{c.Key}"))];
}
