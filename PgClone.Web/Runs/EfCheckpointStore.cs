using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using PgClone.Core;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Web.Data;

namespace PgClone.Web.Runs;

/// <summary>
/// The engine's checkpoints in the console database (<see cref="RunCheckpoint"/> rows: begin, plan, table, step,
/// finish), so any console instance can resume a run after a restart or a crash of the one that ran it. Each call
/// returns once its row is committed; rows recorded meanwhile by several workers are inserted in one transaction.
/// Connection strings are never stored: the console rebuilds a run's endpoints from its connection ids, and the
/// database of the console must not hold passwords in clear.
/// </summary>
public sealed class EfCheckpointStore : ICheckpointStore
{
    private readonly IDbContextFactory<PgCloneDbContext> _factory;
    private readonly TimeProvider _clock;
    private readonly GroupCommit<RunCheckpoint> _rows;

    public EfCheckpointStore(IDbContextFactory<PgCloneDbContext> factory, TimeProvider clock)
    {
        _factory = factory;
        _clock = clock;
        _rows = new GroupCommit<RunCheckpoint>(SaveAsync);
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
    };

    private sealed record Finish(JobStatus Status, string? Error);

    public Task BeginAsync(JobCheckpoint job, CancellationToken ct) => AppendAsync(job.JobId, "begin", WithoutSecrets(job), ct);
    public Task SavePlanAsync(string jobId, ClonePlan plan, CancellationToken ct) => AppendAsync(jobId, "plan", JsonSerializer.SerializeToNode(plan, Json), ct);
    public Task TableCopiedAsync(string jobId, TableCheckpoint table, CancellationToken ct) => AppendAsync(jobId, "table", JsonSerializer.SerializeToNode(table, Json), ct);
    public Task StepDoneAsync(string jobId, string step, CancellationToken ct) => AppendAsync(jobId, "step", JsonValue.Create(step), ct);
    public Task StepPendingAsync(string jobId, PendingStep step, CancellationToken ct) => AppendAsync(jobId, "pending", JsonSerializer.SerializeToNode(step, Json), ct);
    public Task FinishAsync(string jobId, JobStatus status, string? error, CancellationToken ct) =>
        AppendAsync(jobId, "finish", JsonSerializer.SerializeToNode(new Finish(status, error), Json), ct);

    public async Task<JobCheckpoint?> LoadAsync(string jobId, CancellationToken ct)
    {
        await using var db = await _factory.CreateDbContextAsync(ct);
        var rows = await db.RunCheckpoints.AsNoTracking().Where(c => c.JobId == jobId).OrderBy(c => c.Id).ToListAsync(ct);
        return Replay(rows);
    }

    /// <summary>
    /// The tables a job has copied so far, the last record of each, and those a resumed job kept from the run it
    /// resumes, read from its begin and table checkpoints alone (without replaying its plan): what a run's page
    /// shows while the run goes on. The begin record also holds the plan, so only its tables are read, in SQL.
    /// </summary>
    public async Task<IReadOnlyList<TableCheckpoint>> CopiedTablesAsync(string jobId, CancellationToken ct)
    {
        await using var db = await _factory.CreateDbContextAsync(ct);
        var payloads = await db.Database.SqlQuery<string>($"""
            SELECT t.value::text AS "Value"
            FROM run_checkpoints c
            CROSS JOIN LATERAL (
                SELECT c."Payload" AS value WHERE c."Kind" = 'table'
                UNION ALL
                SELECT e.value FROM jsonb_each(CASE WHEN c."Kind" = 'begin' THEN c."Payload" -> 'tables' END) AS e) AS t
            WHERE c."JobId" = {jobId} AND c."Kind" IN ('begin', 'table')
            ORDER BY c."Id"
            """).ToListAsync(ct);
        var tables = new Dictionary<string, TableCheckpoint>(StringComparer.Ordinal);
        foreach (var payload in payloads)
            if (JsonSerializer.Deserialize<TableCheckpoint>(payload, Json) is { } t) tables[t.Table] = t;
        return [.. tables.Values];
    }

    public async Task<JobCheckpoint?> LatestAsync(CancellationToken ct)
    {
        await using var db = await _factory.CreateDbContextAsync(ct);
        var latest = await db.RunCheckpoints.AsNoTracking().Where(c => c.Kind == "begin").OrderByDescending(c => c.Id)
            .Select(c => c.JobId).FirstOrDefaultAsync(ct);
        return latest is null ? null : await LoadAsync(latest, ct);
    }

    private static JobCheckpoint? Replay(List<RunCheckpoint> rows)
    {
        JobCheckpoint? job = null;
        foreach (var row in rows)
        {
            if (row.Kind == "begin") { job = JsonSerializer.Deserialize<JobCheckpoint>(row.Payload, Json); continue; }
            if (job is null) continue;
            switch (row.Kind)
            {
                case "plan": job = job with { Plan = JsonSerializer.Deserialize<ClonePlan>(row.Payload, Json) }; break;
                case "table" when JsonSerializer.Deserialize<TableCheckpoint>(row.Payload, Json) is { } t: job.Tables[t.Table] = t; break;
                case "step" when JsonSerializer.Deserialize<string>(row.Payload, Json) is { } s: job.Steps.Add(s); break;
                case "pending" when JsonSerializer.Deserialize<PendingStep>(row.Payload, Json) is { } p: job.Pending[p.Step] = p; break;
                case "finish" when JsonSerializer.Deserialize<Finish>(row.Payload, Json) is { } f: job = job with { Status = f.Status, Error = f.Error }; break;
            }
        }
        return job;
    }

    /// <summary>The checkpoint as JSON, every property that holds a connection string removed (whatever the model calls it).</summary>
    private static JsonNode? WithoutSecrets(JobCheckpoint job)
    {
        var node = JsonSerializer.SerializeToNode(job, Json);
        Strip(node);
        return node;

        static void Strip(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var key in o.Select(p => p.Key).Where(k => k.EndsWith("connection_string", StringComparison.Ordinal) || k == "password").ToList())
                        o.Remove(key);
                    foreach (var (_, child) in o) Strip(child);
                    break;
                case JsonArray a:
                    foreach (var child in a) Strip(child);
                    break;
            }
        }
    }

    /// <summary>Saves a record once it and those recorded meanwhile are committed (<see cref="GroupCommit{T}"/>).</summary>
    private Task AppendAsync(string jobId, string kind, JsonNode? payload, CancellationToken ct) =>
        _rows.AddAsync(new RunCheckpoint { JobId = jobId, Kind = kind, Payload = payload?.ToJsonString(Json) ?? "null", CreatedAt = _clock.GetUtcNow() }, ct);

    private async Task SaveAsync(IReadOnlyList<RunCheckpoint> rows)
    {
        try
        {
            await using var db = await _factory.CreateDbContextAsync();
            db.RunCheckpoints.AddRange(rows);
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException e)
        {
            var jobs = string.Join(", ", rows.Select(r => r.JobId).Distinct());
            throw new PgCloneException($"console database: the checkpoint of job {jobs} could not be saved: {e.InnerException?.Message ?? e.Message}", e);
        }
    }
}
