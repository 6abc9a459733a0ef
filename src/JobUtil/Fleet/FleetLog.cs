using Microsoft.Extensions.Logging;

namespace JobUtil;

/// <summary>Source-generated log events of <see cref="JobFleet"/>.</summary>
internal static partial class FleetLog
{
    [LoggerMessage(EventId = 100, EventName = "FleetViewMissing", Level = LogLevel.Debug,
        Message = "The Jobs API has no view at {ViewUrl}; reading the fleet from the jobs table instead, at most {Limit} runs per read")]
    public static partial void ViewMissing(ILogger logger, string viewUrl, int limit);
}
