using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Jobs;

/// <summary>
/// The job's target sessions: the first runs the ordered DDL, all of them load data and build indexes.
/// Loading sessions skip the commit flush wait; index builds get generous memory and parallel workers.
/// </summary>
internal sealed class TargetPool(JobSession session, ServerEndpoint target, CloneRunOptions options)
{
    private readonly List<NpgsqlConnection> _connections = [];

    public ServerEndpoint Server => target;
    public NpgsqlConnection Main => this[0];
    // Sessions warming up (Warm) join the list while the run uses the first.
    public NpgsqlConnection this[int i] { get { lock (_connections) return _connections[i]; } }
    public int Count { get { lock (_connections) return _connections.Count; } }

    private Task? _warming;

    /// <summary>
    /// Starts opening sessions until there are <paramref name="count"/> while the run plans: the load then starts
    /// without waiting for their start-ups (authentication and settings, one after another otherwise).
    /// </summary>
    public void Warm(int count, CancellationToken ct) => _warming = Background.Observed(OpenUntilAsync(count, ct));

    /// <summary>Opens sessions until there are <paramref name="count"/>.</summary>
    public async Task EnsureAsync(int count, CancellationToken ct)
    {
        if (_warming is { } warming)
        {
            _warming = null;
            // A start that failed while the run planned is tried again now (the server may have had no slot free then).
            try { await warming; }
            catch (PgCloneException) { }
        }
        await OpenUntilAsync(count, ct);
    }

    private async Task OpenUntilAsync(int count, CancellationToken ct)
    {
        var setup = $"SET synchronous_commit = off; SET maintenance_work_mem = {Sql.Literal(options.MaintenanceWorkMem)}; " +
                    $"SET max_parallel_maintenance_workers = {Sql.Literal(options.MaxParallelMaintenanceWorkers)}";
        var opening = Enumerable.Range(Count, Math.Max(0, count - Count))
            .Select(i => session.OpenAsync(target, $"w{i + 1}-target", ct, setup: setup)).ToList();
        try { await Task.WhenAll(opening); }
        catch
        {
            // None is kept unless all started: a retry (EnsureAsync after Warm) opens the whole count again.
            foreach (var t in opening) if (t.IsCompletedSuccessfully) await session.CloseAsync(t.Result);
            throw;
        }
        lock (_connections) _connections.AddRange(opening.Select(t => t.Result));
    }

    public int[] ProcessIds { get { lock (_connections) return [.. _connections.Select(c => c.ProcessID)]; } }
}
