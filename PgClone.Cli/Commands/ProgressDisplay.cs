using System.Globalization;
using PgClone.Core.Jobs;
using Spectre.Console;

namespace PgClone.Cli.Commands;

/// <summary>
/// Shows a job's progress on stderr: a live Spectre.Console bar when stderr is a terminal, otherwise one line
/// per phase change and at most one every few seconds (logs stay readable).
/// </summary>
internal sealed class ProgressDisplay : IAsyncDisposable
{
    private static readonly TimeSpan LineEvery = TimeSpan.FromSeconds(5);
    private readonly object _gate = new();
    private readonly IAnsiConsole? _console;
    private readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _live = Task.CompletedTask;
    private JobProgress? _latest;
    private JobPhase? _lastPhase;
    private DateTime _lastLine;

    private ProgressDisplay(bool live)
    {
        if (!live) return;
        _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        _live = _console.Progress().AutoClear(true).HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("planning", maxValue: 1);
                while (!_stop.Task.IsCompleted)
                {
                    await Task.WhenAny(_stop.Task, Task.Delay(200));
                    JobProgress? p;
                    lock (_gate) p = _latest;
                    if (p is null) continue;
                    task.Description = Markup.Escape(Short(p));
                    var (done, total) = p.Phase == JobPhase.CopyingData
                        ? (p.BytesCopied, Math.Max(p.BytesEstimated, p.BytesCopied))
                        : (p.StepsCompleted, p.StepsTotal);
                    task.MaxValue = Math.Max(1, total);
                    task.Value = Math.Min(done, task.MaxValue);
                    ctx.Refresh();
                }
            });
    }

    public static ProgressDisplay ForStderr() => new(live: !Console.IsErrorRedirected);

    public void Show(JobProgress p)
    {
        lock (_gate)
        {
            _latest = p;
            // Planning is short and a failure there (a connection refused) should stay the one line printed.
            if (_console is not null || p.IsFinished || p.Phase == JobPhase.Planning) return;
            var now = DateTime.UtcNow;
            if (p.Phase == _lastPhase && now - _lastLine < LineEvery) return;
            _lastPhase = p.Phase;
            _lastLine = now;
            Console.Error.WriteLine("pgclone: " + Line(p));
        }
    }

    public async Task StopAsync()
    {
        _stop.TrySetResult();
        await _live;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public static string Line(JobProgress p)
    {
        var phase = JobProgress.PhaseName(p.Phase);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{phase}: {p.TablesCompleted}/{p.TablesTotal} tables, {p.RowsCopied:N0} rows, {Size(p.BytesCopied)}");
        if (p.Phase == JobPhase.CopyingData && p.BytesPerSecond > 0) text += $", {Size((long)p.BytesPerSecond)}/s";
        if (p.EstimatedTimeLeft is { } left && p.Phase == JobPhase.CopyingData) text += string.Create(CultureInfo.InvariantCulture, $", {left.TotalSeconds:F0} s left");
        if (p.Phase != JobPhase.CopyingData && p.StepsTotal > 0) text += $", step {p.StepsCompleted}/{p.StepsTotal}";
        return text;
    }

    /// <summary>The live bar's label: it shares one terminal line with the bar.</summary>
    private static string Short(JobProgress p) => p.Phase switch
    {
        JobPhase.CopyingData => string.Create(CultureInfo.InvariantCulture, $"data {p.TablesCompleted}/{p.TablesTotal} {Size(p.BytesCopied)} {Size((long)p.BytesPerSecond)}/s"),
        JobPhase.Planning => "planning",
        _ => $"{JobProgress.PhaseName(p.Phase)} {p.StepsCompleted}/{p.StepsTotal}",
    };

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} kB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1073741824.0:F2} GB"),
    };
}
