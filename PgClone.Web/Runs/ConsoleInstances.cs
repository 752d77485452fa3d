using Microsoft.Extensions.Options;
using Npgsql;

namespace PgClone.Web.Runs;

/// <summary>A console instance of the cluster as the shared Quartz store last heard of it, and the runs it executes now.</summary>
public sealed record ConsoleInstance(string Id, DateTimeOffset LastCheckIn, int RunningRuns, bool IsThis, bool Late);

/// <summary>
/// The console instances sharing the run store: the Quartz cluster's check-in table, so an Admin sees that every
/// instance is alive (a late one's runs are taken over by the others once it misses its check-ins).
/// </summary>
public sealed class ConsoleInstances(ConsoleDataSource console, RunScheduler scheduler, IOptions<RunsOptions> options, TimeProvider clock)
{
    // Quartz.NET writes check-in times as UTC ticks.
    private const string Sql = """
        SELECT s.instance_name, s.last_checkin_time,
               (SELECT count(*) FROM runs r WHERE r."Instance" = s.instance_name AND r."Status" = $2)::int
        FROM qrtz_scheduler_state s
        WHERE s.sched_name = $1
        ORDER BY s.instance_name
        """;

    public async Task<IReadOnlyList<ConsoleInstance>> ListAsync(CancellationToken ct = default)
    {
        var self = await scheduler.InstanceIdAsync(ct);
        var now = clock.GetUtcNow();
        var settings = options.Value;
        var lateAfter = settings.ClusterCheckinInterval + settings.ClusterCheckinMisfireThreshold;
        var list = new List<ConsoleInstance>();
        await using var command = console.Source.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter { Value = RunsServices.SchedulerName });
        command.Parameters.Add(new NpgsqlParameter { Value = RunStatus.Running.Name() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var checkIn = new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero);
            list.Add(new ConsoleInstance(reader.GetString(0), checkIn, reader.GetInt32(2), reader.GetString(0) == self, now - checkIn > lateAfter));
        }
        return list;
    }
}
