using PgClone.Core.Masking;

namespace PgClone.Core.Jobs;

/// <summary>Limits of a <see cref="JobManager"/>.</summary>
public sealed record JobManagerOptions
{
    public int MaxConcurrentJobs { get; init; } = 4;
    /// <summary>Sessions all running jobs may hold on one source server together (a job holds parallel + 1).</summary>
    public int MaxConnectionsPerSource { get; init; } = 32;
    /// <summary>Where jobs record what they did, for resume; in memory when null.</summary>
    public ICheckpointStore? Checkpoints { get; init; }
    /// <summary>Applied to every run's options (tuning such as the split size, or a planner of one's own).</summary>
    public Func<CloneRunOptions, CloneRunOptions>? ConfigureRun { get; init; }
}

/// <summary>One job as the manager knows it.</summary>
public sealed record JobInfo(
    string Id,
    CloneRequest Request,
    JobProgress Progress,
    CloneResult? Result,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? ResumedFrom)
{
    public JobStatus Status => Progress.Status;
}

/// <summary>
/// Runs clone jobs in the background, in process: <see cref="Start"/> returns at once with the job's id. At most
/// <see cref="JobManagerOptions.MaxConcurrentJobs"/> run together and the jobs reading one source server hold at
/// most <see cref="JobManagerOptions.MaxConnectionsPerSource"/> sessions there; the others wait in submission
/// order (a job that does not fit yet holds back the jobs behind it, so none is starved).
/// </summary>
public sealed class JobManager(JobManagerOptions? options = null, Func<CloneRequest, IColumnMasker?>? maskerFactory = null) : IAsyncDisposable
{
    private sealed class Job
    {
        public required string Id;
        public required CloneRequest Request;
        public JobCheckpoint? ResumeFrom;
        public required int Connections;
        public required string SourceKey;
        public readonly CancellationTokenSource Cancel = new();
        public readonly TaskCompletionSource<JobInfo> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public required JobProgress Progress;
        public CloneResult? Result;
        public DateTimeOffset SubmittedAt = DateTimeOffset.UtcNow;
        public DateTimeOffset? StartedAt, FinishedAt;
        public Task Running = Task.CompletedTask;

        public JobInfo Info() => new(Id, Request, Progress, Result, SubmittedAt, StartedAt, FinishedAt, ResumeFrom?.JobId);
    }

    private readonly JobManagerOptions _options = Validate(options ?? new JobManagerOptions());
    private readonly object _gate = new();
    private readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly List<Job> _queue = [];
    private readonly Dictionary<string, int> _sourceConnections = new(StringComparer.OrdinalIgnoreCase);
    private int _running;

    public ICheckpointStore Checkpoints { get; } = options?.Checkpoints ?? new InMemoryCheckpointStore();

    /// <summary>Every progress snapshot of every job, in order per job (on the job's thread: keep handlers short).</summary>
    public event Action<JobProgress>? ProgressChanged;

    public string Start(CloneRequest request) => Submit(request, null);

    /// <summary>Starts a new job that finishes a failed or cancelled one: copied tables are kept, the rest is done.</summary>
    public async Task<string> ResumeAsync(string jobId, CancellationToken ct = default)
    {
        var checkpoint = await Checkpoints.LoadAsync(jobId, ct) ?? throw new PgCloneException($"job {jobId}: no checkpoint to resume from");
        lock (_gate)
            if (_jobs.TryGetValue(jobId, out var old) && !old.Progress.IsFinished)
                throw new PgCloneException($"job {jobId} is still {old.Progress.Status.ToString().ToLowerInvariant()}: cancel it before resuming");
        if (checkpoint.Status == JobStatus.Completed) throw new PgCloneException($"job {jobId} already completed: nothing to resume");
        return Submit(checkpoint.Request.ToRequest(), checkpoint);
    }

    public IReadOnlyList<JobInfo> List()
    {
        lock (_gate) return [.. _jobs.Values.OrderBy(j => j.SubmittedAt).Select(j => j.Info())];
    }

    public JobInfo? Get(string jobId)
    {
        lock (_gate) return _jobs.TryGetValue(jobId, out var j) ? j.Info() : null;
    }

    /// <summary>Completes when the job has finished (whatever its outcome) and all its sessions are closed.</summary>
    public Task<JobInfo> WaitAsync(string jobId, CancellationToken ct = default)
    {
        Job job;
        lock (_gate) job = _jobs.TryGetValue(jobId, out var j) ? j : throw new PgCloneException($"job {jobId} does not exist");
        return job.Done.Task.WaitAsync(ct);
    }

    /// <summary>Cancels a queued or running job. False when it does not exist or has already finished.</summary>
    public bool Cancel(string jobId)
    {
        Job? job;
        lock (_gate)
        {
            if (!_jobs.TryGetValue(jobId, out job) || job.Progress.IsFinished) return false;
            if (_queue.Remove(job))
            {
                job.Progress = job.Progress with { Status = JobStatus.Cancelled, Error = "cancelled" };
                job.FinishedAt = DateTimeOffset.UtcNow;
                job.Done.TrySetResult(job.Info());
                ProgressChanged?.Invoke(job.Progress);
                return true;
            }
        }
        job.Cancel.Cancel();
        return true;
    }

    /// <summary>Forgets finished jobs; returns how many.</summary>
    public int ClearFinished()
    {
        lock (_gate)
        {
            var finished = _jobs.Values.Where(j => j.Progress.IsFinished && j.Done.Task.IsCompleted).Select(j => j.Id).ToList();
            foreach (var id in finished) _jobs.Remove(id);
            return finished.Count;
        }
    }

    private string Submit(CloneRequest request, JobCheckpoint? resumeFrom)
    {
        // A job never needs more source sessions than the cap allows: it runs with fewer workers instead.
        var parallel = Math.Max(1, Math.Min(request.EffectiveOptions.Parallel, _options.MaxConnectionsPerSource - 1));
        if (parallel != request.EffectiveOptions.Parallel) request = request with { Options = request.EffectiveOptions with { Parallel = parallel } };
        var id = CloneRunOptions.NewJobId();
        var job = new Job
        {
            Id = id,
            Request = request,
            ResumeFrom = resumeFrom,
            Connections = parallel + 1,
            SourceKey = $"{request.Source.Host}:{request.Source.Port}",
            Progress = new JobProgress { JobId = id, Operation = request.Operation, Status = JobStatus.Pending, Phase = JobPhase.Planning },
        };
        lock (_gate)
        {
            _jobs[id] = job;
            _queue.Add(job);
            Pump();
        }
        return id;
    }

    /// <summary>Starts queued jobs from the head while they fit. Called under the lock.</summary>
    private void Pump()
    {
        while (_queue.Count > 0 && _running < _options.MaxConcurrentJobs)
        {
            var job = _queue[0];
            var used = _sourceConnections.GetValueOrDefault(job.SourceKey);
            if (used + job.Connections > _options.MaxConnectionsPerSource) return;
            _queue.RemoveAt(0);
            _running++;
            _sourceConnections[job.SourceKey] = used + job.Connections;
            job.StartedAt = DateTimeOffset.UtcNow;
            job.Progress = job.Progress with { Status = JobStatus.Running };
            job.Running = Task.Run(() => RunAsync(job));
        }
    }

    private async Task RunAsync(Job job)
    {
        var run = new CloneRunOptions
        {
            JobId = job.Id,
            Checkpoints = Checkpoints,
            OnProgress = p =>
            {
                lock (_gate) job.Progress = p;
                ProgressChanged?.Invoke(p);
            },
        };
        if (_options.ConfigureRun is { } configure) run = configure(run) with { JobId = job.Id, OnProgress = run.OnProgress, Checkpoints = Checkpoints };
        var engine = new CloneEngine(maskerFactory);
        try
        {
            job.Result = job.ResumeFrom is null
                ? await engine.RunAsync(job.Request, run, job.Cancel.Token)
                : await engine.ResumeAsync(job.ResumeFrom, run, job.Cancel.Token);
        }
        catch (Exception e)
        {
            // The run published its final progress with the error; this covers a failure before it could.
            lock (_gate)
                if (!job.Progress.IsFinished)
                    job.Progress = job.Progress with { Status = job.Cancel.IsCancellationRequested ? JobStatus.Cancelled : JobStatus.Failed, Error = e.Message };
        }
        finally
        {
            JobInfo info;
            lock (_gate)
            {
                job.FinishedAt = DateTimeOffset.UtcNow;
                _running--;
                _sourceConnections[job.SourceKey] -= job.Connections;
                info = job.Info();
                Pump();
            }
            job.Done.TrySetResult(info);
        }
    }

    private static JobManagerOptions Validate(JobManagerOptions o)
    {
        if (o.MaxConcurrentJobs < 1) throw new PgCloneException($"job manager: MaxConcurrentJobs must be at least 1, got {o.MaxConcurrentJobs}");
        if (o.MaxConnectionsPerSource < 2) throw new PgCloneException($"job manager: MaxConnectionsPerSource must be at least 2, got {o.MaxConnectionsPerSource}");
        return o;
    }

    /// <summary>Cancels every job and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Job> all;
        lock (_gate) all = [.. _jobs.Values];
        foreach (var j in all) Cancel(j.Id);
        await Task.WhenAll(all.Select(j => j.Running));
    }
}
