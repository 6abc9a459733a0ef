namespace JobUtil.Hangfire;

/// <summary>
/// Opts a Hangfire job in: every execution of a method that carries it, or of any method of a class that carries it,
/// becomes a run in the Jobs API (watermark read, run started before the method runs, success or error recorded after
/// it). Needs <c>services.AddJobUtilTracking()</c> and <c>services.AddJobUtil(...)</c>.
/// </summary>
/// <remarks>
/// The tracked name is <see cref="Name"/> when given, else the job's recurring job id, else <c>Type.Method</c> (the
/// job's class and method names): never a Hangfire job id, which changes with each job. Source and destination are
/// <see cref="Source"/> and <see cref="Destination"/> when given, else those of <see cref="JobOptions"/>. On a method it
/// overrides the one on its class.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class TrackedRunAttribute : Attribute
{
    /// <summary>The job's name in the Jobs API; the recurring job id, else <c>Type.Method</c>, when null.</summary>
    public string? Name { get; set; }

    /// <summary>The name of the source the job reads; <see cref="JobOptions.Source"/> when null.</summary>
    public string? Source { get; set; }

    /// <summary>The name of the destination the job writes; <see cref="JobOptions.Destination"/> when null.</summary>
    public string? Destination { get; set; }
}
