using JobUtil.Internal;
using Microsoft.Extensions.Options;

namespace JobUtil.DependencyInjection;

/// <summary>Validates the registered options when the host starts, with messages that name the setting.</summary>
internal sealed class JobOptionsValidator(string sectionPath) : IValidateOptions<JobOptions>
{
    public ValidateOptionsResult Validate(string? name, JobOptions options)
    {
        // Source and Destination may be given per job to IJobFactory.Create.
        var problems = OptionsValidation.Validate(options, requireSourceAndDestination: false);
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"{Prefix}{p.Key}: {p.Value}"));
    }

    private string Prefix => sectionPath.Length == 0 ? string.Empty : sectionPath + ":";
}
