using System.Diagnostics;
using Quartz;

namespace JobUtil.Quartz.Tests.Cluster;

/// <summary>
/// A node of the test cluster in a process of its own, so that a test can kill it mid-run:
/// <c>dotnet JobUtil.Quartz.Tests.dll --cluster-node INSTANCE_ID CONNECTION_STRING API_URL</c>. It starts a clustered
/// scheduler whose runs send a heartbeat every <see cref="HeartbeatInterval"/>, and runs until killed; a <see cref="CrashJob"/> firing on it prints <c>started RUN_ID WATERMARK</c> and
/// then waits for ever.
/// </summary>
internal static class ClusterNode
{
    public const string StartedLine = "started";

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    public static bool IsNodeProcess { get; private set; }

    public static async Task<int> Main(string[] args)
    {
        if (args is not ["--cluster-node", var instanceId, var connectionString, var apiUrl])
        {
            await Console.Error.WriteLineAsync("This is a test assembly: run it with dotnet test (or --cluster-node INSTANCE_ID CONNECTION_STRING API_URL).");
            return 2;
        }

        IsNodeProcess = true;
        await using var node = await TrackedScheduler.CreateAsync(apiUrl, new Firings(), q => ClusterTrackingTests.Clustered(q, instanceId, connectionString), jobOptions: o => o.HeartbeatInterval = HeartbeatInterval);
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    /// <summary>Starts a node process; it is killed (with its tree) when disposed, if still running.</summary>
    public static Process Start(string instanceId, string connectionString, string apiUrl)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(ClusterNode).Assembly.Location, "--cluster-node", instanceId, connectionString, apiUrl })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start a cluster node process.");
    }
}

/// <summary>
/// A tracked job that requests recovery. On a node process, a first firing announces its run and hangs until the
/// process is killed; anywhere else, or when recovering, it finishes at once.
/// </summary>
[TrackedRun(Source = "cluster_source", Destination = "cluster_destination")]
[DisallowConcurrentExecution]
internal sealed class CrashJob(Firings firings) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        firings.Record(context);
        var run = context.GetTrackedRun();
        if (ClusterNode.IsNodeProcess && !context.Recovering)
        {
            Console.WriteLine($"{ClusterNode.StartedLine} {run.RunId} {run.Watermark?.ToString("O") ?? "none"}");
            await Console.Out.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        run.RecordsProcessed = 1;
    }
}
