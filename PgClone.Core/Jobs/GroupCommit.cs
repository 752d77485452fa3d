namespace PgClone.Core.Jobs;

/// <summary>
/// Durable records written in order, each call returning once its own record is written: records that arrive while a
/// write is under way go out together in the next one (group commit), so several workers recording at once cost one
/// durable write, not one each. A failed write fails the calls whose records it held, and only those.
/// </summary>
/// <param name="write">Writes records durably, in the order given.</param>
public sealed class GroupCommit<T>(Func<IReadOnlyList<T>, Task> write)
{
    private sealed class Batch
    {
        public readonly TaskCompletionSource Written = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Taken;
    }

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<T> _pending = [];
    private Batch _next = new();

    public async Task AddAsync(T record, CancellationToken ct)
    {
        Batch batch;
        lock (_pending)
        {
            _pending.Add(record);
            batch = _next;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (!batch.Taken) await WriteAsync(batch);
        }
        finally { _gate.Release(); }
        await batch.Written.Task;
    }

    /// <summary>Runs <paramref name="work"/> with no write under way (a reader that wants whole records).</summary>
    public async Task<TResult> AloneAsync<TResult>(Func<Task<TResult>> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try { return await work(); }
        finally { _gate.Release(); }
    }

    private async Task WriteAsync(Batch batch)
    {
        List<T> records;
        lock (_pending)
        {
            records = [.. _pending];
            _pending.Clear();
            batch.Taken = true;
            _next = new Batch();
        }
        // Not cancelled half-way: every caller whose record is taken here waits for it to be written or failed.
        try
        {
            await write(records);
            batch.Written.SetResult();
        }
        catch (Exception e) { batch.Written.SetException(e); }
    }
}
