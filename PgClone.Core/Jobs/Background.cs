namespace PgClone.Core.Jobs;

/// <summary>Work started ahead and perhaps never awaited (the run failed first).</summary>
internal static class Background
{
    /// <summary>
    /// <paramref name="task"/>, its failure observed: one nobody awaits must not surface later as an unobserved
    /// task exception. Awaiting it still throws.
    /// </summary>
    public static T Observed<T>(T task) where T : Task
    {
        _ = task.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return task;
    }
}
