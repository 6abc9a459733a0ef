using System.Globalization;
using JobUtil.Testing;
using Quartz;

namespace JobUtil.Quartz.Tests.Cluster;

/// <summary>
/// A node killed mid-run: its heartbeats stop, JobUtil's recovery ends its run as error, and Quartz's recovery re-runs
/// the firing on the other node with the same watermark, the overlap guard on. Staleness is real time here (the node
/// is a process of its own), so the test waits on the rows with a deadline.
/// </summary>
public class CrashTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(3);
    private static readonly DateTimeOffset LastSuccess = DateTimeOffset.Parse("2024-03-01T02:00:00Z", CultureInfo.InvariantCulture);

    [Test]
    public async Task A_firing_whose_node_is_killed_mid_run_is_ended_by_recovery_and_re_run_on_the_other_node_with_the_same_watermark()
    {
        var connectionString = await QuartzClusterSetUp.CreateQuartzDatabaseAsync("quartz_crash");
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { OneRunInProgressPerName = true });
        using var http = new HttpClient();
        var fleet = new JobFleet(new JobOptions { Url = api.Url, MaxRetryAttempts = 0 }, http);
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

            // Alive: node A's run sends heartbeats.
            await UntilAsync(() => Task.FromResult(api.Rows.Single(r => r.Id == killedRunId) is { HeartbeatAt: { } beat } row && beat > row.StartDate));
            nodeA.Kill(entireProcessTree: true);
            await nodeA.WaitForExitAsync();
            var lastBeat = api.Rows.Single(r => r.Id == killedRunId).HeartbeatAt;

            // Recovery ends nothing until the run has been silent for StaleAfter, then ends it; a second pass ends nothing.
            IReadOnlyList<JobRecord> ended = [];
            await UntilAsync(async () => (ended = await fleet.RecoverStaleRunsAsync(StaleAfter, ["crash_job"])).Count > 0);
            var again = await fleet.RecoverStaleRunsAsync(StaleAfter);
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

                var killed = api.Rows.Single(r => r.Id == killedRunId);
                Assert.That(ended.Select(r => r.Id), Is.EqualTo(new[] { killedRunId }), "recovery ended the killed run");
                Assert.That(again, Is.Empty, "once");
                Assert.That(killed.Status, Is.EqualTo("error"));
                Assert.That(killed.Message, Does.StartWith("abandoned: last seen ").And.Contain("its last heartbeat"));
                Assert.That(killed.HeartbeatAt, Is.EqualTo(lastBeat), "its heartbeats stopped with the node");
                Assert.That(api.Rows, Has.Count.EqualTo(3), "the seeded success, the killed run, the recovered firing's run");
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

    /// <summary>Polls <paramref name="done"/> until it holds, failing after the deadline.</summary>
    private static async Task UntilAsync(Func<Task<bool>> done)
    {
        var since = System.Diagnostics.Stopwatch.StartNew();
        while (!await done())
        {
            if (since.Elapsed > Deadline)
            {
                Assert.Fail("the state awaited did not arrive within the deadline");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
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
