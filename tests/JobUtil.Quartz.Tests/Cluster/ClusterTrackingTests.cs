using JobUtil.Testing;
using Npgsql;
using Quartz;

namespace JobUtil.Quartz.Tests.Cluster;

/// <summary>
/// Two scheduler instances with distinct instance ids, clustered over one PostgreSQL database (AdoJobStore with the
/// PostgreSQL delegate), tracking into one FakeJobsApi with the overlap guard on.
/// </summary>
public class ClusterTrackingTests
{
    private const string SchedulerName = "jobutil-cluster";
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Test]
    public async Task Fifty_firings_of_five_jobs_on_two_nodes_give_exactly_one_finished_run_each()
    {
        var connectionString = await QuartzClusterSetUp.CreateQuartzDatabaseAsync("quartz_fifty_firings");
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { OneRunInProgressPerName = true });
        var firings = new Firings();
        await using var node1 = await TrackedScheduler.StartAsync(api, firings, q => Clustered(q, "node-1", connectionString));
        await using var node2 = await TrackedScheduler.StartAsync(api, firings, q => Clustered(q, "node-2", connectionString));

        var jobs = Enumerable.Range(1, 5).Select(i => new JobKey($"cluster_job_{i}")).ToList();
        foreach (var key in jobs)
        {
            var job = JobBuilder.Create<ClusterJob>().WithIdentity(key).RequestRecovery().Build();
            var trigger = TriggerBuilder.Create().ForJob(job).StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMilliseconds(100)).WithRepeatCount(9))
                .Build();
            await node1.Scheduler.ScheduleJob(job, trigger);
        }

        var completions = new List<Completion>();
        for (var i = 0; i < 50; i++)
        {
            completions.Add(await firings.NextAsync(Deadline));
        }

        var rows = api.Rows;
        var executions = firings.Executions.ToList();
        Assert.Multiple(() =>
        {
            Assert.That(completions.Where(c => c.Exception is not null).Select(c => c.Exception!.ToString()), Is.Empty, "no firing failed, none was refused by the overlap guard");
            Assert.That(executions, Has.Count.EqualTo(50));
            Assert.That(executions.Select(e => (e.Job, e.ScheduledFireTime)).Distinct().Count(), Is.EqualTo(50), "each firing ran once");
            Assert.That(rows, Has.Count.EqualTo(50), "one run per firing");
            Assert.That(rows.Select(r => r.Id), Is.EquivalentTo(executions.Select(e => e.RunId)), "each run is the run of one firing");
            Assert.That(rows.Where(r => r.Status != "success"), Is.Empty, "nothing left in progress, nothing failed");
            Assert.That(rows.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Count()),
                Is.EqualTo(jobs.ToDictionary(j => j.Name, _ => 10)));
            Assert.That(executions.Select(e => e.InstanceId).Distinct(), Is.SubsetOf(new[] { "node-1", "node-2" }));
        });
        TestContext.Out.WriteLine("firings per node: " + string.Join(", ", executions.GroupBy(e => e.InstanceId).Select(g => $"{g.Key} {g.Count()}")));
    }

    /// <summary>A clustered AdoJobStore on PostgreSQL: one scheduler name, one instance id per node.</summary>
    internal static void Clustered(IQuartzBuilder quartz, string instanceId, string connectionString)
    {
        quartz.ConfigureScheduler(o =>
        {
            o.InstanceName = SchedulerName;
            o.InstanceId = instanceId;
            o.IdleWaitTime = TimeSpan.FromSeconds(1);
        });
        quartz.UseDefaultThreadPool(4);
        quartz.UsePersistentStore(store =>
        {
            store.UsePostgres(NpgsqlFactory.Instance, connectionString);
            store.ConfigureStore(o => o.TablePrefix = "qrtz_");
            store.UseClustering(c =>
            {
                c.CheckinInterval = TimeSpan.FromSeconds(1);
                c.CheckinMisfireThreshold = TimeSpan.FromSeconds(2);
            });
        });
    }
}
