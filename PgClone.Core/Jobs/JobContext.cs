using PgClone.Core.Connections;

namespace PgClone.Core.Jobs;

/// <summary>What every step of one run shares.</summary>
internal sealed record JobContext(
    string Id,
    CloneRequest Request,
    ServerEndpoint Target,
    CloneRunOptions Options,
    ProgressTracker Progress,
    JobSession Session)
{
    public ServerEndpoint Source => Request.Source;
    public int Parallel => Request.EffectiveOptions.Parallel;
    public ICheckpointStore? Checkpoints => Options.Checkpoints;

    /// <summary>What the run's result notes beside its tables (steps may add from any worker).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Notes { get; } = new();

    public Task StepDoneAsync(string step) =>
        Checkpoints?.StepDoneAsync(Id, step, CancellationToken.None) ?? Task.CompletedTask;
}
