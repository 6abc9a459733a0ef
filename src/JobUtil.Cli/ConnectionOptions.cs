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
    public const string RetriesVariable = "JOBUTIL_RETRIES";

    public Option<string?> Url { get; } = new("--url")
    {
        Description = $"The full URL of the jobs table, such as https://host/jobs (default: ${UrlVariable}).",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"The JWT sent as a bearer token (default: ${TokenVariable}). Never printed.",
        Recursive = true,
    };

    public Option<int?> Retries { get; } = new("--retries")
    {
        Description = $"How many times a transient failure is retried, 0 to 100 (default: ${RetriesVariable}, else 4).",
        Recursive = true,
    };

    public Option<bool> AllowInsecureTransport { get; } = new("--allow-insecure-transport")
    {
        Description = "Allow sending the token over plain http to a host other than loopback.",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new(CliCommands.VerboseName)
    {
        Description = "Show the full exception, stack trace included, when a request fails.",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Url);
        root.Options.Add(Token);
        root.Options.Add(Retries);
        root.Options.Add(AllowInsecureTransport);
        root.Options.Add(Verbose);
    }

    /// <summary>The settings for one command; a missing or invalid one is a <see cref="UsageException"/>, before anything is sent.</summary>
    public JobOptions Resolve(ParseResult parsed, CliConsole console, string? source = null, string? destination = null)
    {
        var url = parsed.GetValue(Url) ?? console.GetEnvironmentVariable(UrlVariable)
            ?? throw new UsageException($"No Jobs API URL: pass --url or set {UrlVariable}.");

        var options = new JobOptions
        {
            Url = url,
            Token = parsed.GetValue(Token) ?? console.GetEnvironmentVariable(TokenVariable),
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

        var problems = options.Validate(requireSourceAndDestination: source is not null || destination is not null);
        if (problems.Count > 0)
        {
            throw new UsageException(string.Join(" ", problems.Select(p => Describe(p.Key, p.Value))));
        }

        return options;
    }

    // The library's sentences name JobOptions properties; say which option or variable sets each.
    private static string Describe(string setting, string problem) => setting switch
    {
        nameof(JobOptions.Url) => $"{problem} (--url or {UrlVariable})",
        nameof(JobOptions.Token) => $"{problem} (--token or {TokenVariable}; --allow-insecure-transport)",
        nameof(JobOptions.MaxRetryAttempts) => $"{problem} (--retries or {RetriesVariable})",
        _ => problem,
    };
}
