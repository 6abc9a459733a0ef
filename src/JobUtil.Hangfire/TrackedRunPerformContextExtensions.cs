using System.Diagnostics.CodeAnalysis;
using Hangfire.Server;
using JobUtil.Hangfire.Internal;

namespace JobUtil.Hangfire;

/// <summary>The typed accessor of a tracked execution's run on Hangfire's <see cref="PerformContext"/>.</summary>
public static class TrackedRunPerformContextExtensions
{
    /// <summary>The run of this execution of a tracked job: its watermark, and where the job reports its record count.</summary>
    /// <param name="context">The context Hangfire hands a job method that takes a <see cref="PerformContext"/> parameter.</param>
    /// <returns>The run started for this execution.</returns>
    /// <exception cref="InvalidOperationException">This job is not tracked: neither its method nor its class has <see cref="TrackedRunAttribute"/>, or <c>AddJobUtilTracking()</c> was not called.</exception>
    public static TrackedRun GetTrackedRun(this PerformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TryGetTrackedRun(context, out var run)
            ? run
            : throw new InvalidOperationException(
                $"Hangfire job {context.BackgroundJob.Id} has no tracked run: mark its method or class with [TrackedRun], "
                + "and call services.AddJobUtilTracking() beside services.AddHangfire(...).");
    }

    /// <summary>The run of this execution, when the job is tracked.</summary>
    /// <param name="context">The context Hangfire hands the job method.</param>
    /// <param name="run">The run started for this execution, or <see langword="null"/>.</param>
    /// <returns>Whether the job is tracked.</returns>
    public static bool TryGetTrackedRun(this PerformContext context, [NotNullWhen(true)] out TrackedRun? run)
    {
        ArgumentNullException.ThrowIfNull(context);
        run = TrackingFilter.Find(context)?.TrackedRun;
        return run is not null;
    }
}
