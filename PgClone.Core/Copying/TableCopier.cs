using System.Buffers;
using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Copying;

/// <summary>
/// Tells a copy that its target COPY ended on its own (it failed) while the client still streams: the driver reads
/// nothing from the target during a COPY, so without it the failure shows only once the source is read to its end.
/// </summary>
public interface ITargetCopyWatch : IDisposable
{
    CancellationToken Ended { get; }
    /// <summary>The client ends the COPY now: the target session going idle from here on is the COPY's normal end.</summary>
    void Finishing();
}

/// <summary>Rows and bytes that went through one COPY pipe.</summary>
public readonly record struct CopyCount(long Rows, long Bytes);

/// <summary>
/// Streams one binary COPY from a source connection into a target connection, passing the bytes through
/// untouched. Two buffers alternate: while one is written to the target, the next is read from the source, so
/// both servers work at once and memory stays at two buffers whatever the table size.
/// </summary>
public static class TableCopier
{
    private const int BufferSize = 1 << 17;
    /// <summary>The source hands out one row per read; gather until the buffer is this full before writing.</summary>
    private const int FlushAt = BufferSize - (BufferSize >> 3);

    /// <param name="objectName">How errors name what is copied: <c>table "s"."t"</c>.</param>
    /// <param name="onProgress">Called after each buffer with the running totals.</param>
    public static async Task<CopyCount> CopyAsync(
        NpgsqlConnection source, ServerEndpoint sourceServer, string copyOut,
        NpgsqlConnection target, ServerEndpoint targetServer, string copyIn,
        string objectName, Action<CopyCount>? onProgress, CancellationToken ct, BinaryCopyWalker? rewriter = null,
        Func<ITargetCopyWatch>? watch = null, PlannedRead? planned = null)
    {
        // Counts every stream; a masked table's rewriter counts as it rewrites, so its stream is walked once.
        var walker = rewriter ?? new BinaryCopyWalker();
        var front = ArrayPool<byte>.Shared.Rent(BufferSize);
        var back = ArrayPool<byte>.Shared.Rent(BufferSize);
        // A rewritten chunk is built in one buffer while the previous one is being written from the other.
        ArrayBufferWriter<byte>? rewrittenFront = rewriter is null ? null : new(BufferSize), rewrittenBack = rewriter is null ? null : new(BufferSize);
        NpgsqlRawCopyStream? reader = null, writer = null;
        var writing = Task.CompletedTask;
        var sourceEnded = false;
        ITargetCopyWatch? watched = null;
        try
        {
            (reader, writer) = await StartBothAsync(Side(sourceServer, objectName, () => Start(planned, () => source.BeginRawBinaryCopyAsync(copyOut, ct), ct)),
                Side(targetServer, objectName, () => target.BeginRawBinaryCopyAsync(copyIn, ct)), r => reader = r, w => writer = w);
            watched = watch?.Invoke();
            while (true)
            {
                if (watched is { Ended.IsCancellationRequested: true })
                {
                    await Side(targetServer, objectName, async () => { await writing; return 0; });
                    var failed = writer;
                    writer = null;
                    throw await Side(targetServer, objectName, () => TargetEndedAsync(failed.CancelAsync, targetServer, objectName));
                }
                int filled;
                // A cancelled read leaves the source's COPY running: it is stopped below, not taken as ended.
                try { filled = await Side(sourceServer, objectName, () => FillAsync(reader, front, ct)); }
                catch (Exception e) when (e is not OperationCanceledException) { sourceEnded = true; throw; }
                sourceEnded = filled == 0;
                ReadOnlyMemory<byte> chunk = front.AsMemory(0, filled);
                if (filled > 0)
                {
                    if (rewrittenFront is null) walker.Feed(chunk.Span);
                    else
                    {
                        // Rewritten while the previous chunk is still being written: masking overlaps the target's work.
                        rewrittenFront.ResetWrittenCount();
                        walker.Feed(chunk.Span, rewrittenFront);
                        chunk = rewrittenFront.WrittenMemory;
                        (rewrittenFront, rewrittenBack) = (rewrittenBack, rewrittenFront);
                    }
                }
                await Side(targetServer, objectName, async () => { await writing; return 0; });
                if (filled == 0) break;
                onProgress?.Invoke(new CopyCount(walker.Rows, walker.Bytes));
                writing = writer.WriteAsync(chunk, ct).AsTask();
                (front, back) = (back, front);
            }
            if (!walker.Complete)
                throw PgCloneException.For(sourceServer, objectName, "the COPY stream ended before its trailer");
            var finishing = writer;
            writer = null;
            watched?.Finishing();
            await Side(targetServer, objectName, async () => { await EndAsync(finishing.DisposeAsync().AsTask, target, targetServer, ct); return 0; });
            return new CopyCount(walker.Rows, walker.Bytes);
        }
        catch (InvalidDataException e)
        {
            throw PgCloneException.For(sourceServer, objectName, e.Message, e);
        }
        finally
        {
            watched?.Dispose();
            try { await writing; } catch { /* already reported by the loop, or superseded by its error */ }
            if (writer is not null)
            {
                // Never let a partial stream commit: a binary COPY ending on a row boundary would be accepted.
                try { await writer.CancelAsync(); } catch { /* the connection may already be gone */ }
                try { await writer.DisposeAsync(); } catch { /* idem */ }
            }
            if (reader is not null)
            {
                if (!sourceEnded) await StopAsync(reader.CancelAsync, reader);
                try { await reader.DisposeAsync(); } catch { /* idem */ }
            }
            ArrayPool<byte>.Shared.Return(front);
            ArrayPool<byte>.Shared.Return(back);
        }
    }

    /// <summary>
    /// Streams one text-format COPY: a table with a column whose type has no binary form (<see cref="Ddl.TableData.TextFormat"/>).
    /// Rows are counted by their line ends (the text format writes a newline inside a value as \n), bytes as UTF-8.
    /// </summary>
    public static async Task<CopyCount> CopyTextAsync(
        NpgsqlConnection source, ServerEndpoint sourceServer, string copyOut,
        NpgsqlConnection target, ServerEndpoint targetServer, string copyIn,
        string objectName, Action<CopyCount>? onProgress, CancellationToken ct, Func<ITargetCopyWatch>? watch = null, PlannedRead? planned = null)
    {
        var buffer = ArrayPool<char>.Shared.Rent(BufferSize);
        TextReader? reader = null;
        NpgsqlCopyTextWriter? writer = null;
        long rows = 0, bytes = 0;
        var sourceEnded = false;
        ITargetCopyWatch? watched = null;
        try
        {
            (reader, writer) = await StartBothAsync(Side(sourceServer, objectName, () => Start(planned, () => source.BeginTextExportAsync(copyOut, ct), ct)),
                Side(targetServer, objectName, async () => (NpgsqlCopyTextWriter)await target.BeginTextImportAsync(copyIn, ct)), r => reader = r, w => writer = w);
            watched = watch?.Invoke();
            while (true)
            {
                if (watched is { Ended.IsCancellationRequested: true })
                {
                    var failed = writer;
                    writer = null;
                    throw await Side(targetServer, objectName, () => TargetEndedAsync(failed.CancelAsync, targetServer, objectName));
                }
                int filled;
                try { filled = await Side(sourceServer, objectName, async () => await reader.ReadAsync(buffer.AsMemory(), ct)); }
                catch (Exception e) when (e is not OperationCanceledException) { sourceEnded = true; throw; }
                sourceEnded = filled == 0;
                if (filled == 0) break;
                var chunk = buffer.AsMemory(0, filled);
                rows += chunk.Span.Count('\n');
                bytes += System.Text.Encoding.UTF8.GetByteCount(chunk.Span);
                await Side(targetServer, objectName, async () => { await writer.WriteAsync(chunk, ct); return 0; });
                onProgress?.Invoke(new CopyCount(rows, bytes));
            }
            var finishing = writer;
            writer = null;
            watched?.Finishing();
            await Side(targetServer, objectName, async () => { await EndAsync(() => EndTextAsync(finishing), target, targetServer, ct); return 0; });
            return new CopyCount(rows, bytes);
        }
        finally
        {
            watched?.Dispose();
            if (writer is not null)
            {
                // As for binary: a partial stream must never commit.
                try { await writer.CancelAsync(); } catch { /* the connection may already be gone */ }
                try { await writer.DisposeAsync(); } catch { /* idem */ }
            }
            if (reader is NpgsqlCopyTextReader unread && !sourceEnded) await StopAsync(unread.CancelAsync, unread.BaseStream);
            // The raw stream first, asynchronously: the text reader's Dispose closes it with blocking reads (see EndTextAsync).
            try { if (reader is StreamReader text) await text.BaseStream.DisposeAsync(); } catch { /* idem */ }
            try { reader?.Dispose(); } catch { /* idem */ }
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Ends the target's COPY: the server answers once it has taken in every row already sent, which a lock that a
    /// trigger of the target waits for can hold up for good, and the driver cannot cancel that wait. A cancel of the
    /// run meanwhile stops the COPY from a session of its own (<see cref="StopCopyAsync"/>): it fails, nothing of it
    /// commits, and the run ends cancelled instead of waiting for the lock.
    /// </summary>
    private static async Task EndAsync(Func<Task> end, NpgsqlConnection target, ServerEndpoint targetServer, CancellationToken ct)
    {
        var pid = target.ProcessID;
        Task? stopping = null;
        try
        {
            await using (ct.Register(() => stopping = StopCopyAsync(targetServer, pid))) await end();
        }
        finally
        {
            if (stopping is not null) await stopping;
        }
    }

    /// <summary>Cancels the COPY that session <paramref name="pid"/> runs, only while it still runs it (ended meanwhile, it has gone on to the run's next statement).</summary>
    private static async Task StopCopyAsync(ServerEndpoint server, int pid)
    {
        try
        {
            await using var conn = await server.OpenAsync(CancellationToken.None);
            await using var cancel = new NpgsqlCommand("""
                SELECT pg_catalog.pg_cancel_backend(pid) FROM pg_catalog.pg_stat_activity
                WHERE pid = $1 AND state = 'active' AND query LIKE 'COPY %'
                """, conn);
            cancel.Parameters.Add(new NpgsqlParameter { Value = pid });
            await cancel.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or PgCloneException)
        {
            // The server gone or refusing a session: the run's own cleanup meets the same and reports it.
        }
    }

    /// <summary>
    /// Ends a text COPY FROM: the writer's characters flushed, then the COPY completed on the raw stream, asynchronously.
    /// The writer's own DisposeAsync closes its stream with the synchronous Dispose, which waits for the server's reply
    /// with blocking socket calls: on the runtime's socket event thread, that reply is never delivered (a clone of
    /// PostgreSQL's regression database hung for good at a table of aclitem columns). The writer holds nothing else.
    /// </summary>
    private static async Task EndTextAsync(NpgsqlCopyTextWriter writer)
    {
        await writer.FlushAsync();
        await writer.BaseStream.DisposeAsync();
    }

    /// <summary>
    /// The source's COPY TO and the target's COPY FROM started side by side: a round trip each, which is most of a
    /// small table's copy. When one fails, the one that started is handed to its keeper for the caller's cleanup
    /// (a target COPY is cancelled there, so nothing commits) and the source's error, when it failed, is the one thrown.
    /// </summary>
    private static async Task<(TR Reader, TW Writer)> StartBothAsync<TR, TW>(Task<TR> reading, Task<TW> writing, Action<TR> keepReader, Action<TW> keepWriter)
    {
        try { await Task.WhenAll(reading, writing); }
        catch
        {
            if (reading.IsCompletedSuccessfully) keepReader(reading.Result);
            if (writing.IsCompletedSuccessfully) keepWriter(writing.Result);
            throw;
        }
        return (reading.Result, writing.Result);
    }

    /// <summary>
    /// Ends a target COPY found no longer running (<see cref="ITargetCopyWatch"/>) with CopyFail, which reads the error
    /// the server sent when it stopped and throws it. CopyFail, not CopyDone: were the COPY still running, the rows
    /// sent so far must not commit (a binary COPY ending on a row boundary would be accepted).
    /// </summary>
    private static async Task<PgCloneException> TargetEndedAsync(Func<Task> copyFail, ServerEndpoint targetServer, string objectName)
    {
        await copyFail();
        return PgCloneException.For(targetServer, objectName, "the target's session stopped running the COPY; the rows sent were rolled back");
    }

    /// <summary>
    /// Stops the source's COPY when its stream is left unread (the target failed, the stream did not parse, the run
    /// was cancelled): disposing it would read the rest of the table first (a table of any size, before the error is
    /// reported). The server ends the statement (and the worker's transaction with it); a stream that ended in the
    /// meantime makes the request a no-op, since an idle server session discards it. What the server sent before it
    /// stopped is then read here, asynchronously: the driver's own disposal of an unread COPY OUT reads it with
    /// blocking socket calls, which hold a thread for as long as the server takes, and never return when that thread
    /// is the one that delivers the socket's completions (with inline socket completions, the runtime's event thread).
    /// </summary>
    private static async Task StopAsync(Func<Task> cancel, Stream unread)
    {
        try { await cancel(); } catch { /* the connection may already be gone */ }
        var scrap = ArrayPool<byte>.Shared.Rent(BufferSize);
        // A server that never answers the cancel request: the driver's own cancellation then breaks the connection.
        using var patience = new CancellationTokenSource(StopTimeout);
        try
        {
            while (await unread.ReadAsync(scrap, patience.Token) > 0) { }
        }
        catch { /* the expected "canceling statement due to user request", or the connection is gone */ }
        finally { ArrayPool<byte>.Shared.Return(scrap); }
    }

    /// <summary>How long a stopped source COPY may take to end before its connection is given up.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A slow source still shows progress and keeps the target fed: hand over what arrived after this long.</summary>
    private static readonly long MaxGatherTicks = System.Diagnostics.Stopwatch.Frequency / 10;

    private static async Task<int> FillAsync(NpgsqlRawCopyStream reader, byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (filled < FlushAt && (filled == 0 || System.Diagnostics.Stopwatch.GetTimestamp() - started < MaxGatherTicks))
        {
            var n = await reader.ReadAsync(buffer.AsMemory(filled), ct);
            if (n == 0) break;
            filled += n;
        }
        return filled;
    }

    /// <summary>The source's COPY of a query the server plans through a table's index expressions starts as a <see cref="PlannedRead"/>.</summary>
    private static Task<T> Start<T>(PlannedRead? planned, Func<Task<T>> start, CancellationToken ct) =>
        planned is null ? start() : planned.StartAsync(start, ct);

    /// <summary>Runs one side's operation so that its errors name that side's server.</summary>
    private static async Task<T> Side<T>(ServerEndpoint server, string objectName, Func<Task<T>> operation)
    {
        try { return await operation(); }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
        {
            throw PgCloneException.FromDriver(server, objectName, e);
        }
    }
}
