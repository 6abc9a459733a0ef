namespace JobUtil.Hangfire.Internal;

/// <summary>
/// The one place this package uses the core's run lifecycle: the watermark, the start, and exactly one outcome, on the
/// run handle (<see cref="JobRun"/>). Every rule (what a failure records, the count's range, timeouts) is the core's;
/// this class only calls it. Disposing records an error when no outcome was recorded, so no path leaves a run
/// <c>in_progress</c> that the client could have ended.
/// </summary>
/// <remarks>
/// The run sends heartbeats when <see cref="JobOptions.HeartbeatInterval"/> is set, and a start first recovers stale
/// runs when <see cref="JobOptions.RecoverStaleRunsOlderThan"/> is. Outcomes are recorded without the execution's
/// token: the job's work is done or failed either way.
/// </remarks>
internal sealed class RunLifecycle : IAsyncDisposable
{
    private readonly JobRun _run;

    private RunLifecycle(JobRun run, DateTimeOffset? since)
    {
        _run = run;
        Since = since;
    }

    /// <summary>The watermark handed to the job.</summary>
    public DateTimeOffset? Since { get; }

    /// <summary>The started run, as the server returned it.</summary>
    public JobRecord Record => _run.Record;

    /// <summary>Reads the job's watermark, then starts its run.</summary>
    /// <exception cref="JobAlreadyRunningException">The server's overlap guard refused the run.</exception>
    /// <exception cref="JobsApiException">The Jobs API failed or could not be reached in time.</exception>
    public static async Task<RunLifecycle> BeginAsync(Job job, CancellationToken cancellationToken)
    {
        var since = await job.MostRecentAsync(cancellationToken).ConfigureAwait(false);
        var run = await job.StartRunAsync(cancellationToken).ConfigureAwait(false);
        return new RunLifecycle(run, since);
    }

    /// <summary>Records success with the count when there is one; a count the column cannot hold records an error and throws.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is out of the column's range; the run was recorded as an error.</exception>
    /// <exception cref="JobsApiException">Success could not be recorded.</exception>
    public async Task SucceedAsync(long? recordsProcessed)
    {
        try
        {
            await _run.SucceedAsync(recordsProcessed, message: null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ArgumentOutOfRangeException e)
        {
            await FailAsync(e, context: null).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Records an error describing <paramref name="failure"/>, after <paramref name="context"/> when given.</summary>
    /// <exception cref="JobsApiException">The error could not be recorded.</exception>
    public Task FailAsync(Exception failure, string? context)
    {
        var description = $"{failure.GetType().FullName}: {failure.Message}";
        return FailAsync(context is null ? description : context + ": " + description);
    }

    /// <summary>Records an error with <paramref name="message"/>, bounded as every recorded message is.</summary>
    /// <exception cref="JobsApiException">The error could not be recorded.</exception>
    public Task FailAsync(string message)
        => _run.FailAsync(JobRun.BoundMessage(message), CancellationToken.None);

    /// <summary>Stops the heartbeats and, when no outcome was recorded, records an error (never throws).</summary>
    public ValueTask DisposeAsync() => _run.DisposeAsync();
}
