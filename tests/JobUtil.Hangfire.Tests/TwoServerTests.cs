using Hangfire;
using JobUtil.Testing;

namespace JobUtil.Hangfire.Tests;

/// <summary>Two Hangfire servers (two hosts) in one process over one PostgreSQL storage, tracking into one FakeJobsApi.</summary>
public class TwoServerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Fifty_executions_of_five_jobs_on_two_servers_give_exactly_fifty_finished_runs()
    {
        using var api = FakeJobsApi.Start();
        var storage = HangfireSetUp.NewSchema();
        var signals = new Signals();
        await using var server1 = await TestServer.StartAsync("server-1", api.Url, storage, signals);
        await using var server2 = await TestServer.StartAsync("server-2", api.Url, storage, signals);

        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(server1.Client.Enqueue<FiveJobs>(j => j.One(null)));
            ids.Add(server2.Client.Enqueue<FiveJobs>(j => j.Two(null)));
            ids.Add(server1.Client.Enqueue<FiveJobs>(j => j.Three(null)));
            ids.Add(server2.Client.Enqueue<FiveJobs>(j => j.Four(null)));
            ids.Add(server1.Client.Enqueue<FiveJobs>(j => j.Five(null)));
        }

        var completions = await signals.NextAsync(50, Deadline);

        var rows = api.Rows;
        var executions = signals.Executions.ToList();
        Assert.Multiple(() =>
        {
            Assert.That(completions.Where(c => c.Exception is not null).Select(c => c.Exception!.ToString()), Is.Empty, "no execution failed");
            Assert.That(executions.Select(e => e.JobId), Is.EquivalentTo(ids), "each enqueued job ran once");
            Assert.That(rows, Has.Count.EqualTo(50), "one run per execution");
            Assert.That(rows.Select(r => r.Id), Is.EquivalentTo(executions.Select(e => e.Run!.RunId)), "each run is the run of one execution");
            Assert.That(rows.Where(r => r.Status != "success"), Is.Empty, "nothing left in progress, nothing failed");
            Assert.That(rows.Where(r => r.RecordsProcessed != 1), Is.Empty);
            Assert.That(rows.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Count()),
                Is.EqualTo(new[] { "One", "Two", "Three", "Four", "Five" }.ToDictionary(m => "FiveJobs." + m, _ => 10)));
        });
        TestContext.Out.WriteLine("executions per server: " + string.Join(", ", executions.GroupBy(e => e.ServerId?.Split(':')[0]).Select(g => $"{g.Key} {g.Count()}")));
    }

    [Test]
    public async Task A_recurring_job_triggered_ten_times_gives_ten_runs_under_its_recurring_id()
    {
        using var api = FakeJobsApi.Start();
        var storage = HangfireSetUp.NewSchema();
        var signals = new Signals();
        await using var server1 = await TestServer.StartAsync("server-1", api.Url, storage, signals);
        await using var server2 = await TestServer.StartAsync("server-2", api.Url, storage, signals);

        server1.RecurringJobs.AddOrUpdate<TrackedJobs>("nightly-orders", j => j.ReturnsIntAsync(3, null), Cron.Never());
        for (var i = 0; i < 10; i++)
        {
            server1.RecurringJobs.Trigger("nightly-orders");
        }

        var completions = await signals.NextAsync(10, Deadline);

        Assert.That(completions.Select(c => c.Exception), Has.All.Null);
        Assert.That(api.Rows.Select(r => (r.Name, r.Status, r.RecordsProcessed)), Is.EqualTo(Enumerable.Repeat(("nightly-orders", "success", (int?)3), 10)));
        Assert.That(signals.Executions.Select(e => e.JobId).Distinct().Count(), Is.EqualTo(10), "ten Hangfire jobs, one run each");
    }
}
