using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using PgClone.Core.Jobs;
using PgClone.Web.Data;

namespace PgClone.Web.Runs;

/// <summary>
/// The one publisher of live progress. Engine progress of the runs this instance executes, and state changes
/// (queued, cancelled, finished) made here, are throttled to <see cref="RunsOptions.ProgressMessagesPerSecond"/>
/// per run (the latest state wins; the final state is never dropped), then handed in order to the local
/// <see cref="RunProgressBroker"/> and sent with NOTIFY to the other instances (<see cref="ProgressRelay"/>).
/// </summary>
public sealed class RunProgressPublisher(
    RunProgressBroker broker,
    ConsoleDataSource console,
    IDbContextFactory<PgCloneDbContext> factory,
    IOptions<RunsOptions> options,
    TimeProvider clock,
    ILogger<RunProgressPublisher> log) : BackgroundService
{
    public const string ProgressChannel = "pgclone_progress";
    public const string CancelChannel = "pgclone_cancel";
    /// <summary>NOTIFY payloads must stay under 8000 bytes.</summary>
    private const int MaxPayload = 7900;

    /// <summary>Tells this instance's own notifications apart from the others'.</summary>
    public string Origin { get; } = Guid.NewGuid().ToString("N")[..12];

    private sealed class Throttle
    {
        public long LastSent;
        public RunProgress? Pending;
        public bool FlushScheduled;
    }

    private readonly ConcurrentDictionary<long, Throttle> _throttles = new();
    private readonly Channel<RunProgress> _out = Channel.CreateUnbounded<RunProgress>(new UnboundedChannelOptions { SingleReader = true });
    private TimeSpan Gap => TimeSpan.FromSeconds(1.0 / Math.Max(1, options.Value.ProgressMessagesPerSecond));
    /// <summary>The wall clock and the monotonic clock at start: send times are this instant plus monotonic time elapsed.</summary>
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();
    private readonly long _startedTimestamp = clock.GetTimestamp();

    /// <summary>
    /// An engine progress snapshot of a run executed here. The engine's final snapshot is not passed on: the run's
    /// final state is the one stored with its outcome, published by the executor right after.
    /// </summary>
    public void Report(long runId, JobProgress progress)
    {
        if (!progress.IsFinished) Publish(RunProgress.From(runId, progress, clock.GetUtcNow()));
    }

    /// <summary>Publishes a run's stored state (after a change of status made in the database).</summary>
    public async Task PublishStateAsync(long runId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is not null) Publish(RunProgress.From(RunMapping.ToSummary(run), clock.GetUtcNow()));
    }

    public void Publish(RunProgress p)
    {
        var t = _throttles.GetOrAdd(p.RunId, _ => new Throttle());
        lock (t)
        {
            var now = clock.GetTimestamp();
            if (!t.FlushScheduled && (t.LastSent == 0 || clock.GetElapsedTime(t.LastSent, now) >= Gap))
            {
                t.LastSent = now;
                Send(p, now);
                return;
            }
            t.Pending = p;
            if (t.FlushScheduled) return;
            t.FlushScheduled = true;
            _ = FlushLaterAsync(t, Gap - clock.GetElapsedTime(t.LastSent, now));
        }
    }

    private async Task FlushLaterAsync(Throttle t, TimeSpan wait)
    {
        await Task.Delay(WholeMilliseconds(wait), clock);
        lock (t)
        {
            // Timers count whole milliseconds on a coarse tick and may fire a little early: never closer than the gap.
            var now = clock.GetTimestamp();
            var left = Gap - clock.GetElapsedTime(t.LastSent, now);
            if (left > TimeSpan.Zero)
            {
                _ = FlushLaterAsync(t, left);
                return;
            }
            t.FlushScheduled = false;
            if (t.Pending is not { } p) return;
            t.Pending = null;
            t.LastSent = now;
            Send(p, now);
        }
    }

    /// <summary>A wait rounded up to whole milliseconds, at least one (a timer truncates, and zero would not wait at all).</summary>
    private static TimeSpan WholeMilliseconds(TimeSpan wait) => TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait.TotalMilliseconds)));

    private void Send(RunProgress p, long timestamp)
    {
        p = p with { SentAt = (_startedAt + clock.GetElapsedTime(_startedTimestamp, timestamp)).ToUnixTimeMilliseconds() };
        _out.Writer.TryWrite(p);
        // Forgotten a while after the end, not at once: a late state message must still keep its distance.
        if (p.IsFinished) _ = ForgetLaterAsync(p.RunId);
    }

    private async Task ForgetLaterAsync(long runId)
    {
        await Task.Delay(TimeSpan.FromSeconds(10), clock);
        if (_throttles.TryGetValue(runId, out var t))
            lock (t)
                if (!t.FlushScheduled && clock.GetElapsedTime(t.LastSent) >= TimeSpan.FromSeconds(10))
                    _throttles.TryRemove(runId, out _);
    }

    /// <summary>Announces a cancel request to every instance (the one executing the run acts on it).</summary>
    public async Task RequestCancelAsync(long runId, CancellationToken ct) =>
        await NotifyAsync(CancelChannel, runId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var p in _out.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await broker.DispatchAsync(p);
                await NotifyAsync(ProgressChannel, Payload(p), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "progress of run {RunId} could not be published", p.RunId);
            }
        }
    }

    /// <summary>The compact NOTIFY payload: origin and progress; the workers are left out when it would not fit.</summary>
    public string Payload(RunProgress p)
    {
        var text = JsonSerializer.Serialize(new RelayedProgress(Origin, p), RunProgress.Json);
        if (text.Length <= MaxPayload) return text;
        text = JsonSerializer.Serialize(new RelayedProgress(Origin, p with { Workers = [] }), RunProgress.Json);
        if (text.Length <= MaxPayload) return text;
        return JsonSerializer.Serialize(new RelayedProgress(Origin, p with { Workers = [], Error = p.Error?[..Math.Min(p.Error.Length, 2000)] }), RunProgress.Json);
    }

    private async Task NotifyAsync(string channel, string payload, CancellationToken ct)
    {
        await using var cmd = console.Source.CreateCommand("SELECT pg_notify($1, $2)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = channel });
        cmd.Parameters.Add(new NpgsqlParameter { Value = payload });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>A progress message as NOTIFY carries it between instances.</summary>
public sealed record RelayedProgress(string O, RunProgress P);
