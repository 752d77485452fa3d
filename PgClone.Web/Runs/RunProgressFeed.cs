namespace PgClone.Web.Runs;

/// <summary>
/// Live progress for Blazor components, per circuit (scoped): a page calls <see cref="WatchRun"/> or
/// <see cref="WatchAll"/> with a handler (typically <c>p => InvokeAsync(() => { _p = p; StateHasChanged(); })</c>)
/// and gets every update of that run, whichever console instance runs it, in process (no SignalR client inside
/// the server). Subscriptions end when the returned handle or the circuit's scope is disposed.
/// </summary>
public sealed class RunProgressFeed(RunProgressBroker broker) : IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];

    /// <summary>The last state seen of an unfinished run, for a page's first render; null when none.</summary>
    public RunProgress? Latest(long runId) => broker.Latest(runId);

    /// <summary>The unfinished runs seen by this instance.</summary>
    public IReadOnlyList<RunProgress> Active => broker.Active;

    public IDisposable WatchRun(long runId, Func<RunProgress, Task> onProgress) => Track(broker.Subscribe(runId, onProgress));

    /// <summary>Every update of every run (dashboard, Jobs page).</summary>
    public IDisposable WatchAll(Func<RunProgress, Task> onProgress) => Track(broker.Subscribe(null, onProgress));

    private IDisposable Track(IDisposable subscription)
    {
        lock (_subscriptions) _subscriptions.Add(subscription);
        return subscription;
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            foreach (var s in _subscriptions) s.Dispose();
            _subscriptions.Clear();
        }
    }
}
