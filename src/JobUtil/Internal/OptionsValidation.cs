namespace JobUtil.Internal;

/// <summary>The one set of rules for <see cref="JobOptions"/>, shared by <see cref="Job"/>'s constructors and start-up validation.</summary>
internal static class OptionsValidation
{
    // Polly's timeout strategy accepts 10 ms to 1 day.
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);
    private static readonly TimeSpan MaxLookback = TimeSpan.FromDays(365);

    /// <summary>Each problem as the setting's name and a sentence saying what is wrong.</summary>
    public static List<KeyValuePair<string, string>> Validate(JobOptions options, bool requireSourceAndDestination)
    {
        var problems = new List<KeyValuePair<string, string>>();
        void Add(string setting, string problem) => problems.Add(new(setting, problem));

        var uri = ValidateUrl(options.Url, out var urlProblem);
        if (urlProblem is not null)
        {
            Add(nameof(JobOptions.Url), urlProblem);
        }

        if (options.Token is { } token)
        {
            if (TokenProblem(token) is { } tokenProblem)
            {
                Add(nameof(JobOptions.Token), tokenProblem);
            }
            else if (uri is not null && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !options.AllowInsecureTransport)
            {
                Add(nameof(JobOptions.Token),
                    $"A token would be sent in clear text over http to '{uri.Host}'. Use an https Url, or set AllowInsecureTransport = true if the network is trusted.");
            }
        }

        if (requireSourceAndDestination)
        {
            if (string.IsNullOrWhiteSpace(options.Source))
            {
                Add(nameof(JobOptions.Source), "Source must name the job's source (it is stored with every run).");
            }

            if (string.IsNullOrWhiteSpace(options.Destination))
            {
                Add(nameof(JobOptions.Destination), "Destination must name the job's destination (it is stored with every run).");
            }
        }

        if (LoneSurrogateProblem(options.Source, nameof(JobOptions.Source)) is { } sourceProblem)
        {
            Add(nameof(JobOptions.Source), sourceProblem);
        }

        if (LoneSurrogateProblem(options.Destination, nameof(JobOptions.Destination)) is { } destinationProblem)
        {
            Add(nameof(JobOptions.Destination), destinationProblem);
        }

        if (options.MaxRetryAttempts is < 0 or > 100)
        {
            Add(nameof(JobOptions.MaxRetryAttempts), $"MaxRetryAttempts must be from 0 (no retries) to 100; it is {options.MaxRetryAttempts}.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryBaseDelay > MaxTimeout)
        {
            Add(nameof(JobOptions.RetryBaseDelay), $"RetryBaseDelay must be from 0 to 1 day; it is {options.RetryBaseDelay}.");
        }

        if (options.MaxRetryDelay < options.RetryBaseDelay || options.MaxRetryDelay > MaxTimeout)
        {
            Add(nameof(JobOptions.MaxRetryDelay), $"MaxRetryDelay must be at least RetryBaseDelay ({options.RetryBaseDelay}) and at most 1 day; it is {options.MaxRetryDelay}.");
        }

        CheckTimeout(nameof(JobOptions.AttemptTimeout), options.AttemptTimeout, problems);
        CheckTimeout(nameof(JobOptions.TotalTimeout), options.TotalTimeout, problems);
        CheckTimeout(nameof(JobOptions.OutcomeTimeout), options.OutcomeTimeout, problems);

        if (options.HeartbeatInterval is { } heartbeat && (heartbeat < MinTimeout || heartbeat > MaxTimeout))
        {
            Add(nameof(JobOptions.HeartbeatInterval), $"HeartbeatInterval must be from 10 ms to 1 day, or null for no heartbeats; it is {heartbeat}.");
        }

        if (options.RecoverStaleRunsOlderThan is { } stale)
        {
            if (StaleThresholdProblem(stale, nameof(JobOptions.RecoverStaleRunsOlderThan)) is { } staleProblem)
            {
                Add(nameof(JobOptions.RecoverStaleRunsOlderThan), staleProblem + " Or null to recover nothing.");
            }
            else if (options.HeartbeatInterval is { } interval && stale < interval + interval)
            {
                Add(nameof(JobOptions.RecoverStaleRunsOlderThan), $"RecoverStaleRunsOlderThan ({stale}) must be at least twice HeartbeatInterval ({interval}), or a live run would be ended between two heartbeats.");
            }
        }

        if (options.WatermarkLookback < TimeSpan.Zero || options.WatermarkLookback > MaxLookback)
        {
            Add(nameof(JobOptions.WatermarkLookback), $"WatermarkLookback must be from 0 to 365 days; it is {options.WatermarkLookback}.");
        }

        if (options.RunKey is not (RunKeyMode.Auto or RunKeyMode.On or RunKeyMode.Off))
        {
            Add(nameof(JobOptions.RunKey), $"RunKey must be Auto, On or Off; it is {(int)options.RunKey}.");
        }

        return problems;
    }

    /// <summary>Throws one <see cref="ArgumentException"/> naming every problem, before anything is sent.</summary>
    /// <param name="options">The options to check.</param>
    /// <param name="paramName">The parameter the options came in.</param>
    /// <param name="requireSourceAndDestination">Whether Source and Destination must be set.</param>
    /// <param name="settingsAreParameters">Whether the settings came as parameters of their own (Job's simple constructor).</param>
    public static void ThrowIfInvalid(JobOptions options, string paramName, bool requireSourceAndDestination, bool settingsAreParameters = false)
    {
        var problems = Validate(options, requireSourceAndDestination);
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                "Invalid JobOptions: " + string.Join(" ", problems.Select(p => p.Value)),
                settingsAreParameters ? ParameterFor(problems[0].Key, paramName) : paramName);
        }
    }

    /// <summary>
    /// What makes <paramref name="name"/> unusable as a job name, or <see langword="null"/>: it must hold a visible
    /// character, and be valid UTF-16. A lone surrogate would be sent as U+FFFD, so the stored row would never match
    /// the name again (a start would refuse its own row and leave it in progress). The one rule for names, shared by
    /// <see cref="Job"/>, the fleet's name filters, dependency injection and the <c>jobutil</c> command.
    /// </summary>
    public static string? NameProblem(string? name)
        => string.IsNullOrWhiteSpace(name)
            ? "A job name must not be null, empty or white space."
            : LoneSurrogateProblem(name, "A job name");

    /// <summary>
    /// The stale-run threshold's rule, shared by <see cref="JobOptions.RecoverStaleRunsOlderThan"/>, the recovery methods
    /// and <c>jobutil recover --older-than</c>: from 1 second to 365 days.
    /// </summary>
    public static string? StaleThresholdProblem(TimeSpan value, string setting)
        => value < TimeSpan.FromSeconds(1) || value > MaxLookback
            ? $"{setting} must be from 1 second to 365 days; it is {value}."
            : null;

    /// <summary>A sentence naming the first lone UTF-16 surrogate of <paramref name="text"/>, or <see langword="null"/> when it has none.</summary>
    private static string? LoneSurrogateProblem(string? text, string what)
    {
        if (text is null)
        {
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return $"{what} must be valid UTF-16 text; it has a lone surrogate (U+{(int)text[i]:X4}) at position {i + 1} of {text.Length}, which would be stored as U+FFFD and never match again.";
            }
        }

        return null;
    }

    /// <summary>Parses the jobs table URL; <see langword="null"/> with a reason when it is not usable.</summary>
    public static Uri? ValidateUrl(string? url, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            problem = "Url must be the full URL of the jobs table, such as https://host/jobs.";
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problem = $"Url must be an absolute http or https URL of the jobs table; '{url}' is not.";
            return null;
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || !string.IsNullOrEmpty(uri.UserInfo))
        {
            problem = "Url must be the jobs table's URL without a query, fragment or user info (put a token in Token).";
            return null;
        }

        // The last segment of the path is the table (every request and the fleet view's URL are built from it): a
        // server's root would be retried as if it were unreachable, or read as a table with no name.
        if (uri.AbsolutePath.Trim('/').Length == 0)
        {
            problem = $"Url must be the full URL of the jobs table, such as https://host/jobs; '{url}' names no table.";
            return null;
        }

        return uri;
    }

    /// <summary>
    /// What makes <paramref name="token"/> unusable as a bearer token, or <see langword="null"/>. An HTTP header carries
    /// visible ASCII only: a byte-order mark, a line break or a non-ASCII character would fail every request (as a
    /// network error, retried) instead of failing here. The token itself is never echoed.
    /// </summary>
    public static string? TokenProblem(string token)
    {
        if (token.Length == 0)
        {
            return "Token must be a non-empty JWT (leave it null to send no Authorization header).";
        }

        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (c is >= '!' and <= '~')
            {
                continue;
            }

            var what = c switch
            {
                '\uFEFF' => "a byte-order mark (U+FEFF)",
                '\r' or '\n' => "a line break",
                ' ' or '\t' => "white space",
                _ when char.IsControl(c) => $"a control character (U+{(int)c:X4})",
                _ => $"a non-ASCII character (U+{(int)c:X4})",
            };
            return $"Token must be a JWT of visible ASCII characters; it has {what} at position {i + 1} of {token.Length}. Check how the token was read (a file saved with a BOM or a trailing newline, say).";
        }

        return null;
    }

    private static void CheckTimeout(string setting, TimeSpan value, List<KeyValuePair<string, string>> problems)
    {
        if (value != Timeout.InfiniteTimeSpan && (value < MinTimeout || value > MaxTimeout))
        {
            problems.Add(new(setting, $"{setting} must be from 10 ms to 1 day, or Timeout.InfiniteTimeSpan; it is {value}."));
        }
    }

    // Job's simple constructor takes the settings as parameters of these names.
    private static string ParameterFor(string setting, string fallback) => setting switch
    {
        nameof(JobOptions.Url) => "url",
        nameof(JobOptions.Source) => "source",
        nameof(JobOptions.Destination) => "destination",
        nameof(JobOptions.Token) => "auth",
        _ => fallback,
    };
}
