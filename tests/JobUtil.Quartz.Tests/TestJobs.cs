using Quartz;

namespace JobUtil.Quartz.Tests;

/// <summary>Tracked by its attribute: reports the count in its data map ("count", default 7).</summary>
[TrackedRun(Source = "crm", Destination = "warehouse")]
internal sealed class CountingJob(Firings firings) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        firings.Record(context);
        context.GetTrackedRun().RecordsProcessed = context.MergedJobDataMap.TryGetValue("count", out var count) ? Convert.ToInt64(count, System.Globalization.CultureInfo.InvariantCulture) : 7;
        return default;
    }
}

/// <summary>Tracked, reports no count.</summary>
[TrackedRun]
internal sealed class QuietJob(Firings firings) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        firings.Record(context);
        return default;
    }
}

/// <summary>Tracked under a name of its own.</summary>
[TrackedRun(Name = "orders_to_warehouse", Source = "orders_db", Destination = "dwh")]
internal sealed class NamedJob(Firings firings) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        firings.Record(context);
        return default;
    }
}

/// <summary>Tracked; throws what its data map's "throw" says: "plain" or "quartz" (a JobExecutionException wrapping the cause).</summary>
[TrackedRun]
internal sealed class FailingJob(Firings firings) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        firings.Record(context);
        var cause = new InvalidOperationException("the source refused the connection");
        throw context.MergedJobDataMap.GetString("throw") == "quartz"
            ? new JobExecutionException(cause) { RefireImmediately = false }
            : cause;
    }
}

/// <summary>Not marked: tracked only when configuration lists its key.</summary>
internal sealed class PlainJob(Firings firings) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        firings.Record(context);
        return default;
    }
}

/// <summary>Tracked; runs until its firing is interrupted.</summary>
[TrackedRun]
internal sealed class WaitingJob(Firings firings) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        firings.Record(context);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

/// <summary>Tracked by its attribute: stores the last cursor plus one as its cursor.</summary>
[TrackedRun(Source = "crm", Destination = "warehouse")]
internal sealed class CursorJob(Firings firings) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        firings.Record(context);
        var run = context.GetTrackedRun();
        run.Cursor = JobCursor.FromInt64((JobCursor.ToInt64(run.LastCursor) ?? 0) + 1);
        return default;
    }
}
