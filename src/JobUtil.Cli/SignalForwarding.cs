using System.Diagnostics;
using System.Runtime.InteropServices;

namespace JobUtil.Cli;

/// <summary>
/// Takes SIGINT and SIGTERM over for the duration of a run: instead of ending <c>jobutil</c> (which would leave the
/// run in progress forever), a signal is passed on to the command, so it can stop and <c>jobutil</c> can record the
/// run as an error. A signal that arrives before the command starts cancels <see cref="Interrupted"/>.
/// </summary>
internal sealed partial class SignalForwarding : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private readonly CancellationTokenSource _interrupted = new();
    private readonly Lock _gate = new();
    private Process? _child;
    private PosixSignal? _pending;

    public SignalForwarding()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>The first signal received, if any.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Interrupted => _interrupted.Token;

    /// <summary>The shell's exit code for a process ended by <paramref name="signal"/> (128 + its number).</summary>
    public static int ExitCodeFor(PosixSignal signal) => 128 + Number(signal);

    /// <summary>Sends later signals to <paramref name="child"/>, and one that arrived while it was being started.</summary>
    public void Attach(Process child)
    {
        PosixSignal? pending;
        lock (_gate)
        {
            _child = child;
            pending = _pending;
            _pending = null;
        }

        if (pending is { } signal)
        {
            Forward(child, signal);
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _interrupted.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep running: the outcome is recorded once the command has exited.
        context.Cancel = true;

        Process? child;
        lock (_gate)
        {
            Received ??= context.Signal;
            child = _child;
            if (child is null)
            {
                _pending = context.Signal;
            }
        }

        if (child is not null)
        {
            Forward(child, context.Signal);
        }

        try
        {
            _interrupted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run is already over.
        }
    }

    private static void Forward(Process child, PosixSignal signal)
    {
        // On Windows a console's Ctrl+C already reaches every process attached to it.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            if (!child.HasExited)
            {
                _ = Kill(child.Id, Number(signal));
            }
        }
        catch (InvalidOperationException)
        {
            // The command has already gone.
        }
    }

    // PosixSignal's values are abstract; these are the numbers on Linux and macOS alike.
    private static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "Only SIGINT and SIGTERM are forwarded."),
    };

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
