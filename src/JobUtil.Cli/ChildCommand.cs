using System.Diagnostics;
using System.Text;

namespace JobUtil.Cli;

/// <summary>
/// Runs the command given to <c>run</c>: stdin and (in a real process) stdout inherited, stderr copied through as it
/// arrives while its last line is kept, and signals forwarded. It gets this process's environment without the token.
/// </summary>
internal static class ChildCommand
{
    // A grandchild that outlives the command can hold stderr open; its output is not worth waiting for.
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    /// <summary>How long a command that got SIGTERM at its timeout may take to exit before it gets SIGKILL.</summary>
    internal static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The command's exit code and the last non-blank line it wrote to stderr; <c>TimedOut</c> when it was still running
    /// at its timeout, and <c>Killed</c> when it then ignored SIGTERM for <see cref="KillGrace"/>.
    /// </summary>
    internal readonly record struct Exit(int Code, string? LastErrorLine, bool TimedOut = false, bool Killed = false);

    /// <param name="command">The command and its arguments.</param>
    /// <param name="variables">Variables added to the environment.</param>
    /// <param name="token">The token <c>jobutil</c> sends, withheld from the command however it is named.</param>
    /// <param name="console">Where output goes.</param>
    /// <param name="signals">Forwards signals to the command once it has started.</param>
    /// <param name="timeout">How long the command may run before it gets SIGTERM (then SIGKILL after <see cref="KillGrace"/>); null for no limit.</param>
    /// <exception cref="System.ComponentModel.Win32Exception">The command could not be started (not found, not executable).</exception>
    public static async Task<Exit> RunAsync(
        IReadOnlyList<string> command,
        IReadOnlyDictionary<string, string> variables,
        string? token,
        CliConsole console,
        SignalForwarding signals,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = !console.IsProcessConsole,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        WithholdToken(start.Environment, token);
        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"The command '{command[0]}' did not start.");
        signals.Attach(process);

        var tail = new StderrTail();
        var pumps = new List<Task>(2);
        if (console.IsProcessConsole)
        {
            var raw = Console.OpenStandardError();
            pumps.Add(CopyAsync(process.StandardError.BaseStream, (buffer, count) => WriteRawAsync(raw, buffer, count), tail));
        }
        else
        {
            pumps.Add(CopyAsync(process.StandardError.BaseStream, DecodeTo(console.Error), tail));
            pumps.Add(CopyAsync(process.StandardOutput.BaseStream, DecodeTo(console.Out), null));
        }

        var exited = process.WaitForExitAsync();
        bool timedOut = false, killed = false;
        if (timeout is { } limit && await Task.WhenAny(exited, Task.Delay(limit)).ConfigureAwait(false) != exited)
        {
            timedOut = true;
            SignalForwarding.Terminate(process);
            if (await Task.WhenAny(exited, Task.Delay(KillGrace)).ConfigureAwait(false) != exited)
            {
                killed = true;
                SignalForwarding.KillTree(process);
            }
        }

        await exited.ConfigureAwait(false);
        try
        {
            await Task.WhenAll(pumps).WaitAsync(DrainGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return new Exit(process.ExitCode, tail.LastLine, timedOut, killed);
    }

    /// <summary>
    /// Removes the token from the command's environment: the command is the ETL script, not a Jobs API client, and
    /// whatever it starts or logs (env dumps, crash reports) would otherwise carry a credential that can rewrite any run.
    /// </summary>
    internal static void WithholdToken(IDictionary<string, string?> environment, string? token)
    {
        environment.Remove(ConnectionOptions.TokenVariable);
        environment.Remove(ConnectionOptions.TokenFileVariable);
        if (string.IsNullOrEmpty(token))
        {
            return;
        }

        foreach (var name in environment.Where(e => e.Value == token).Select(e => e.Key).ToList())
        {
            environment.Remove(name);
        }
    }

    private static async Task CopyAsync(Stream from, Func<byte[], int, Task> write, StderrTail? tail)
    {
        var buffer = new byte[8192];
        int count;
        while ((count = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            tail?.Append(buffer.AsSpan(0, count));
            await write(buffer, count).ConfigureAwait(false);
        }
    }

    private static async Task WriteRawAsync(Stream to, byte[] buffer, int count)
    {
        await to.WriteAsync(buffer.AsMemory(0, count)).ConfigureAwait(false);
        await to.FlushAsync().ConfigureAwait(false);
    }

    private static Func<byte[], int, Task> DecodeTo(TextWriter writer)
    {
        // One decoder per stream keeps a character split across two reads whole.
        var decoder = Encoding.UTF8.GetDecoder();
        return async (buffer, count) =>
        {
            var chars = new char[Encoding.UTF8.GetMaxCharCount(count)];
            var length = decoder.GetChars(buffer, 0, count, chars, 0);
            await writer.WriteAsync(chars.AsMemory(0, length)).ConfigureAwait(false);
            await writer.FlushAsync().ConfigureAwait(false);
        };
    }
}
