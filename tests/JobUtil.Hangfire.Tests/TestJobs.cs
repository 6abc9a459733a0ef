using Hangfire;
using Hangfire.Server;

namespace JobUtil.Hangfire.Tests;

/// <summary>Tracked by their methods' attributes; each records what it saw, from the injected accessor.</summary>
public sealed class TrackedJobs(Signals signals, ITrackedRunAccessor accessor)
{
    public const string FailureMessage = "the source refused the connection";

    [TrackedRun(Source = "crm", Destination = "warehouse")]
    [AutomaticRetry(Attempts = 0)]
    public long ReturnsLong(long count, PerformContext? context)
    {
        signals.Record(context!, accessor.TrackedRun);
        return count;
    }

    [TrackedRun]
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> ReturnsIntAsync(int count, PerformContext? context)
    {
        await Task.Yield();
        signals.Record(context!, accessor.TrackedRun);
        return count;
    }

    /// <summary>Reports its count through the run on its PerformContext, and returns nothing.</summary>
    [TrackedRun]
    [AutomaticRetry(Attempts = 0)]
    public void SetsCount(int count, PerformContext? context)
    {
        var run = context!.GetTrackedRun();
        signals.Record(context!, run);
        run.RecordsProcessed = count;
    }

    [TrackedRun]
    [AutomaticRetry(Attempts = 2, DelaysInSeconds = [0])]
    public void FailsTwiceRetried(PerformContext? context)
    {
        signals.Record(context!, accessor.TrackedRun);
        throw new InvalidOperationException(FailureMessage);
    }

    /// <summary>Runs until its job is deleted or its server stops.</summary>
    [TrackedRun]
    [AutomaticRetry(Attempts = 0)]
    public async Task WaitsAsync(PerformContext? context, CancellationToken cancellationToken)
    {
        signals.Record(context!, accessor.TrackedRun);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>One execution at a time on any server; runs until <paramref name="release"/> is set.</summary>
    [TrackedRun]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 0)]
    public void Exclusive(string release, PerformContext? context)
    {
        signals.Record(context!, accessor.TrackedRun);
        Releases.For(release).Wait(TimeSpan.FromMinutes(1));
    }

    /// <summary>Not marked: runs without a run.</summary>
    [AutomaticRetry(Attempts = 0)]
    public void Untracked(PerformContext? context) => signals.Record(context!, accessor.TrackedRun);
}

/// <summary>Tracked by its class's attribute, under the attribute's name.</summary>
[TrackedRun(Name = "orders_to_warehouse", Source = "orders_db", Destination = "dwh")]
public sealed class NamedJobs(Signals signals, ITrackedRunAccessor accessor)
{
    [AutomaticRetry(Attempts = 0)]
    public void Copy(PerformContext? context) => signals.Record(context!, accessor.TrackedRun);
}

/// <summary>Five jobs (five names: <c>FiveJobs.One</c> to <c>FiveJobs.Five</c>) of one record each.</summary>
[TrackedRun]
public sealed class FiveJobs(Signals signals, ITrackedRunAccessor accessor)
{
    public int One(PerformContext? context) => Record(context);

    public int Two(PerformContext? context) => Record(context);

    public int Three(PerformContext? context) => Record(context);

    public int Four(PerformContext? context) => Record(context);

    public int Five(PerformContext? context) => Record(context);

    private int Record(PerformContext? context)
    {
        signals.Record(context!, accessor.TrackedRun);
        return 1;
    }
}

/// <summary>Named gates a test opens to let a waiting job finish.</summary>
public static class Releases
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ManualResetEventSlim> Gates = new();

    public static ManualResetEventSlim For(string name) => Gates.GetOrAdd(name, _ => new ManualResetEventSlim());
}
