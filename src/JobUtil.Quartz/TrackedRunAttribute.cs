namespace JobUtil.Quartz;

/// <summary>
/// Opts a Quartz job class in: every firing of a job of this class becomes a run in the Jobs API (watermark read,
/// run started before the job runs, success or error recorded after it). Needs <c>q.AddJobUtilTracking()</c> on the
/// scheduler and <c>services.AddJobUtil(...)</c>.
/// </summary>
/// <remarks>
/// The tracked name is <see cref="Name"/> when given, else the job's <c>JobKey</c> (its name alone in the default group,
/// <c>group.name</c> otherwise). Source and destination are <see cref="Source"/> and <see cref="Destination"/> when
/// given, else those of <see cref="JobOptions"/>. An entry in <see cref="JobUtilQuartzOptions.Jobs"/> for the job's key
/// overrides all three.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class TrackedRunAttribute : Attribute
{
    /// <summary>The job's name in the Jobs API; the job's key when null.</summary>
    public string? Name { get; set; }

    /// <summary>The name of the source the job reads; <see cref="JobOptions.Source"/> when null.</summary>
    public string? Source { get; set; }

    /// <summary>The name of the destination the job writes; <see cref="JobOptions.Destination"/> when null.</summary>
    public string? Destination { get; set; }
}
