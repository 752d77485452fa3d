using PgClone.Web.Data;

namespace PgClone.Web.Runs;

/// <summary>What the audit trail records of a run: who, from where to where, what, and how it ended.</summary>
internal static class RunAudit
{
    public static object Details(Run run) => new
    {
        run.Operation,
        startedBy = new { kind = run.StartedByKind, name = run.StartedBy },
        source = new { id = run.SourceConnectionId, name = run.SourceName, environment = run.SourceEnvironment, server = run.SourceServer },
        target = new { id = run.TargetConnectionId, name = run.TargetName, environment = run.TargetEnvironment },
        run.Schema,
        run.Table,
        run.ProfileId,
        run.ResumedFromRunId,
        run.Masked,
        run.ProductionConfirmed,
        maskPolicyVersion = run.MaskPolicyVersionId,
        status = run.Status,
        error = run.Error,
        tables = run.FinishedAt is null ? (int?)null : run.TablesCompleted,
        rows = run.FinishedAt is null ? (long?)null : run.Rows,
    };
}
