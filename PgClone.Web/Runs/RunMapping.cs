using System.Linq.Expressions;
using System.Text.Json;
using PgClone.Core;
using PgClone.Core.Jobs;
using PgClone.Core.Roles;
using PgClone.Web.Data;

namespace PgClone.Web.Runs;

/// <summary>Stored runs as the service's records.</summary>
internal static class RunMapping
{
    public static readonly Expression<Func<Run, RunSummary>> Summary = r => new RunSummary(
        r.Id, RunStatuses.Parse(r.Status), r.QueueReason, r.Phase, r.Operation, r.Schema, r.Table,
        r.SourceName, r.SourceEnvironment, r.TargetName, r.TargetEnvironment, r.StartedByKind, r.StartedBy, r.ProfileId,
        r.SubmittedAt, r.StartedAt, r.FinishedAt, r.TablesTotal, r.TablesCompleted, r.TablesFailed, r.Rows, r.Bytes,
        r.BytesEstimated, r.Error, r.ResumedFromRunId, r.Instance, r.CancelRequested, r.TargetKey);

    public static readonly Func<Run, RunSummary> ToSummary = Summary.Compile();

    /// <summary>A table a job's checkpoint records: copied by this job, or kept from the run it resumed.</summary>
    public static RunTable CopiedTable(long runId, TableCheckpoint t, string jobId) => new()
    {
        RunId = runId, Table = t.Table, Rows = t.Rows, Bytes = t.Bytes, Seconds = Math.Round(t.Seconds, 3),
        Status = t.CopiedByJob != jobId ? "kept" : "copied", CopiedByJob = t.CopiedByJob,
    };

    public static RunDetail Detail(Run r) => new(
        ToSummary(r), r.SourceConnectionId, r.TargetConnectionId,
        r.OptionsJson is null ? null : CloneOptions.Parse(r.OptionsJson),
        r.RolesJson is null ? null : JsonSerializer.Deserialize<RoleCloneOptions>(r.RolesJson, ProfilesService.Json),
        r.Masked, r.ProductionConfirmed,
        r.PhaseSecondsJson is null ? new Dictionary<string, double>() : JsonSerializer.Deserialize<Dictionary<string, double>>(r.PhaseSecondsJson)!,
        r.NotesJson is null ? [] : JsonSerializer.Deserialize<List<string>>(r.NotesJson)!,
        [.. r.Tables.OrderBy(t => t.Table, StringComparer.Ordinal)
            .Select(t => new RunTableResult(t.Table, t.Rows, t.Bytes, t.Seconds, t.Status, t.Error, t.CopiedByJob))],
        r.MaskPolicyVersionId);
}
