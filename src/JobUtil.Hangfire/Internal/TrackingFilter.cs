using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;

namespace JobUtil.Hangfire.Internal;

/// <summary>
/// Surrounds every execution of a tracked job with a run: the watermark and the start before the job method runs, its
/// outcome after. A server filter because it alone runs on the worker around the method: it can keep the method from
/// running (by throwing) when the start is refused, and sees the method's result or exception before Hangfire elects the
/// job's next state (a retry, say). Hangfire's filters are synchronous, and its workers are threads of their own, so
/// the client's asynchronous calls are waited for here.
/// </summary>
internal sealed class TrackingFilter(IJobFactory jobs, TrackedJobs tracked, ILogger<TrackingFilter> logger) : IServerFilter
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
        var attempt = TrackedJobs.AttemptOf(context);
        var job = jobs.Create(name, attribute.Source, attribute.Destination);
        RunLifecycle lifecycle;
        try
        {
            lifecycle = RunLifecycle.BeginAsync(job, context.CancellationToken.ShutdownToken).GetAwaiter().GetResult();
        }
        catch
        {
            // Refused by the overlap guard, or the Jobs API failed: the method does not run. Hangfire records the
            // execution as failed with this exception (JobAlreadyRunningException, JobsApiException), and its retry
            // policy applies; nothing is written to the Jobs API.
            job.Dispose();
            throw;
        }

        var run = new TrackedRun(name, lifecycle.Record.Id, lifecycle.Record.StartDate, lifecycle.Since, attempt);
        context.Items[ItemKey] = new Execution(job, lifecycle, run);
        TrackedRunAccessor.Set(run);
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
            execution.Lifecycle.DisposeAsync().AsTask().GetAwaiter().GetResult();
            execution.Job.Dispose();
        }
    }

    /// <summary>
    /// Records the execution's outcome. A failure to record success is thrown (Hangfire then fails the execution); a
    /// failure to record an error is logged, and the job's own exception goes on to Hangfire.
    /// </summary>
    private async Task RecordAsync(PerformedContext context, Execution execution)
    {
        var attempt = $"Attempt {execution.Run.Attempt} (Hangfire job {context.BackgroundJob.Id})";
        var lifecycle = execution.Lifecycle;
        if (CancellationOf(context) is { } reason)
        {
            await TryFailAsync(execution, lifecycle.FailAsync(attempt + ": " + reason)).ConfigureAwait(false);
        }
        else if (context.Exception is { } exception)
        {
            // Hangfire wraps what the method threw in a JobPerformanceException; the run records the method's own.
            var cause = exception is JobPerformanceException { InnerException: { } inner } ? inner : exception;
            await TryFailAsync(execution, lifecycle.FailAsync(cause, attempt)).ConfigureAwait(false);
        }
        else
        {
            await lifecycle.SucceedAsync(CountOf(context.Result) ?? execution.Run.RecordsProcessed).ConfigureAwait(false);
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

    private async Task TryFailAsync(Execution execution, Task recording)
    {
        try
        {
            await recording.ConfigureAwait(false);
        }
        catch (Exception e) when (e is JobsApiException or OperationCanceledException)
        {
            Log.OutcomeNotRecorded(logger, e, execution.Run.JobName, execution.Run.RunId);
        }
    }

    /// <summary>One tracked execution: its job client, its run, and what the job sees of it.</summary>
    internal sealed record Execution(Job Job, RunLifecycle Lifecycle, TrackedRun Run);
}
