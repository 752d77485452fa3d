namespace PgClone.Core.Jobs;

internal static class TaskFaults
{
    /// <summary>
    /// The task, its failure counted as seen: work started ahead that the run may stop waiting for (a session opened
    /// while the run plans, a start the other server's failure overtook) must not surface as an unobserved exception.
    /// </summary>
    public static T Observed<T>(this T task) where T : Task
    {
        _ = task.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return task;
    }
}
