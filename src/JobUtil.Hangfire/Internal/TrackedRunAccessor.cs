namespace JobUtil.Hangfire.Internal;

/// <summary>
/// The current execution's run in an <see cref="AsyncLocal{T}"/>. The filter sets it on the worker's thread before the
/// job method is called (a synchronous call, so the value stays for the method and flows into its awaits) and clears it
/// after.
/// </summary>
internal sealed class TrackedRunAccessor : ITrackedRunAccessor
{
    private static readonly AsyncLocal<TrackedRun?> Current = new();

    public TrackedRun? TrackedRun => Current.Value;

    internal static void Set(TrackedRun? run) => Current.Value = run;
}
