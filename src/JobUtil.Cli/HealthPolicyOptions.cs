using System.CommandLine;

namespace JobUtil.Cli;

/// <summary>
/// The thresholds <c>status</c>, <c>check</c> and <c>report</c> judge jobs by, as options, parsed by <see cref="JobDuration"/>: a bad
/// duration is a usage error that shows the accepted forms.
/// </summary>
internal sealed class HealthPolicyOptions
{
    public HealthPolicyOptions(bool maxAgeRequired)
    {
        MaxAge = Duration("--max-age", "How long ago a job may have last succeeded", maxAgeRequired);
        MaxRuntime = Duration("--max-runtime", "How long a run may be in progress", required: false);
        StaleAfter = Duration("--stale-after", $"How old the heartbeat of a run in progress may be (default {JobDuration.Format(JobHealthPolicy.DefaultStaleHeartbeatAfter)})", required: false);
        MaxAgeFor = new Option<string[]>("--max-age-for")
        {
            Description = "The maximum age of one job, as NAME=DURATION; repeat for several jobs.",
            HelpName = "NAME=DURATION",
            Arity = ArgumentArity.ZeroOrMore,
        };
        MaxAgeFor.Validators.Add(result =>
        {
            foreach (var item in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!TrySplit(item, out _, out _))
                {
                    result.AddError($"--max-age-for takes NAME=DURATION, with DURATION {JobDuration.AcceptedForms}; '{item}' is not.");
                }
            }
        });
    }

    public Option<string> MaxAge { get; }

    public Option<string[]> MaxAgeFor { get; }

    public Option<string> MaxRuntime { get; }

    public Option<string> StaleAfter { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(MaxAge);
        command.Options.Add(MaxAgeFor);
        command.Options.Add(MaxRuntime);
        command.Options.Add(StaleAfter);
    }

    /// <summary>The policy the options describe (already validated by the parser).</summary>
    public JobHealthPolicy Resolve(ParseResult parsed)
    {
        var policy = new JobHealthPolicy
        {
            DefaultMaxAge = Parse(parsed.GetValue(MaxAge)),
            MaxRuntime = Parse(parsed.GetValue(MaxRuntime)),
        };
        if (parsed.GetValue(StaleAfter) is { } stale)
        {
            policy.StaleHeartbeatAfter = JobDuration.Parse(stale);
        }

        foreach (var item in parsed.GetValue(MaxAgeFor) ?? [])
        {
            TrySplit(item, out var name, out var maxAge);
            policy.MaxAges[name] = maxAge;
        }

        return policy;
    }

    private static TimeSpan? Parse(string? text) => text is null ? null : JobDuration.Parse(text);

    private static bool TrySplit(string item, out string name, out TimeSpan maxAge)
    {
        var equals = item.LastIndexOf('=');
        name = equals > 0 ? item[..equals] : string.Empty;
        maxAge = default;
        return equals > 0 && !string.IsNullOrWhiteSpace(name) && JobDuration.TryParse(item[(equals + 1)..], out maxAge);
    }

    internal static Option<string> Duration(string name, string description, bool required)
    {
        var option = new Option<string>(name)
        {
            Description = $"{description}: {JobDuration.AcceptedForms}.",
            HelpName = "DURATION",
            Required = required,
        };
        option.Validators.Add(result =>
        {
            if (!JobDuration.TryParse(result.GetValueOrDefault<string>(), out _))
            {
                result.AddError($"{name}: '{result.GetValueOrDefault<string>()}' is not a duration; use {JobDuration.AcceptedForms}.");
            }
        });
        return option;
    }
}
