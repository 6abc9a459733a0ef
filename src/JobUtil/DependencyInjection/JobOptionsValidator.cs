using JobUtil.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace JobUtil.DependencyInjection;

/// <summary>
/// Validates one endpoint's options (when the host starts, and at each reload), with messages that name the setting.
/// Keys in its configuration section that JobUtil does not know are reported too, with the closest known key.
/// </summary>
/// <param name="endpointName">The options name of the endpoint; <see cref="Options.DefaultName"/> for the unnamed one.</param>
/// <param name="sectionPath">The prefix of each message, such as <c>JobUtil</c>.</param>
/// <param name="section">The configuration the options are bound from; <see langword="null"/> when they are set in code.</param>
internal sealed class JobOptionsValidator(string endpointName, string sectionPath, IConfigurationSection? section) : IValidateOptions<JobOptions>
{
    public ValidateOptionsResult Validate(string? name, JobOptions options)
    {
        if (!string.Equals(name ?? Options.DefaultName, endpointName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        // Source and Destination may be given per job to IJobFactory.Create.
        var problems = UnknownKeys()
            .Concat(OptionsValidation.Validate(options, requireSourceAndDestination: false))
            .Select(p => $"{Prefix}{p.Key}: {p.Value}")
            .ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private string Prefix => sectionPath.Length == 0 ? string.Empty : sectionPath + ":";

    private IEnumerable<KeyValuePair<string, string>> UnknownKeys()
        => section is null
            ? []
            : section.GetChildren()
                .Where(child => !JobOptionsConfiguration.Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                .Select(child => new KeyValuePair<string, string>(
                    child.Key,
                    $"JobUtil has no setting '{child.Key}'; did you mean '{JobOptionsConfiguration.ClosestKey(child.Key)}'?"));
}
