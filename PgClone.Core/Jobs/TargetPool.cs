using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Jobs;

/// <summary>
/// The job's target sessions: the first runs the ordered DDL, all of them load data and build indexes.
/// Loading sessions skip the commit flush wait; index builds get parallel workers, and memory for their table (<see cref="BuildMemory"/>).
/// </summary>
internal sealed class TargetPool(JobSession session, ServerEndpoint target, CloneRunOptions options)
{
    private NpgsqlConnection[] _connections = [];
    private Task? _ahead;
    private readonly Lock _gate = new();

    public ServerEndpoint Server => target;
    public NpgsqlConnection Main => _connections[0];
    public NpgsqlConnection this[int i] => _connections[i];

    /// <summary>
    /// Opens the first session, then starts opening the others the load will use (<paramref name="count"/> in all)
    /// while the run plans: each is a connection's start-up the load otherwise waited for. One that fails to open
    /// then is opened again by <see cref="EnsureAsync"/>, whose failure is the run's (the load may need fewer).
    /// </summary>
    public async Task OpenAsync(int count, CancellationToken ct)
    {
        await EnsureAsync(1, ct);
        if (count <= 1) return;
        _ahead = OpenUpToAsync(count, ct).Observed();
    }

    /// <summary>Opens sessions until there are <paramref name="count"/>.</summary>
    public async Task EnsureAsync(int count, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _ahead, null) is { } ahead)
        {
            try { await ahead; }
            catch (PgCloneException) { /* opened again below */ }
        }
        await OpenUpToAsync(count, ct);
    }

    private Task OpenUpToAsync(int count, CancellationToken ct)
    {
        var setup = $"SET synchronous_commit = off; {BuildMemory.Set(options.MaxBuildMemory)}; " +
                    $"SET max_parallel_maintenance_workers = {Sql.Literal(options.MaxParallelMaintenanceWorkers)}";
        var have = _connections.Length;
        return Task.WhenAll(Enumerable.Range(have, Math.Max(0, count - have)).Select(async i =>
        {
            var conn = await session.OpenAsync(target, $"w{i + 1}-target", ct, setup: setup);
            lock (_gate) _connections = [.. _connections, conn];
        }));
    }
}
