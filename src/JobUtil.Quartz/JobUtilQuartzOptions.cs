namespace JobUtil.Quartz;

/// <summary>Which Quartz jobs are tracked beyond those whose class carries <see cref="TrackedRunAttribute"/>, and under which names.</summary>
public sealed class JobUtilQuartzOptions
{
    /// <summary>The configuration section read by <c>AddJobUtilTracking(IConfiguration)</c> callers by convention: <c>JobUtil:Quartz</c>.</summary>
    public const string DefaultSectionName = "JobUtil:Quartz";

    /// <summary>
    /// Tracked jobs by key: the job's name for a job in Quartz's default group (<c>nightly_orders</c>), else
    /// <c>group.name</c> (<c>etl.nightly_orders</c>). An entry opts its job in and overrides the attribute's names.
    /// </summary>
    public IDictionary<string, TrackedJobOptions> Jobs { get; } = new Dictionary<string, TrackedJobOptions>(StringComparer.Ordinal);
}
