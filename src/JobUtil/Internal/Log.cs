using Microsoft.Extensions.Logging;

namespace JobUtil.Internal;

/// <summary>Source-generated log events. None of them takes the token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "RunStarted", Level = LogLevel.Information,
        Message = "Job {JobName} started run {RunId} (source {Source}, destination {Destination})")]
    public static partial void RunStarted(ILogger logger, string jobName, long runId, string source, string destination);

    [LoggerMessage(EventId = 2, EventName = "RunEnded", Level = LogLevel.Information,
        Message = "Job {JobName} run {RunId} ended with status {Status}, {RecordsProcessed} records, after {DurationMs} ms")]
    public static partial void RunEnded(ILogger logger, string jobName, long runId, string status, long? recordsProcessed, double durationMs);

    [LoggerMessage(EventId = 3, EventName = "RetryScheduled", Level = LogLevel.Warning,
        Message = "{Operation} for job {JobName} failed on attempt {Attempt} with {Failure}; retrying in {DelayMs} ms")]
    public static partial void RetryScheduled(ILogger logger, string operation, string jobName, int attempt, string failure, double delayMs);

    [LoggerMessage(EventId = 4, EventName = "RunAdopted", Level = LogLevel.Information,
        Message = "Job {JobName}: the response to starting a run was lost; run {RunId} was found on the server and adopted instead of starting another")]
    public static partial void RunAdopted(ILogger logger, string jobName, long runId);

    [LoggerMessage(EventId = 5, EventName = "OutcomeNotRecorded", Level = LogLevel.Error,
        Message = "Job {JobName} run {RunId} failed and its error could not be recorded; the run may stay in_progress")]
    public static partial void OutcomeNotRecorded(ILogger logger, Exception exception, string jobName, long runId);

    [LoggerMessage(EventId = 6, EventName = "CancelledStartNotRecorded", Level = LogLevel.Warning,
        Message = "Job {JobName}: a start was cancelled while its request was in flight, and whether it created a run could not be checked; a run may stay in_progress")]
    public static partial void CancelledStartNotRecorded(ILogger logger, Exception exception, string jobName);
}
