using System.Runtime.InteropServices;

namespace PgClone.Cli.Commands;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM cancel the running command gracefully: the token is cancelled, the engine stops
/// its workers, rolls back open work and records the cancel in the checkpoint, and the command prints
/// `pgclone: cancelled` and exits 130. A second signal ends the process at once (cursor shown again, exit 130).
/// System.CommandLine's own termination handling is switched off (it would end the process after a timeout).
/// </summary>
internal sealed class CliCancellation : IDisposable
{
    public const int ExitCode = 130;
    private const string ShowCursor = "\u001b[?25h";

    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signals;

    public CliCancellation()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
    }

    public CancellationToken Token => _cts.Token;

    private void OnSignal(PosixSignalContext context)
    {
        // Never let the runtime end the process itself: the first signal cancels, the second exits here.
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _cts.Cancel();
            return;
        }
        if (!Console.IsErrorRedirected) Console.Error.Write(ShowCursor);
        Console.Error.WriteLine("pgclone: cancelled");
        Environment.Exit(ExitCode);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
