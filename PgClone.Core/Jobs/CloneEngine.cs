using Npgsql;
using PgClone.Core.Masking;

namespace PgClone.Core.Jobs;

/// <summary>
/// Runs one clone request to the end and returns its summary. Failures throw <see cref="PgCloneException"/>
/// naming the server and object; cancellation throws <see cref="OperationCanceledException"/> once every
/// session of the run is closed. Progress and checkpoints are optional (<see cref="CloneRunOptions"/>).
/// </summary>
public sealed class CloneEngine(Func<CloneRequest, IColumnMasker?>? maskerFactory = null)
{
    public Task<CloneResult> RunAsync(CloneRequest request, CancellationToken ct = default) => RunAsync(request, new CloneRunOptions(), ct);

    public async Task<CloneResult> RunAsync(CloneRequest request, CloneRunOptions options, CancellationToken ct = default)
    {
        var jobId = options.JobId ?? CloneRunOptions.NewJobId();
        await using var progress = new ProgressTracker(jobId, request.Operation, options.OnProgress);
        try
        {
            if (options.Checkpoints is { } store)
                await store.BeginAsync(NewCheckpoint(jobId, request, options.ResumeFrom), ct);
            var result = await new CloneJob(request, options, Masker(request)).RunAsync(progress, jobId, ct);
            await FinishAsync(options, progress, jobId, JobStatus.Completed, null);
            return result;
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Whatever the cancelled statements reported, the run stopped because it was asked to.
            await FinishAsync(options, progress, jobId, JobStatus.Cancelled, "cancelled");
            throw new OperationCanceledException("the clone was cancelled", ct);
        }
        catch (Exception e)
        {
            var error = e is PgCloneException ? e : new PgCloneException(Describe(e), e);
            await FinishAsync(options, progress, jobId, JobStatus.Failed, error.Message);
            if (ReferenceEquals(error, e)) throw;
            throw error;
        }
    }

    /// <summary>
    /// Resumes a failed or cancelled job as a new job (see <see cref="CloneRunOptions.ResumeFrom"/>).
    /// <paramref name="source"/> and <paramref name="target"/> replace the stored connections, e.g. to give the
    /// password a checkpoint file does not keep.
    /// </summary>
    public Task<CloneResult> ResumeAsync(JobCheckpoint from, CloneRunOptions options, CancellationToken ct = default,
        Connections.ServerEndpoint? source = null, Connections.ServerEndpoint? target = null)
    {
        if (from.Status == JobStatus.Completed) throw new PgCloneException($"job {from.JobId} already completed: nothing to resume");
        return RunAsync(from.Request.ToRequest(source, target), options with { ResumeFrom = from }, ct);
    }

    /// <summary>An engine built without a masker refuses mask rules rather than copy the columns unmasked.</summary>
    private IColumnMasker? Masker(CloneRequest request)
    {
        if (maskerFactory is not null) return maskerFactory(request);
        if (request.Options?.Mask is { Count: > 0 })
            throw new PgCloneException("the request has mask rules, but this engine has no masker to apply them: nothing was copied (build it with MaskingFactory)");
        return null;
    }

    private static JobCheckpoint NewCheckpoint(string jobId, CloneRequest request, JobCheckpoint? from) => new()
    {
        JobId = jobId,
        Request = from?.Request ?? CheckpointRequest.From(request),
        ResumedFrom = from?.JobId,
        Plan = from?.Plan,
        Tables = from is null ? new() : new(from.Tables),
        Steps = from is null ? [] : [.. from.Steps],
        Pending = from is null ? new() : new(from.Pending),
    };

    private static async Task FinishAsync(CloneRunOptions options, ProgressTracker progress, string jobId, JobStatus status, string? error)
    {
        if (options.Checkpoints is { } store)
            try { await store.FinishAsync(jobId, status, error, CancellationToken.None); }
            catch (PgCloneException) { /* the run's own outcome matters more than recording it */ }
        await progress.Finish(status, error);
    }

    private static string Describe(Exception e) => e switch
    {
        NpgsqlException n => $"unexpected database error: {n.Message}",
        _ => $"unexpected error: {e.GetType().Name}: {e.Message}",
    };
}
