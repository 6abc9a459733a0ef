using Hangfire;
using Hangfire.Server;

namespace JobUtil.Hangfire.Internal;

/// <summary>
/// Surrounds every execution of a tracked job with a run: <see cref="Job.BeginRunAsync"/> before the job method runs,
/// the run's outcome after, every rule (lookback, message, count range, outcome timeout) the run handle's. A server
/// filter because it alone runs on the worker around the method: it can keep the method from running (by throwing)
/// when the start is refused, and sees the method's result or exception before Hangfire elects the job's next state (a
/// retry, say). Hangfire's filters are synchronous, and its workers are threads of their own, so the client's
/// asynchronous calls are waited for here.
/// </summary>
internal sealed class TrackingFilter(IJobFactory jobs, TrackedJobs tracked) : IServerFilter
{
    // The execution's state travels from OnPerforming to OnPerformed (and to the job, through PerformContext) in the
    // context's Items, which Hangfire shares between the contexts of one execution.
    private const string ItemKey = "JobUtil.Hangfire.Execution";

    internal const string Aborted = "The run was cancelled: Hangfire aborted its job (it was deleted, or moved to another state).";
    internal const string ShuttingDown = "The run was cancelled: the Hangfire server is shutting down.";

    /// <summary>The tracked execution <paramref name="context"/> belongs to, if any.</summary>
    internal static Execution? Find(PerformContext context)
        => context.Items.TryGetValue(ItemKey, out var item) ? item as Execution : null;

    public void OnPerforming(PerformingContext context)
    {
        if (tracked.Find(context.BackgroundJob.Job) is not { } attribute)
        {
            return;
        }

        var name = TrackedJobs.NameOf(context, attribute);
        var job = jobs.Create(name, attribute.Source, attribute.Destination);
        JobRun run;
        try
        {
            run = job.BeginRunAsync(context.CancellationToken.ShutdownToken).GetAwaiter().GetResult();
        }
        catch
        {
            // Refused by the overlap guard, or the Jobs API failed: the method does not run. Hangfire records the
            // execution as failed with this exception (JobAlreadyRunningException, JobsApiException), and its retry
            // policy applies; nothing is written to the Jobs API.
            job.Dispose();
            throw;
        }

        var trackedRun = new TrackedRun(name, run.Id, run.Record.StartDate, run.Since, TrackedJobs.AttemptOf(context));
        context.Items[ItemKey] = new Execution(job, run, trackedRun);
        TrackedRunAccessor.Set(trackedRun);
    }

    public void OnPerformed(PerformedContext context)
    {
        if (!context.Items.Remove(ItemKey, out var item) || item is not Execution execution)
        {
            return;
        }

        TrackedRunAccessor.Set(null);
        try
        {
            RecordAsync(context, execution).GetAwaiter().GetResult();
        }
        finally
        {
            // Disposing a run that has no outcome records it as an error: no path here leaves it in progress.
            execution.Run.DisposeAsync().AsTask().GetAwaiter().GetResult();
            execution.Job.Dispose();
        }
    }

    /// <summary>
    /// Records the execution's outcome. A failure to record success is thrown (Hangfire then fails the execution); a
    /// failure to record an error is logged by the run handle, and the job's own exception goes on to Hangfire.
    /// </summary>
    private static async Task RecordAsync(PerformedContext context, Execution execution)
    {
        var attempt = $"Attempt {execution.TrackedRun.Attempt} (Hangfire job {context.BackgroundJob.Id})";
        if (CancellationOf(context) is { } reason)
        {
            await execution.Run.TryFailAsync(attempt + ": " + reason).ConfigureAwait(false);
        }
        else if (context.Exception is { } exception)
        {
            // Hangfire wraps what the method threw in a JobPerformanceException; the run records the method's own.
            var cause = exception is JobPerformanceException { InnerException: { } inner } ? inner : exception;
            await execution.Run.TryFailAsync(cause, attempt).ConfigureAwait(false);
        }
        else
        {
            await execution.Run.FinishAsync(CountOf(context.Result) ?? execution.TrackedRun.RecordsProcessed).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why the execution was cancelled, or null when it was not. (A filter that cancels an execution in its
    /// OnPerforming runs before this one, the innermost, so no run was started for it.)
    /// </summary>
    private static string? CancellationOf(PerformedContext context)
    {
        // Hangfire turns a cancellation caused by an aborted job into a JobAbortedException before filters see it; any
        // other cancellation while the job's token is cancelled is the server stopping.
        return context.Exception switch
        {
            JobAbortedException => Aborted,
            OperationCanceledException when context.CancellationToken.ShutdownToken.IsCancellationRequested => ShuttingDown,
            _ => null,
        };
    }

    /// <summary>The count a job method returned: any integer; anything else is no count.</summary>
    private static long? CountOf(object? result) => result switch
    {
        int count => count,
        long count => count,
        short count => count,
        ushort count => count,
        uint count => count,
        byte count => count,
        sbyte count => count,
        ulong count => count > long.MaxValue ? long.MaxValue : (long)count,
        _ => null,
    };

    /// <summary>One tracked execution: its job client, its run, and what the job sees of it.</summary>
    internal sealed record Execution(Job Job, JobRun Run, TrackedRun TrackedRun);
}
