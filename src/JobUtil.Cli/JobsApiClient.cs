namespace JobUtil.Cli;

/// <summary>The one <see cref="HttpClient"/> of an invocation, and the jobs that send with it.</summary>
internal sealed class JobsApiClient : IDisposable
{
    // Stands for source and destination where a command only reads a job's runs: nothing it sends carries them.
    private const string NotStored = "-";

    // Timeouts are the resilience pipeline's (JobOptions.AttemptTimeout and TotalTimeout), not HttpClient's. PostgREST
    // never redirects: a redirect is an error naming the new address, never followed (a POST would arrive as a GET,
    // without the token, and the answer would come from elsewhere).
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false }, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>A job that starts runs: its options carry the source and destination stored with each.</summary>
    public Job CreateJob(string name, JobOptions options) => new(name, options, _http);

    /// <summary>A job that only reads: it needs no source or destination.</summary>
    public Job CreateReader(string name, JobOptions options)
    {
        var reader = options.Clone();
        reader.Source ??= NotStored;
        reader.Destination ??= NotStored;
        return new Job(name, reader, _http);
    }

    /// <summary>Run <paramref name="id"/> of any job, to record its outcome.</summary>
    public Task<JobRun> OpenRunOfAnyJobAsync(long id, JobOptions options, CancellationToken cancellationToken)
        => JobRun.OpenOfAnyJobAsync(id, options, _http, cancellationToken: cancellationToken);

    public JobFleet CreateFleet(JobOptions options) => new(options, _http);

    public void Dispose() => _http.Dispose();
}
