using Microsoft.Extensions.Logging;

namespace JobUtil.Internal;

/// <summary>Source-generated log events. None of them takes the token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "RunStarted", Level = LogLevel.Information,
        Message = "Job {JobName} started run {RunId} (source {Source}, destination {Destination})")]
    public static partial void RunStarted(ILogger logger, string jobName, long runId, string source, string destination);

    private static readonly EventId RunEndedEvent = new(2, "RunEnded");

    /// <summary>
    /// Event 2, RunEnded, with the values JobName, RunId, Status, RecordsProcessed (null when no count was recorded) and
    /// DurationMs. Written by hand rather than generated: its message says "no record count" for a null count, where a
    /// generated message would print "(null) records".
    /// </summary>
    public static void RunEnded(ILogger logger, string jobName, long runId, string status, long? recordsProcessed, double durationMs)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, RunEndedEvent, new RunEndedState(jobName, runId, status, recordsProcessed, durationMs), null, static (state, _) => state.ToString());
        }
    }

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

    [LoggerMessage(EventId = 7, EventName = "HeartbeatFailed", Level = LogLevel.Warning,
        Message = "Job {JobName} run {RunId}: a heartbeat could not be recorded; it is tried again at the next interval")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string jobName, long runId);

    [LoggerMessage(EventId = 8, EventName = "StaleRunRecovered", Level = LogLevel.Warning,
        Message = "Job {JobName} run {RunId} was stale and has been ended as error: {Message}")]
    public static partial void StaleRunRecovered(ILogger logger, string jobName, long runId, string message);

    [LoggerMessage(EventId = 9, EventName = "FailedStartEnded", Level = LogLevel.Warning,
        Message = "Job {JobName}: a start failed after its run {RunId} had been stored; the run was ended as error")]
    public static partial void FailedStartEnded(ILogger logger, string jobName, long runId);

    [LoggerMessage(EventId = 10, EventName = "FailedStartNotEnded", Level = LogLevel.Warning,
        Message = "Job {JobName}: a start failed after its run may have been stored, and the run could not be looked up and ended; it may stay in_progress until it is recovered")]
    public static partial void FailedStartNotEnded(ILogger logger, Exception exception, string jobName);
}

/// <summary>The values of the RunEnded event, and its message.</summary>
internal sealed class RunEndedState(string jobName, long runId, string status, long? recordsProcessed, double durationMs)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    // No {OriginalFormat}: a template would render a missing count as "(null) records" again.
    public int Count => 5;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("JobName", jobName),
        1 => new("RunId", runId),
        2 => new("Status", status),
        3 => new("RecordsProcessed", recordsProcessed),
        4 => new("DurationMs", durationMs),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString()
        => FormattableString.Invariant(
            $"Job {jobName} run {runId} ended with status {status}, {(recordsProcessed is { } count ? $"{count} records" : "no record count")}, after {durationMs} ms");
}
