using Quartz;

namespace JobUtil.Quartz.Tests.Cluster;

/// <summary>A tracked job that must not overlap itself, on any node: reports one record per firing.</summary>
[TrackedRun(Source = "cluster_source", Destination = "cluster_destination")]
[DisallowConcurrentExecution]
internal sealed class ClusterJob(Firings firings) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        firings.Record(context);
        await Task.Yield();
        context.GetTrackedRun().RecordsProcessed = 1;
    }
}
