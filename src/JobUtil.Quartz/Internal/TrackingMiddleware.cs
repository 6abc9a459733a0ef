using Quartz;

namespace JobUtil.Quartz.Internal;

/// <summary>
/// Surrounds every firing of a tracked job with a run: <see cref="Job.BeginRunAsync"/> before the job runs, the run's
/// outcome after, every rule (lookback, message, count range, outcome timeout) the run handle's. A middleware rather
/// than a job listener because a listener is only told that a job is about to run: it cannot keep the job from running
/// when the start is refused, and cannot see the job's exception before Quartz does.
/// </summary>
internal sealed class TrackingMiddleware(JobUtil.IJobFactory jobs, TrackedJobResolver resolver) : IJobExecutionMiddleware
{
    public async ValueTask Invoke(IJobExecutionContext context, JobExecutionDelegate next, CancellationToken cancellationToken)
    {
        if (resolver.Resolve(context.JobDetail) is not { } tracked)
        {
            await next(context, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var job = jobs.Create(tracked.Name, tracked.Source, tracked.Destination);
        JobRun run;
        try
        {
            run = await job.BeginRunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (JobAlreadyRunningException e)
        {
            // The body never runs. Quartz sees a failed firing (its execution history keeps the reason); nothing is
            // written to the Jobs API, where the run that holds the name is still in progress.
            throw new JobExecutionException(
                $"Job '{tracked.Name}' was not run: the Jobs API's overlap guard says a run of it is already in progress.", e)
            { RefireImmediately = false };
        }
        catch (Exception e) when (e is JobsApiException && !cancellationToken.IsCancellationRequested)
        {
            throw new JobExecutionException($"Job '{tracked.Name}' was not run: its run could not be started. {e.Message}", e)
            { RefireImmediately = false };
        }

        // Disposing a run that has no outcome records it as an error: no path here leaves it in progress.
        await using (run.ConfigureAwait(false))
        {
            var trackedRun = new TrackedRun(tracked.Name, run.Id, run.Record.StartDate, run.Since);
            TrackedRunExecutionContextExtensions.Attach(context, trackedRun);
            try
            {
                try
                {
                    await next(context, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception failure)
                {
                    // The job's own exception goes on to Quartz whether or not its error could be recorded.
                    await run.TryFailAsync(CauseOf(failure), cancelled: cancellationToken.IsCancellationRequested).ConfigureAwait(false);
                    throw;
                }

                await run.FinishAsync(trackedRun.RecordsProcessed).ConfigureAwait(false);
            }
            finally
            {
                TrackedRunExecutionContextExtensions.Detach(context);
            }
        }
    }

    /// <summary>The failure to record: a <see cref="JobExecutionException"/> that wraps the job's real failure stands for that failure.</summary>
    internal static Exception CauseOf(Exception failure)
    {
        var cause = failure;
        while (cause is JobExecutionException { InnerException: { } inner })
        {
            cause = inner;
        }

        return cause;
    }
}
