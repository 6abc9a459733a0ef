using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobUtil.DependencyInjection;

/// <summary>The registered <see cref="IJobFactory"/>: a typed client of <c>IHttpClientFactory</c>.</summary>
internal sealed class JobFactory(HttpClient httpClient, IOptionsMonitor<JobOptions> options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    : IJobFactory
{
    public Job Create(string name, string? source = null, string? destination = null)
    {
        var settings = options.CurrentValue.Clone();
        settings.Source = source ?? settings.Source;
        settings.Destination = destination ?? settings.Destination;
        return new Job(name, settings, httpClient, timeProvider, loggerFactory);
    }
}
