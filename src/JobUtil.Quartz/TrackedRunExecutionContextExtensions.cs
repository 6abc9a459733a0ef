using System.Runtime.CompilerServices;
using Quartz;

namespace JobUtil.Quartz;

/// <summary>The typed accessor of a tracked firing's run on Quartz's execution context.</summary>
public static class TrackedRunExecutionContextExtensions
{
    // Keyed by the context object itself: nothing is written into the job's data map (which a persistent store might
    // save), and the entry goes when the context does.
    private static readonly ConditionalWeakTable<IJobExecutionContext, TrackedRun> Runs = new();

    /// <summary>The run of this firing of a tracked job: its watermark, and where the job reports its record count.</summary>
    /// <param name="context">The execution context Quartz hands the job.</param>
    /// <returns>The run started for this firing.</returns>
    /// <exception cref="InvalidOperationException">This job is not tracked: its class has no <see cref="TrackedRunAttribute"/>, no entry in <see cref="JobUtilQuartzOptions.Jobs"/> names it, or <c>AddJobUtilTracking</c> was not called on the scheduler.</exception>
    public static TrackedRun GetTrackedRun(this IJobExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TryGetTrackedRun(context, out var run)
            ? run
            : throw new InvalidOperationException(
                $"Job '{context.JobDetail.Key}' has no tracked run: mark its class with [TrackedRun] or list its key in JobUtilQuartzOptions.Jobs, "
                + "and call AddJobUtilTracking() in AddQuartz(...).");
    }

    /// <summary>The run of this firing, when the job is tracked.</summary>
    /// <param name="context">The execution context Quartz hands the job.</param>
    /// <param name="run">The run started for this firing, or <see langword="null"/>.</param>
    /// <returns>Whether the job is tracked.</returns>
    public static bool TryGetTrackedRun(this IJobExecutionContext context, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TrackedRun? run)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Runs.TryGetValue(context, out run);
    }

    internal static void Attach(IJobExecutionContext context, TrackedRun run) => Runs.AddOrUpdate(context, run);

    internal static void Detach(IJobExecutionContext context) => Runs.Remove(context);
}
