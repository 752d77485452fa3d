using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

/// <summary>
/// A job's end closes the sessions it holds, but never one under a statement run apart (<see cref="JobSession.ApartAsync"/>):
/// Npgsql's connections are not thread-safe, and a run failing at once hung on a session made ready beside it.
/// </summary>
public sealed class JobSessionTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_job_ending_while_a_session_is_used_apart_leaves_it_to_its_statement_then_closes_it()
    {
        var server = ServerEndpoint.Parse(ServerRole.Source, fx.Servers.SourceAdmin);
        var session = new JobSession("apart");
        var conn = await session.OpenAsync(server, "w1-source", CancellationToken.None);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var use = session.ApartAsync(conn, async () =>
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_sleep(0.5)", conn);
            var running = cmd.ExecuteNonQueryAsync();
            started.SetResult();
            await running;
        });
        await started.Task;

        await session.DisposeAsync();
        // The statement ran to its end on an untouched connection; the session was closed after it.
        var ended = await Assert.ThrowsAsync<OperationCanceledException>(() => use);
        Assert.Equal("job apart ended while its session was in use", ended.Message);
        Assert.Equal(System.Data.ConnectionState.Closed, conn.State);

        // A session used apart while the job runs is the job's again after: its end closes it.
        var again = new JobSession("again");
        var other = await again.OpenAsync(server, "w1-source", CancellationToken.None);
        await again.ApartAsync(other, async () =>
        {
            await using var cmd = new NpgsqlCommand("SELECT 1", other);
            await cmd.ExecuteNonQueryAsync();
        });
        Assert.Equal(System.Data.ConnectionState.Open, other.State);
        await again.DisposeAsync();
        Assert.Equal(System.Data.ConnectionState.Closed, other.State);
        await Assert.ThrowsAsync<OperationCanceledException>(() => again.ApartAsync(other, () => Task.CompletedTask));
    }
}
