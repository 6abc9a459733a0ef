using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobUtil.Sample;

/// <summary>What one run did: the watermark it started from and the run as the Jobs API recorded it.</summary>
public sealed record CopyRun(DateTimeOffset? Watermark, JobRecord? Run, Exception? Failure);

/// <summary>
/// The ETL: copies the orders modified since the last successful run into the destination, logging the run to the
/// Jobs API. <see cref="Job.RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/> reads the
/// watermark, records the start, and records success with the count, or the error when the copy throws.
/// </summary>
public sealed partial class IncrementalCopy(IJobFactory jobs, OrdersSource source, OrdersDestination destination, IOptions<SampleOptions> options, ILogger<IncrementalCopy> logger)
{
    public async Task<CopyRun> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var job = jobs.Create(options.Value.JobName);
        DateTimeOffset? watermark = null;
        try
        {
            await job.RunAsync(
                async (since, ct) =>
                {
                    watermark = since;
                    var changed = await source.ReadChangedSinceAsync(since, ct);
                    LogExtracted(logger, changed.Count, since?.ToString("u") ?? "the beginning");
                    return await destination.UpsertAsync(changed, ct);
                },
                cancellationToken);
            return new CopyRun(watermark, job.Current, null);
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

            return new CopyRun(watermark, job.Current, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Extracted {Count} orders modified since {Since}")]
    private static partial void LogExtracted(ILogger logger, int count, string since);

    [LoggerMessage(Level = LogLevel.Error, Message = "The copy failed and run {RunId} is recorded as error: {ErrorType}: {Error}")]
    private static partial void LogFailed(ILogger logger, long runId, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "No run was started, nothing was copied: {ErrorType}: {Error}")]
    private static partial void LogNotStarted(ILogger logger, string errorType, string error);
}
