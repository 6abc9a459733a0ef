namespace JobUtil.Quartz.Internal;

/// <summary>
/// The one place this package starts and ends a run in the Jobs API: the watermark, the start, and exactly one
/// outcome. Disposing a scope whose outcome was never recorded records it as an error, so no path through the
/// middleware leaves a run <c>in_progress</c> that the client could have ended.
/// </summary>
/// <remarks>
/// Built on <see cref="Job.MostRecentAsync"/>, <see cref="Job.StartAsync"/> and <see cref="Job.ResultAsync"/>.
/// Outcomes are recorded without the firing's token (the job's work is done or failed either way); each call is
/// bounded by <see cref="JobOptions.TotalTimeout"/> inside the client.
/// </remarks>
internal sealed class RunScope : IAsyncDisposable
{
    internal const string EndedWithoutOutcome = "The run ended without an outcome.";

    private readonly Job _job;
    private bool _ended;

    private RunScope(Job job, DateTimeOffset? watermark, JobRecord run)
    {
        _job = job;
        Watermark = watermark;
        Run = run;
    }

    /// <summary>The watermark read before the run started.</summary>
    public DateTimeOffset? Watermark { get; }

    /// <summary>The started run, as the server returned it.</summary>
    public JobRecord Run { get; }

    /// <summary>Reads the job's watermark, then starts its run.</summary>
    /// <exception cref="JobAlreadyRunningException">The server's overlap guard refused the run.</exception>
    /// <exception cref="JobsApiException">The Jobs API failed or could not be reached in time.</exception>
    public static async Task<RunScope> StartAsync(Job job, CancellationToken cancellationToken)
    {
        var watermark = await job.MostRecentAsync(cancellationToken).ConfigureAwait(false);
        var run = await job.StartAsync(cancellationToken).ConfigureAwait(false);
        return new RunScope(job, watermark, run);
    }

    /// <summary>Records success, with the count when the job reported one.</summary>
    public Task SucceedAsync(long? recordsProcessed)
    {
        _ended = true;
        return _job.ResultAsync(JobStatus.Success, recordsProcessed, message: null, CancellationToken.None);
    }

    /// <summary>Records an error with <paramref name="message"/>.</summary>
    public Task FailAsync(string message)
    {
        _ended = true;
        return _job.ResultAsync(JobStatus.Error, recordsProcessed: null, message, CancellationToken.None);
    }

    /// <summary>Records an error when no outcome was recorded (or attempted) yet.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            await FailAsync(EndedWithoutOutcome).ConfigureAwait(false);
        }
    }
}
