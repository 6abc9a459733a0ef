using Microsoft.Extensions.Logging;
using Quartz;

namespace JobUtil.Quartz.Internal;

/// <summary>
/// Surrounds every firing of a tracked job with a run: the watermark and the start before the job runs, its outcome
/// after. A middleware rather than a job listener because a listener is only told that a job is about to run: it
/// cannot keep the job from running when the start is refused, and cannot see the job's exception before Quartz does.
/// </summary>
internal sealed class TrackingMiddleware(JobUtil.IJobFactory jobs, TrackedJobResolver resolver, ILogger<TrackingMiddleware> logger)
    : IJobExecutionMiddleware
{
    internal const string CancelledMessage = "The run was cancelled.";

    public async ValueTask Invoke(IJobExecutionContext context, JobExecutionDelegate next, CancellationToken cancellationToken)
    {
        if (resolver.Resolve(context.JobDetail) is not { } tracked)
        {
            await next(context, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var job = jobs.Create(tracked.Name, tracked.Source, tracked.Destination);
        RunScope scope;
        try
        {
            scope = await RunScope.StartAsync(job, cancellationToken).ConfigureAwait(false);
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

        var run = new TrackedRun(tracked.Name, scope.Run.Id, scope.Run.StartDate, scope.Watermark);
        TrackedRunExecutionContextExtensions.Attach(context, run);
        try
        {
            await using (scope.ConfigureAwait(false))
            {
                try
                {
                    await next(context, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception failure)
                {
                    await RecordFailureAsync(scope, tracked.Name, failure, cancellationToken).ConfigureAwait(false);
                    throw;
                }

                await scope.SucceedAsync(run.RecordsProcessed).ConfigureAwait(false);
            }
        }
        finally
        {
            TrackedRunExecutionContextExtensions.Detach(context);
        }
    }

    /// <summary>Records the job's failure; a failure to record it is logged, and the job's own exception goes on to Quartz.</summary>
    private async Task RecordFailureAsync(RunScope scope, string jobName, Exception failure, CancellationToken cancellationToken)
    {
        var message = failure is OperationCanceledException && cancellationToken.IsCancellationRequested
            ? CancelledMessage
            : Describe(failure);
        try
        {
            await scope.FailAsync(message).ConfigureAwait(false);
        }
        catch (JobsApiException e)
        {
            Log.OutcomeNotRecorded(logger, e, jobName, scope.Run.Id);
        }
    }

    /// <summary>
    /// What is recorded for a failed firing: the exception's type and message, bounded like <c>RunAsync</c>'s. A
    /// <see cref="JobExecutionException"/> that wraps the job's real failure is described by that failure.
    /// </summary>
    internal static string Describe(Exception failure)
    {
        var cause = failure;
        while (cause is JobExecutionException { InnerException: { } inner })
        {
            cause = inner;
        }

        string text;
        try
        {
            text = cause.Message;
        }
        catch (Exception)
        {
            // A faulty Message getter must not replace the failure being recorded.
            text = "(the exception's message could not be read)";
        }

        var message = $"{cause.GetType().FullName}: {text}";
        return message.Length <= Job.MaxRecordedMessageLength ? message : message[..(Job.MaxRecordedMessageLength - 1)] + "…";
    }
}
