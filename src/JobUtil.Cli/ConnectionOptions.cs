using System.CommandLine;
using System.Globalization;

namespace JobUtil.Cli;

/// <summary>
/// The options every command shares (where the Jobs API is, its token, retries, verbosity) and how they combine with
/// the environment into validated <see cref="JobOptions"/>. A command-line value wins over the environment.
/// </summary>
internal sealed class ConnectionOptions
{
    public const string UrlVariable = "JOBUTIL_URL";
    public const string TokenVariable = "JOBUTIL_TOKEN";
    public const string TokenFileVariable = "JOBUTIL_TOKEN_FILE";
    public const string RetriesVariable = "JOBUTIL_RETRIES";

    public Option<string?> Url { get; } = new("--url")
    {
        Description = $"The full URL of the jobs table, such as https://host/jobs (default: ${UrlVariable}).",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"The JWT sent as a bearer token (default: ${TokenVariable}). Never printed, but other users of the machine can see a command line: prefer --token-file.",
        Recursive = true,
    };

    public Option<string?> TokenFile { get; } = new("--token-file")
    {
        Description = $"A file holding the JWT, one trailing newline ignored; - reads it from standard input (default: ${TokenFileVariable}).",
        Recursive = true,
    };

    public Option<int?> Retries { get; } = Recursive(OptionValues.OptionalWholeNumber(
        "--retries", $"How many times a transient failure is retried, 0 to 100 (default: ${RetriesVariable}, else 4).", 0, 100));

    public Option<bool> AllowInsecureTransport { get; } = Recursive(OptionValues.Switch(
        "--allow-insecure-transport", "Allow sending the token over plain http to a host other than loopback."));

    public Option<bool> Verbose { get; } = Recursive(OptionValues.Switch(
        CliCommands.VerboseName, "Show the full exception, stack trace included, when a request fails."));

    public void AddTo(Command root)
    {
        root.Options.Add(Url);
        root.Options.Add(Token);
        root.Options.Add(TokenFile);
        root.Options.Add(Retries);
        root.Options.Add(AllowInsecureTransport);
        root.Options.Add(Verbose);
    }

    /// <summary>The settings for one command; a missing or invalid one is a <see cref="UsageException"/>, before anything is sent.</summary>
    /// <param name="parsed">The command line.</param>
    /// <param name="console">Where the environment is read and warnings are written.</param>
    /// <param name="source">The source stored with a run the command starts.</param>
    /// <param name="destination">The destination stored with a run the command starts.</param>
    /// <param name="configure">Sets the command's own settings (durations, say) before the library's rules check them all.</param>
    public JobOptions Resolve(ParseResult parsed, CliConsole console, string? source = null, string? destination = null, Action<JobOptions>? configure = null)
    {
        var url = parsed.GetValue(Url) ?? console.GetEnvironmentVariable(UrlVariable)
            ?? throw new UsageException($"No Jobs API URL: pass --url or set {UrlVariable}.");

        var options = new JobOptions
        {
            Url = url,
            Token = ResolveToken(parsed, console),
            Source = source,
            Destination = destination,
            AllowInsecureTransport = parsed.GetValue(AllowInsecureTransport),
        };

        if (parsed.GetValue(Retries) is { } retries)
        {
            options.MaxRetryAttempts = retries;
        }
        else if (console.GetEnvironmentVariable(RetriesVariable) is { } text)
        {
            options.MaxRetryAttempts = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fromEnvironment)
                ? fromEnvironment
                : throw new UsageException($"{RetriesVariable} must be a whole number of retries; it is '{text}'.");
        }

        configure?.Invoke(options);
        var problems = options.Validate(requireSourceAndDestination: source is not null || destination is not null);
        if (problems.Count > 0)
        {
            throw new UsageException(string.Join(" ", problems.Select(p => Describe(p.Key, p.Value))));
        }

        return options;
    }

    /// <summary>
    /// The token: from the command line (--token or --token-file, not both), else from the environment
    /// (JOBUTIL_TOKEN_FILE or JOBUTIL_TOKEN, not both); <see langword="null"/> when none is given.
    /// </summary>
    private string? ResolveToken(ParseResult parsed, CliConsole console)
    {
        var token = parsed.GetValue(Token);
        var file = parsed.GetValue(TokenFile);
        if (token is not null && file is not null)
        {
            throw new UsageException("Give the token with --token or --token-file, not both.");
        }

        if (token is not null)
        {
            // Every user of the machine can read a process's command line (ps, /proc).
            console.Error.WriteLine("jobutil: warning: other users of this machine can see --token in the process list; use --token-file or JOBUTIL_TOKEN_FILE instead.");
            return token;
        }

        if (file is not null)
        {
            return ReadTokenFile(file, "--token-file", console);
        }

        var fromEnvironment = console.GetEnvironmentVariable(TokenVariable);
        var fileFromEnvironment = console.GetEnvironmentVariable(TokenFileVariable);
        if (fromEnvironment is not null && fileFromEnvironment is not null)
        {
            throw new UsageException($"Set {TokenVariable} or {TokenFileVariable}, not both.");
        }

        return fileFromEnvironment is not null ? ReadTokenFile(fileFromEnvironment, TokenFileVariable, console) : fromEnvironment;
    }

    /// <summary>Reads a token from a file, or from standard input for <c>-</c>; one trailing newline is not part of it.</summary>
    private static string ReadTokenFile(string path, string setting, CliConsole console)
    {
        string text;
        try
        {
            text = path == "-" ? console.In.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"{setting}: cannot read the token from '{path}': {e.Message}");
        }

        var from = path == "-" ? "standard input" : $"'{path}'";
        text = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        return text.Length > 0
            ? text
            : throw new UsageException($"{setting}: the token read from {from} is empty.");
    }

    private static Option<T> Recursive<T>(Option<T> option)
    {
        option.Recursive = true;
        return option;
    }

    // The library's sentences name JobOptions properties; say which option or variable sets each.
    private static string Describe(string setting, string problem) => setting switch
    {
        nameof(JobOptions.Url) => $"{problem} (--url or {UrlVariable})",
        nameof(JobOptions.Token) => $"{problem} (--token, --token-file, {TokenVariable} or {TokenFileVariable}; --allow-insecure-transport)",
        nameof(JobOptions.MaxRetryAttempts) => $"{problem} (--retries or {RetriesVariable})",
        nameof(JobOptions.Source) => $"{problem} (--source)",
        nameof(JobOptions.Destination) => $"{problem} (--destination)",
        nameof(JobOptions.HeartbeatInterval) => $"{problem} (--heartbeat)",
        nameof(JobOptions.WatermarkLookback) => $"{problem} (--lookback)",
        nameof(JobOptions.RecoverStaleRunsOlderThan) => $"{problem} (--older-than)",
        _ => problem,
    };
}
