using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace JobUtil.DependencyInjection;

/// <summary>
/// Binds <see cref="JobOptions"/> from configuration by hand: no reflection (AOT and trim safe), and a value that
/// does not parse is reported with the key that holds it.
/// </summary>
internal static class JobOptionsConfiguration
{
    /// <summary>Every key <see cref="Bind"/> reads.</summary>
    public static readonly string[] Keys =
    [
        nameof(JobOptions.Url), nameof(JobOptions.Token), nameof(JobOptions.Source), nameof(JobOptions.Destination),
        nameof(JobOptions.AllowInsecureTransport), nameof(JobOptions.MaxRetryAttempts), nameof(JobOptions.RetryBaseDelay),
        nameof(JobOptions.MaxRetryDelay), nameof(JobOptions.AttemptTimeout), nameof(JobOptions.TotalTimeout),
        nameof(JobOptions.OutcomeTimeout), nameof(JobOptions.HeartbeatInterval), nameof(JobOptions.RecoverStaleRunsOlderThan),
        nameof(JobOptions.WatermarkLookback), nameof(JobOptions.RunKey),
    ];

    /// <summary>The known key nearest to <paramref name="key"/> in edits (ignoring case): what a misspelling meant.</summary>
    public static string ClosestKey(string key)
        => Keys.OrderBy(known => EditDistance(key.ToUpperInvariant(), known.ToUpperInvariant())).First();

    public static void Bind(IConfiguration section, JobOptions options)
    {
        options.Url = section[nameof(JobOptions.Url)] ?? options.Url;
        options.Token = section[nameof(JobOptions.Token)] ?? options.Token;
        options.Source = section[nameof(JobOptions.Source)] ?? options.Source;
        options.Destination = section[nameof(JobOptions.Destination)] ?? options.Destination;
        options.AllowInsecureTransport = Parse(section, nameof(JobOptions.AllowInsecureTransport), options.AllowInsecureTransport, bool.TryParse);
        options.MaxRetryAttempts = Parse(section, nameof(JobOptions.MaxRetryAttempts), options.MaxRetryAttempts, (string s, out int v) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v));
        options.RetryBaseDelay = ParseTime(section, nameof(JobOptions.RetryBaseDelay), options.RetryBaseDelay);
        options.MaxRetryDelay = ParseTime(section, nameof(JobOptions.MaxRetryDelay), options.MaxRetryDelay);
        options.AttemptTimeout = ParseTime(section, nameof(JobOptions.AttemptTimeout), options.AttemptTimeout);
        options.TotalTimeout = ParseTime(section, nameof(JobOptions.TotalTimeout), options.TotalTimeout);
        options.OutcomeTimeout = ParseTime(section, nameof(JobOptions.OutcomeTimeout), options.OutcomeTimeout);
        options.HeartbeatInterval = ParseOptionalTime(section, nameof(JobOptions.HeartbeatInterval), options.HeartbeatInterval);
        options.RecoverStaleRunsOlderThan = ParseOptionalTime(section, nameof(JobOptions.RecoverStaleRunsOlderThan), options.RecoverStaleRunsOlderThan);
        options.WatermarkLookback = ParseTime(section, nameof(JobOptions.WatermarkLookback), options.WatermarkLookback);
        options.RunKey = Parse(section, nameof(JobOptions.RunKey), options.RunKey, TryParseRunKey);
    }

    // By name only (Auto, On, Off; any case): Enum.TryParse would also take a number, or "On, Off".
    private static bool TryParseRunKey(string text, out RunKeyMode value)
    {
        foreach (var mode in new[] { RunKeyMode.Auto, RunKeyMode.On, RunKeyMode.Off })
        {
            if (string.Equals(text.Trim(), mode.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                value = mode;
                return true;
            }
        }

        value = default;
        return false;
    }

    // A setting that is off unless given: present in configuration, it turns the feature on.
    private static TimeSpan? ParseOptionalTime(IConfiguration section, string key, TimeSpan? current)
        => section[key] is null ? current : ParseTime(section, key, default);

    private delegate bool TryParser<T>(string text, out T value);

    private static TimeSpan ParseTime(IConfiguration section, string key, TimeSpan current)
        => Parse(section, key, current, (string s, out TimeSpan v) => TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out v));

    private static T Parse<T>(IConfiguration section, string key, T current, TryParser<T> parse)
    {
        var text = section[key];
        if (text is null)
        {
            return current;
        }

        return parse(text, out var value)
            ? value
            : throw new InvalidOperationException(
                $"Configuration value '{text}' at '{Path(section, key)}' is not a valid {typeof(T).Name}" +
                (typeof(T) == typeof(TimeSpan) ? " (use the form hh:mm:ss, e.g. 00:00:30)." : typeof(T) == typeof(RunKeyMode) ? " (use Auto, On or Off)." : "."));
    }

    private static string Path(IConfiguration section, string key)
        => section is IConfigurationSection s && s.Path.Length > 0 ? $"{s.Path}:{key}" : key;

    // Levenshtein distance: insertions, deletions and substitutions.
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
