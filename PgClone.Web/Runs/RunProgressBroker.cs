using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace PgClone.Web.Runs;

/// <summary>
/// Hands a run's progress to everything watching it on THIS instance: the hub's groups (run and dashboard) and
/// the in-process subscribers (<see cref="RunProgressFeed"/> of Blazor circuits). It is fed by the
/// <see cref="RunProgressPublisher"/> for runs this instance executes and by the <see cref="ProgressRelay"/> for
/// runs other instances execute, so each update is dispatched exactly once per instance.
/// </summary>
public sealed class RunProgressBroker(IHubContext<ProgressHub> hub, ILogger<RunProgressBroker> log)
{
    private sealed record Subscription(long? RunId, Func<RunProgress, Task> Handler);

    private readonly ConcurrentDictionary<Subscription, byte> _subscribers = new();
    private readonly ConcurrentDictionary<long, RunProgress> _latest = new();

    /// <summary>The last state seen of a run that is not finished (null when none was seen here).</summary>
    public RunProgress? Latest(long runId) => _latest.GetValueOrDefault(runId);

    /// <summary>Every unfinished run seen here, latest state each.</summary>
    public IReadOnlyList<RunProgress> Active => [.. _latest.Values];

    /// <summary>Calls <paramref name="handler"/> for each update of one run, or of every run when null, until disposed.</summary>
    public IDisposable Subscribe(long? runId, Func<RunProgress, Task> handler)
    {
        var s = new Subscription(runId, handler);
        _subscribers.TryAdd(s, 0);
        return new Unsubscriber(() => _subscribers.TryRemove(s, out _));
    }

    public async Task DispatchAsync(RunProgress p)
    {
        if (p.IsFinished) _latest.TryRemove(p.RunId, out _);
        else _latest[p.RunId] = p;
        var sends = new List<Task>
        {
            hub.Clients.Groups(ProgressHub.RunGroup(p.RunId), ProgressHub.DashboardGroup).SendAsync(ProgressHub.ProgressMethod, p),
        };
        foreach (var s in _subscribers.Keys)
            if (s.RunId is null || s.RunId == p.RunId) sends.Add(Safe(s.Handler, p));
        await Task.WhenAll(sends);
    }

    private async Task Safe(Func<RunProgress, Task> handler, RunProgress p)
    {
        // A circuit that went away must not stop the others from getting the update.
        try { await handler(p); }
        catch (Exception e) { log.LogDebug(e, "progress subscriber of run {RunId} failed", p.RunId); }
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) dispose();
        }
    }
}
