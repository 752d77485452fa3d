namespace PgClone.Tests.Fixtures;

/// <summary>
/// Awaits with a limit for what has none of its own (a browser's protocol calls, a host's shutdown): a step that
/// stopped answering then fails naming itself, instead of holding the suite until its hang timeout names only the test.
/// </summary>
public static class Bounded
{
    public static async Task<T> Within<T>(Task<T> task, TimeSpan limit, string what)
    {
        await Within((Task)task, limit, what);
        return await task;
    }

    public static async Task Within(Task task, TimeSpan limit, string what)
    {
        try { await task.WaitAsync(limit); }
        catch (TimeoutException e) when (!task.IsCompleted) { throw new TimeoutException($"{what}: no answer within {limit.TotalSeconds:0} s", e); }
    }
}
