using System.Collections.Concurrent;
using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Jobs;

/// <summary>
/// Notices a target COPY that ended in an error while its client still streams. The server reports the error at
/// once, then reads and drops whatever follows until the client ends the COPY, and the driver reads nothing during
/// a COPY: the client would learn of the error only after reading the whole source table (a disk filling up on the
/// target 1 GB into a 100 GB table: 99 GB read for nothing before the run fails). Copies estimated above
/// <see cref="CloneRunOptions.WatchCopiesLargerThan"/> are watched from a session of the watch's own, opened with
/// the first of them and closed once the last copy is in (one session more than the workers' during such a load):
/// every second it looks for a watched target session that no longer runs a statement, and stops that copy, which
/// then reports the target's error.
/// </summary>
internal sealed class CopyWatch(JobContext job, ServerEndpoint target) : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    /// <summary>Watched copies by their target session's process id.</summary>
    private readonly ConcurrentDictionary<int, Watched> _copies = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _starting = new();
    private Task? _loop;
    private bool _stopped, _disposed;

    /// <summary>One watched copy: <see cref="Ended"/> is cancelled when its target session stopped running the COPY.</summary>
    public sealed class Watched(CopyWatch watch, int pid) : Copying.ITargetCopyWatch
    {
        private readonly CancellationTokenSource _ended = new();
        private volatile bool _finishing;

        public CancellationToken Ended => _ended.Token;

        /// <summary>Called before the client ends the COPY itself: from then on an idle session is the COPY's normal end.</summary>
        public void Finishing() => _finishing = true;

        internal bool IsFinishing => _finishing;

        internal void Stop()
        {
            try { _ended.Cancel(); }
            catch (ObjectDisposedException) { /* the copy ended meanwhile */ }
        }

        public void Dispose()
        {
            _finishing = true;
            watch._copies.TryRemove(new KeyValuePair<int, Watched>(pid, this));
            _ended.Dispose();
        }
    }

    /// <summary>Watches the COPY that the target session <paramref name="pid"/> runs now (not before it started: an idle session would look failed).</summary>
    public Watched Watch(int pid)
    {
        var watched = new Watched(this, pid);
        _copies[pid] = watched;
        lock (_starting)
            if (!_stopped) _loop ??= LoopAsync(_stop.Token);
        return watched;
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        NpgsqlConnection? conn = null;
        try
        {
            conn = await job.Session.OpenAsync(target, "watch", ct);
            using var ticker = new Ticker(Every, ct);
            while (await ticker.NextAsync())
            {
                var looked = _copies.Where(kv => !kv.Value.IsFinishing).ToArray();
                if (looked.Length == 0) continue;
                await using var cmd = new NpgsqlCommand(
                    // Idle states only: one this session may not see (another role's) is NULL, and track_activities off says 'disabled'.
                    "SELECT pid FROM pg_catalog.pg_stat_activity WHERE pid = ANY($1) AND state LIKE 'idle%'", conn);
                cmd.Parameters.Add(new NpgsqlParameter { Value = looked.Select(kv => kv.Key).ToArray() });
                var idle = new HashSet<int>();
                await using (var r = await cmd.ExecuteReaderAsync(ct))
                    while (await r.ReadAsync(ct)) idle.Add(r.GetInt32(0));
                // Still streaming after the look, and not ending it yet: the session idles because its COPY failed.
                foreach (var (pid, watched) in looked)
                    if (idle.Contains(pid) && !watched.IsFinishing && _copies.TryGetValue(pid, out var now) && ReferenceEquals(now, watched))
                        watched.Stop();
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is NpgsqlException or PgCloneException) { /* a help only: never fails the run */ }
        finally
        {
            if (conn is not null) await job.Session.CloseAsync(conn);
        }
    }

    /// <summary>Ends the watch and closes its session: once the last copy is in (the index builds need no watch), or on dispose.</summary>
    public async Task StopAsync()
    {
        Task? loop;
        lock (_starting)
        {
            if (_stopped) return;
            _stopped = true;
            loop = _loop;
        }
        await _stop.CancelAsync();
        if (loop is not null) await loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        lock (_starting)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _stop.Dispose();
    }
}
