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
        => RunAsync(args, new CliConsole(Console.Out, Console.Error, Environment.GetEnvironmentVariables(), isProcessConsole: true) { In = Console.In });

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

    /// <summary>
    /// Runs <c>jobutil</c> in-process with <paramref name="stdin"/> as standard input (read by <c>--token-file -</c>).
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdin">Standard input.</param>
    /// <param name="stdout">Where output goes.</param>
    /// <param name="stderr">Where errors and usage go.</param>
    /// <param name="environment">The variables settings are read from.</param>
    /// <returns>The exit code, as for <see cref="RunAsync(string[], TextWriter, TextWriter, IDictionary)"/>.</returns>
    public static Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, IDictionary environment)
        => RunAsync(args, new CliConsole(stdout, stderr, environment, isProcessConsole: false) { In = stdin });

    internal static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var root = CliCommands.Build(console);
        var parsed = root.Parse(args);
        var problems = Problems(parsed, args, root);
        if (problems.Count > 0)
        {
            // Each problem on a line of its own, in jobutil's own words, then where the usage is: not the whole help.
            foreach (var message in problems.Distinct())
            {
                await console.Error.WriteLineAsync($"jobutil: {message}").ConfigureAwait(false);
            }

            await console.Error.WriteLineAsync(HelpHint(parsed)).ConfigureAwait(false);
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
            await console.Error.WriteLineAsync(HelpHint(parsed)).ConfigureAwait(false);
            return ExitCodes.BadArguments;
        }
        catch (ArgumentException e) when (e.ParamName is "name" or "names")
        {
            // The library refuses a job name by its one rule (a lone surrogate, say) before anything is sent.
            await console.Error.WriteLineAsync($"jobutil: --name: {FirstSentences(e)}").ConfigureAwait(false);
            await console.Error.WriteLineAsync(HelpHint(parsed)).ConfigureAwait(false);
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

    /// <summary>An argument exception's message without the " (Parameter 'name')" that .NET appends.</summary>
    private static string FirstSentences(ArgumentException e)
    {
        var suffix = $" (Parameter '{e.ParamName}')";
        return e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message;
    }

    /// <summary>The one line that says where the usage of the command given is.</summary>
    private static string HelpHint(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var path = command.Parents.OfType<Command>().Any() ? $"jobutil {command.Name}" : "jobutil";
        return $"Run '{path} --help' for usage.";
    }

    /// <summary>
    /// The parse errors, one line each. A value after a switch (<c>--json ""</c>) is not the switch's: the parser leaves
    /// it to the command, which does not know it (or, for run, takes it for the command to run). Say which switch it
    /// followed instead.
    /// </summary>
    private static List<string> Problems(ParseResult parsed, string[] args, Command root)
    {
        var switches = AllOptions(root).Where(o => o.ValueType == typeof(bool)).SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        var end = Array.IndexOf(args, "--");
        var switchValues = new List<(string Switch, string Value)>();
        for (var i = 1; i < (end < 0 ? args.Length : end); i++)
        {
            var value = args[i];
            if (switches.Contains(args[i - 1]) && !value.StartsWith('-') && !bool.TryParse(value, out _)
                && (end >= 0 || parsed.UnmatchedTokens.Contains(value)))
            {
                switchValues.Add((args[i - 1], value));
            }
        }

        var problems = switchValues
            .Select(v => $"{v.Switch} is a switch: give it alone, or followed by true or false; got {OptionValues.Shown(v.Value)}.")
            .ToList();
        problems.AddRange(parsed.Errors
            .Where(e => !(e.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal)
                && switchValues.Any(v => e.Message.Contains($"'{v.Value}'", StringComparison.Ordinal))))
            .Select(e => OneLine(e.Message)));
        return problems;
    }

    private static IEnumerable<Option> AllOptions(Command command)
        => command.Options.Concat(command.Subcommands.SelectMany(AllOptions));

    private static string OneLine(string text)
        => string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(part => part.Trim()));

    /// <summary>An unexpected exception as one line: its type says what kind of failure it was, its message which.</summary>
    internal static string Describe(Exception e)
        => $"{e.GetType().Name}: {OneLine(e.Message)}";
}
