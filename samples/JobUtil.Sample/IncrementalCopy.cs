using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobUtil.Sample;

/// <summary>What one run did: the cursor it started from, the run as the Jobs API recorded it (with the cursor it stored), and its failure.</summary>
public sealed record CopyRun(string? From, JobRecord? Run, Exception? Failure);

/// <summary>
/// The ETL: copies the orders updated since the last successful run into the destination, logging the run to the Jobs
/// API. The position is a cursor on the source's own <c>updated_at</c> column, not a time from this host's clock:
/// <see cref="Job.RunAsync(Func{string?, CancellationToken, Task{JobRunResult}}, CancellationToken)"/> hands the body the
/// cursor of the last successful run, records the start, and records success with the count and the greatest
/// <c>updated_at</c> copied as the new cursor, or the error (and no cursor) when the copy throws.
/// </summary>
public sealed partial class IncrementalCopy(IJobFactory jobs, OrdersSource source, OrdersDestination destination, IOptions<SampleOptions> options, ILogger<IncrementalCopy> logger)
{
    public async Task<CopyRun> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var job = jobs.Create(options.Value.JobName);
        string? from = null;
        try
        {
            await job.RunAsync(
                async (cursor, ct) =>
                {
                    from = cursor;
                    var updatedAfter = JobCursor.ToTimestamp(cursor);
                    var changed = await source.ReadUpdatedSinceAsync(updatedAfter, ct);
                    LogExtracted(logger, changed.Count, cursor ?? "the beginning");
                    var copied = await destination.UpsertAsync(changed, ct);

                    // The position reached in the source's data; nothing read, nothing moved.
                    var reached = changed.Count == 0 ? cursor : JobCursor.FromTimestamp(changed.Max(o => o.UpdatedAt));
                    return new JobRunResult(copied, reached);
                },
                cancellationToken);
            return new CopyRun(from, job.Current, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // RunAsync has recorded the run as error (or says in e.Data why it could not); the caller decides what it means.
            if (job.Current is { } run)
            {
                LogFailed(logger, run.Id, e.GetType().Name, e.Message);
            }
            else
            {
                LogNotStarted(logger, e.GetType().Name, e.Message);
            }

            return new CopyRun(from, job.Current, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Extracted {Count} orders updated since {Cursor}")]
    private static partial void LogExtracted(ILogger logger, int count, string cursor);

    [LoggerMessage(Level = LogLevel.Error, Message = "The copy failed and run {RunId} is recorded as error: {ErrorType}: {Error}")]
    private static partial void LogFailed(ILogger logger, long runId, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "No run was started, nothing was copied: {ErrorType}: {Error}")]
    private static partial void LogNotStarted(ILogger logger, string errorType, string error);
}
