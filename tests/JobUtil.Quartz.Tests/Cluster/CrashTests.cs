using System.Globalization;
using JobUtil.Testing;
using Quartz;

namespace JobUtil.Quartz.Tests.Cluster;

/// <summary>A node killed mid-run: Quartz's recovery re-runs the firing on the other node.</summary>
public class CrashTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);
    private static readonly DateTimeOffset LastSuccess = DateTimeOffset.Parse("2024-03-01T02:00:00Z", CultureInfo.InvariantCulture);

    [Test]
    public async Task A_firing_whose_node_is_killed_mid_run_is_recovered_on_the_other_node_with_the_same_watermark()
    {
        var connectionString = await QuartzClusterSetUp.CreateQuartzDatabaseAsync("quartz_crash");
        // The overlap guard is off: with it on, the recovered firing would be refused for as long as the killed run
        // stays in progress (see below).
        using var api = FakeJobsApi.Start();
        api.Seed(new FakeJobRow
        {
            Name = "crash_job", Status = "success", Source = "cluster_source", Destination = "cluster_destination",
            StartDate = LastSuccess, EndDate = LastSuccess.AddMinutes(1),
        });
        var firings = new Firings();

        // Node B exists (to schedule into the shared store) but does not run jobs until node A is dead.
        await using var nodeB = await TrackedScheduler.CreateAsync(api.Url, firings, q => ClusterTrackingTests.Clustered(q, "node-b", connectionString), start: false);
        using var nodeA = ClusterNode.Start("node-a", connectionString, api.Url);
        try
        {
            var job = JobBuilder.Create<CrashJob>().WithIdentity("crash_job").RequestRecovery().Build();
            await nodeB.Scheduler.ScheduleJob(job, TriggerBuilder.Create().ForJob(job).StartNow().Build());

            var started = await ReadStartedLineAsync(nodeA);
            var killedRunId = long.Parse(started[1], CultureInfo.InvariantCulture);
            Assert.That(started[2], Is.EqualTo(LastSuccess.ToString("O", CultureInfo.InvariantCulture)), "node A's run got the watermark");

            nodeA.Kill(entireProcessTree: true);
            await nodeA.WaitForExitAsync();
            await nodeB.Scheduler.Start();

            var completion = await firings.NextAsync(Deadline);

            Assert.That(completion.Exception, Is.Null);
            var recovered = firings.Executions.Single();
            Assert.Multiple(() =>
            {
                Assert.That(recovered.InstanceId, Is.EqualTo("node-b"));
                Assert.That(recovered.Watermark, Is.EqualTo(LastSuccess), "the killed run never succeeded, so the watermark did not move");
                Assert.That(recovered.RunId, Is.Not.EqualTo(killedRunId));
                Assert.That(api.Rows.Single(r => r.Id == recovered.RunId).Status, Is.EqualTo("success"));

                // The killed run is ended by nobody yet: ending it as error needs run heartbeats and stale-run recovery
                // in the client. Once they exist, this becomes: recovery ends it as error, once.
                Assert.That(api.Rows.Single(r => r.Id == killedRunId).Status, Is.EqualTo("in_progress"));
            });
        }
        finally
        {
            if (!nodeA.HasExited)
            {
                nodeA.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Waits for node A's job to announce its run: <c>started RUN_ID WATERMARK</c>.</summary>
    private static async Task<string[]> ReadStartedLineAsync(System.Diagnostics.Process node)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (await node.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith(ClusterNode.StartedLine + " ", StringComparison.Ordinal))
            {
                return line.Split(' ');
            }
        }

        throw new InvalidOperationException($"Node A exited ({node.ExitCode}) before its job started: {await node.StandardError.ReadToEndAsync()}");
    }
}
