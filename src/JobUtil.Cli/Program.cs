using System.Collections;
using System.CommandLine;

namespace JobUtil.Cli;

/// <summary>The <c>jobutil</c> entry point.</summary>
public static class Program
{
    /// <summary>Runs <c>jobutil</c> as a process: the console's streams, the process environment, the child inheriting stdout.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> Main(string[] args)
        => RunAsync(args, new CliConsole(Console.Out, Console.Error, Environment.GetEnvironmentVariables(), isProcessConsole: true));

    /// <summary>
    /// Runs <c>jobutil</c> in-process: everything it prints goes to <paramref name="stdout"/> and <paramref name="stderr"/>
    /// (a command started by <c>run</c> included), and settings are read from <paramref name="environment"/>.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Where output goes.</param>
    /// <param name="stderr">Where errors and usage go.</param>
    /// <param name="environment">The variables <c>JOBUTIL_URL</c>, <c>JOBUTIL_TOKEN</c> and <c>JOBUTIL_RETRIES</c> are read from.</param>
    /// <returns>The exit code: 0 success, 1 Jobs API failure, 2 bad arguments, or the code of the command <c>run</c> ran.</returns>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IDictionary environment)
        => RunAsync(args, new CliConsole(stdout, stderr, environment, isProcessConsole: false));

    internal static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var root = CliCommands.Build(console);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // The parser's own error action prints the errors and the command's usage; only the exit code is ours.
            parsed.Invoke(new InvocationConfiguration { Output = console.Error, Error = console.Error });
            return ExitCodes.BadArguments;
        }

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,

            // run forwards SIGINT and SIGTERM itself; the other commands end at the signal like any short-lived tool.
            ProcessTerminationTimeout = null,
        };

        try
        {
            return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await console.Error.WriteLineAsync($"jobutil: {e.Message}").ConfigureAwait(false);
            await console.Error.WriteLineAsync($"Run 'jobutil {parsed.CommandResult.Command.Name} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.BadArguments;
        }
        catch (JobsApiException e)
        {
            await console.Error.WriteLineAsync(parsed.GetValue<bool>(CliCommands.VerboseName) ? $"jobutil: {e}" : $"jobutil: {e.Message}").ConfigureAwait(false);
            return ExitCodes.ApiFailure;
        }
        catch (Exception e)
        {
            // Anything else (a file that cannot be written, say) is reported like an API failure: one line, not a crash.
            await console.Error.WriteLineAsync(parsed.GetValue<bool>(CliCommands.VerboseName) ? $"jobutil: {e}" : $"jobutil: {Describe(e)}").ConfigureAwait(false);
            return ExitCodes.ApiFailure;
        }
    }

    /// <summary>An unexpected exception as one line: its type says what kind of failure it was, its message which.</summary>
    internal static string Describe(Exception e)
        => $"{e.GetType().Name}: {string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries))}";
}
