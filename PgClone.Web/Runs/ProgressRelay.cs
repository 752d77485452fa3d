using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace PgClone.Web.Runs;

/// <summary>
/// Carries live progress and cancel requests between console instances: a dedicated connection to the console
/// database LISTENs on the progress and cancel channels; progress from other instances goes to the local
/// <see cref="RunProgressBroker"/>, a cancel request to the run when it executes here. Reconnects after a failure.
/// </summary>
public sealed class ProgressRelay(
    ConsoleDataSource console,
    RunProgressBroker broker,
    RunProgressPublisher publisher,
    RunningRuns running,
    ILogger<ProgressRelay> log) : BackgroundService
{
    /// <summary>Completes once the relay listens (tests and the start-up recovery wait for it).</summary>
    public Task Listening => _listening.Task;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogWarning(e, "progress relay lost its connection to the console database; reconnecting");
                try { await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        var csb = new NpgsqlConnectionStringBuilder(console.ConnectionString) { KeepAlive = 10, Pooling = false, ApplicationName = "pgclone progress relay" };
        await using var conn = new NpgsqlConnection(csb.ConnectionString);
        await conn.OpenAsync(ct);
        conn.Notification += (_, e) => OnNotification(e.Channel, e.Payload);
        await using (var cmd = new NpgsqlCommand($"LISTEN {RunProgressPublisher.ProgressChannel}; LISTEN {RunProgressPublisher.CancelChannel}", conn))
            await cmd.ExecuteNonQueryAsync(ct);
        _listening.TrySetResult();
        while (true) await conn.WaitAsync(ct);
    }

    private void OnNotification(string channel, string payload)
    {
        try
        {
            if (channel == RunProgressPublisher.CancelChannel)
            {
                running.Cancel(long.Parse(payload, CultureInfo.InvariantCulture));
                return;
            }
            var message = JsonSerializer.Deserialize<RelayedProgress>(payload, RunProgress.Json);
            if (message is null || message.O == publisher.Origin) return;
            // Dispatched off the connection's thread: a slow circuit must not hold up the next notification.
            _ = broker.DispatchAsync(message.P);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            log.LogWarning(e, "ignored a malformed {Channel} notification", channel);
        }
    }
}
