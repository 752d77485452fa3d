using Npgsql;

namespace PgClone.Core.Jobs;

/// <summary>
/// Settles, at the start of a resume, the steps an earlier job left pending (see <see cref="PendingStep"/>): the
/// target says whether each one's transaction committed. Committed ones count as done (and are recorded so in the
/// new job's checkpoint); aborted ones run again.
/// </summary>
internal static class PendingSteps
{
    /// <summary>How long a transaction still "in progress" may take to end: the backend of a killed client finishes its COMMIT or rolls back.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    public static async Task<JobCheckpoint> ResolveAsync(JobContext job, NpgsqlConnection target, JobCheckpoint resume, CancellationToken ct)
    {
        var open = resume.Pending.Values
            .Where(p => p.Table is { } t ? !resume.Tables.ContainsKey(t.Table) : !resume.Steps.Contains(p.Step))
            .ToList();
        if (open.Count == 0) return resume;
        var tables = new Dictionary<string, TableCheckpoint>(resume.Tables, StringComparer.Ordinal);
        var steps = new HashSet<string>(resume.Steps, StringComparer.Ordinal);
        foreach (var p in open)
        {
            if (!await CommittedAsync(job, target, p, ct)) continue;
            foreach (var step in p.With ?? []) if (steps.Add(step)) await job.StepDoneAsync(step);
            if (p.Table is { } t)
            {
                tables[t.Table] = t;
                if (job.Checkpoints is { } store) await store.TableCopiedAsync(job.Id, t, CancellationToken.None);
            }
            else
            {
                steps.Add(p.Step);
                await job.StepDoneAsync(p.Step);
            }
        }
        return resume with { Tables = tables, Steps = steps };
    }

    private static async Task<bool> CommittedAsync(JobContext job, NpgsqlConnection target, PendingStep p, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Settle;
        while (true)
        {
            // NULL: the id is too old for the target to remember; the step is then treated as not done, and
            // DDL that did take effect is recognised by its definition (ExistingDefinitions). An id at or past the
            // next one to be assigned was lost in a crash before anything of it reached the WAL: never committed.
            var status = await JobSession.ScalarAsync<object>(target, job.Target,
                "SELECT CASE WHEN $1 >= pg_catalog.txid_snapshot_xmax(pg_catalog.txid_current_snapshot()) THEN 'aborted' " +
                "ELSE pg_catalog.txid_status($1) END", ct, p.TransactionId);
            if (status is not "in progress") return status is "committed";
            if (DateTime.UtcNow > deadline)
                throw PgCloneException.For(job.Target, null,
                    $"the transaction {p.TransactionId} of step {p.Step} of the earlier job is still running: wait for it to end (or end its session), then resume");
            await Task.Delay(200, ct);
        }
    }
}
