using Microsoft.Extensions.Logging;

namespace JobUtil.Hangfire.Internal;

/// <summary>The package's log events, with stable ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "OutcomeNotRecorded", Level = LogLevel.Error,
        Message = "The error of run {RunId} of job '{JobName}' could not be recorded; the run stays in progress on the server.")]
    public static partial void OutcomeNotRecorded(ILogger logger, Exception exception, string jobName, long runId);
}
