namespace JobUtil.Hangfire;

/// <summary>
/// The run of the tracked Hangfire job executing on the calling thread's flow, for job classes that take it by
/// dependency injection (as <c>IHttpContextAccessor</c> gives the current request). Registered by
/// <c>services.AddJobUtilTracking()</c>.
/// </summary>
public interface ITrackedRunAccessor
{
    /// <summary>
    /// The run of the current execution; <see langword="null"/> outside a tracked job's method (an untracked job, or code
    /// not called from a Hangfire job).
    /// </summary>
    TrackedRun? TrackedRun { get; }
}
