using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobUtil.DependencyInjection;

/// <summary>
/// The registered <see cref="IJobFactory"/> of one Jobs API endpoint: a singleton that reads the endpoint's current
/// options and takes a fresh <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/> for every job, so it is safe
/// to keep for the life of the application (handlers still rotate) and sees configuration reloads.
/// </summary>
internal sealed class JobFactory(
    string endpointName,
    string httpClientName,
    IHttpClientFactory httpClientFactory,
    IOptionsMonitor<JobOptions> options,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory)
    : IJobFactory
{
    public Job Create(string name, string? source = null, string? destination = null)
    {
        var settings = options.Get(endpointName).Clone();
        settings.Source = source ?? settings.Source;
        settings.Destination = destination ?? settings.Destination;
        return new Job(name, settings, httpClientFactory.CreateClient(httpClientName), timeProvider, loggerFactory);
    }
}
