using System.Diagnostics;
using System.Runtime.InteropServices;

namespace JobUtil.Cli;

/// <summary>
/// Takes SIGINT and SIGTERM over for the duration of a run: instead of ending <c>jobutil</c> (which would leave the
/// run in progress forever), a signal is passed on to the command, so it can stop and <c>jobutil</c> can record the
/// run as an error. A signal that arrives before the command starts cancels <see cref="Interrupted"/>.
/// </summary>
/// <remarks>
/// The command shares <c>jobutil</c>'s process group (a <see cref="Process"/> cannot be given its own, and the terminal's
/// job control needs it there). So a Ctrl+C in the terminal whose foreground group this is has already reached the
/// command: that SIGINT is not forwarded, since many programs take a second SIGINT as "stop now, skip the cleanup".
/// A SIGINT sent to <c>jobutil</c> alone (<c>kill -INT</c> from a script, cron, a supervisor) and every SIGTERM are
/// forwarded.
/// </remarks>
internal sealed partial class SignalForwarding : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private readonly CancellationTokenSource _interrupted = new();
    private readonly Lock _gate = new();
    private readonly TextWriter _log;
    private Process? _child;
    private PosixSignal? _pending;

    /// <param name="log">Where <c>jobutil</c> says what it did with a signal.</param>
    public SignalForwarding(TextWriter log)
    {
        _log = log;
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

        if (child is null)
        {
            Say($"jobutil: {context.Signal} received; the command will not be started.");
        }
        else
        {
            if (context.Signal == PosixSignal.SIGINT && ForegroundTerminal.IsOurs())
            {
                Say($"jobutil: {context.Signal} reached the command from the terminal; waiting for it to exit.");
            }
            else
            {
                Forward(child, context.Signal);
                Say($"jobutil: {context.Signal} forwarded to the command; waiting for it to exit.");
            }
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

    private void Say(string line)
    {
        try
        {
            _log.WriteLine(line);
            _log.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // A closed stderr must not stop the run from being recorded.
        }
    }

    /// <summary>Sends SIGTERM to <paramref name="child"/> (a timeout's first step); on Windows, where there is none, ends it.</summary>
    internal static void Terminate(Process child)
    {
        if (OperatingSystem.IsWindows())
        {
            KillTree(child);
            return;
        }

        Forward(child, PosixSignal.SIGTERM);
    }

    /// <summary>Ends <paramref name="child"/> and its descendants at once (SIGKILL on Linux and macOS).</summary>
    internal static void KillTree(Process child)
    {
        try
        {
            child.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // The command has already gone.
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
