namespace JobUtil.Quartz;

/// <summary>How one Quartz job (by its key) is tracked: its name, source and destination in the Jobs API.</summary>
/// <remarks>An entry for a job's key opts that job in, whether or not its class carries <see cref="TrackedRunAttribute"/>.</remarks>
public sealed class TrackedJobOptions
{
    /// <summary>The job's name in the Jobs API; the attribute's, else the job's key, when null.</summary>
    public string? Name { get; set; }

    /// <summary>The name of the source the job reads; the attribute's, else <see cref="JobOptions.Source"/>, when null.</summary>
    public string? Source { get; set; }

    /// <summary>The name of the destination the job writes; the attribute's, else <see cref="JobOptions.Destination"/>, when null.</summary>
    public string? Destination { get; set; }
}
