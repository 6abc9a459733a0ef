using JobUtil.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace JobUtil.Cli;

/// <summary>The one <see cref="HttpClient"/> of an invocation, and the library objects that send with it.</summary>
internal sealed class JobsApiClient : IDisposable
{
    // Timeouts are the resilience pipeline's (JobOptions.AttemptTimeout and TotalTimeout), not HttpClient's.
    private readonly HttpClient _http = new(new SocketsHttpHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };

    public Job CreateJob(string name, JobOptions options) => new(name, options, _http);

    public JobFleet CreateFleet(JobOptions options) => new(options, _http);

    public JobsApi CreateApi(JobOptions options, string logName)
        => new(_http, options, TimeProvider.System, NullLogger.Instance, logName);

    public void Dispose() => _http.Dispose();
}
