namespace JobUtil.Quartz.Internal;

/// <summary>
/// The one place this package starts and ends a run in the Jobs API: the watermark, the start, and exactly one
/// outcome, on the run handle (<see cref="JobRun"/>). Disposing a scope whose outcome was never recorded records it as
/// an error, so no path through the middleware leaves a run <c>in_progress</c> that the client could have ended.
/// </summary>
/// <remarks>
/// Built on <see cref="Job.MostRecentAsync"/>, <see cref="Job.StartRunAsync"/> and the handle's
/// <see cref="JobRun.SucceedAsync"/>, <see cref="JobRun.FailAsync"/> and <see cref="JobRun.DisposeAsync"/>, so the run
/// sends heartbeats when <see cref="JobOptions.HeartbeatInterval"/> is set, and a start first recovers stale runs when
/// <see cref="JobOptions.RecoverStaleRunsOlderThan"/> is. Outcomes are recorded without the firing's token (the job's
/// work is done or failed either way); each call is bounded by <see cref="JobOptions.TotalTimeout"/> inside the client.
/// </remarks>
internal sealed class RunScope : IAsyncDisposable
{
    internal const string EndedWithoutOutcome = JobRun.NoOutcomeMessage;

    private readonly JobRun _run;

    private RunScope(JobRun run, DateTimeOffset? watermark)
    {
        _run = run;
        Watermark = watermark;
    }

    /// <summary>The watermark read before the run started.</summary>
    public DateTimeOffset? Watermark { get; }

    /// <summary>The started run, as the server returned it.</summary>
    public JobRecord Run => _run.Record;

    /// <summary>Reads the job's watermark, then starts its run.</summary>
    /// <exception cref="JobAlreadyRunningException">The server's overlap guard refused the run.</exception>
    /// <exception cref="JobsApiException">The Jobs API failed or could not be reached in time.</exception>
    public static async Task<RunScope> StartAsync(Job job, CancellationToken cancellationToken)
    {
        var watermark = await job.MostRecentAsync(cancellationToken).ConfigureAwait(false);
        var run = await job.StartRunAsync(cancellationToken).ConfigureAwait(false);
        return new RunScope(run, watermark);
    }

    /// <summary>Records success, with the count when the job reported one.</summary>
    public Task SucceedAsync(long? recordsProcessed)
        => _run.SucceedAsync(recordsProcessed, message: null, CancellationToken.None);

    /// <summary>Records an error with <paramref name="message"/>.</summary>
    public Task FailAsync(string message)
        => _run.FailAsync(message, CancellationToken.None);

    /// <summary>
    /// Stops the heartbeats and, when no outcome was recorded yet, records an error (within
    /// <see cref="JobOptions.OutcomeTimeout"/>; a failure is logged by the client, never thrown).
    /// </summary>
    public ValueTask DisposeAsync() => _run.DisposeAsync();
}
