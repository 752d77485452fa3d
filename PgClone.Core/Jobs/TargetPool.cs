using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Jobs;

/// <summary>
/// The job's target sessions: the first runs the ordered DDL, all of them load data and build indexes.
/// Loading sessions skip the commit flush wait; index builds get parallel workers, and memory for their table (<see cref="BuildMemory"/>).
/// </summary>
internal sealed class TargetPool(JobSession session, ServerEndpoint target, CloneRunOptions options)
{
    private readonly List<NpgsqlConnection> _connections = [];

    public ServerEndpoint Server => target;
    public NpgsqlConnection Main => _connections[0];
    public NpgsqlConnection this[int i] => _connections[i];
    public int Count => _connections.Count;

    /// <summary>Opens sessions until there are <paramref name="count"/>.</summary>
    public async Task EnsureAsync(int count, CancellationToken ct)
    {
        var setup = $"SET synchronous_commit = off; {BuildMemory.Set(options.MaxBuildMemory)}; " +
                    $"SET max_parallel_maintenance_workers = {Sql.Literal(options.MaxParallelMaintenanceWorkers)}";
        var opening = Enumerable.Range(_connections.Count, Math.Max(0, count - _connections.Count))
            .Select(i => session.OpenAsync(target, $"w{i + 1}-target", ct, setup: setup)).ToList();
        var opened = await Task.WhenAll(opening);
        _connections.AddRange(opened);
    }

    public int[] ProcessIds => [.. _connections.Select(c => c.ProcessID)];
}
