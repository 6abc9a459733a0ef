using JobUtil.Testing;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Recovery;

/// <summary>Heartbeats: off by default; when on, a running run records heartbeat_at at each interval of the job's clock.</summary>
public sealed class HeartbeatTests : ApiFixture
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Without_an_interval_a_run_sends_no_host_and_no_heartbeat()
    {
        using var job = NewJob();
        await using var run = await job.StartRunAsync();
        Clock.Advance(TimeSpan.FromHours(1));

        Assert.Multiple(() =>
        {
            Assert.That(run.Heartbeats, Is.Null);
            Assert.That(Api.Requests.Single(r => r.Method == "POST").Body, Does.Not.Contain("host").And.Not.Contain("heartbeat_at"));
            Assert.That(Row.HeartbeatAt, Is.Null);
            Assert.That(Count("PATCH"), Is.Zero);
        });
    }

    [Test]
    public async Task A_run_records_its_host_at_start_and_a_heartbeat_at_each_interval_until_its_outcome()
    {
        using var job = NewJob(o => o.HeartbeatInterval = Interval);
        await using var run = await job.StartRunAsync();
        var start = run.Record.StartDate;
        Assert.That(Row.Host, Is.EqualTo(Environment.MachineName));
        Assert.That(Row.HeartbeatAt, Is.EqualTo(start));

        Clock.Advance(Interval);
        await run.Heartbeats!.Last;
        Assert.That(Row.HeartbeatAt, Is.EqualTo(start + Interval));

        Clock.Advance(Interval);
        await run.Heartbeats!.Last;
        Assert.That(Row.HeartbeatAt, Is.EqualTo(start + Interval + Interval));
        Assert.That(Api.Requests.Where(r => r.Method == "PATCH").Select(r => r.Query), Has.All.Contain("status=eq.in_progress"));

        await run.SucceedAsync(3);
        var patches = Count("PATCH");
        Clock.Advance(Interval * 4);
        await run.Heartbeats!.Last;

        Assert.That(Count("PATCH"), Is.EqualTo(patches), "no heartbeat after the outcome");
        Assert.That(Row.Status, Is.EqualTo("success"));
    }

    [Test]
    public async Task Disposing_the_handle_stops_the_heartbeats()
    {
        using var job = NewJob(o => o.HeartbeatInterval = Interval);
        var run = await job.StartRunAsync();
        await run.DisposeAsync();
        var patches = Count("PATCH");

        Clock.Advance(Interval * 3);

        Assert.That(Count("PATCH"), Is.EqualTo(patches));
    }

    [Test]
    public async Task RunAsync_sends_heartbeats_while_its_body_runs()
    {
        using var job = NewJob(o => o.HeartbeatInterval = Interval);

        await job.RunAsync((_, _) =>
        {
            Clock.Advance(Interval);
            return Task.FromResult(1L);
        });

        // The heartbeat was sent while the run was in progress, or matched nothing after its outcome: either way one was sent.
        Assert.That(Api.Requests.Count(r => r.Method == "PATCH" && r.Body!.Contains("heartbeat_at")), Is.EqualTo(1));
        Assert.That(Row.Status, Is.EqualTo("success"));
    }

    [Test]
    public async Task A_RunAsync_run_whose_error_could_not_be_recorded_stops_its_heartbeats_so_recovery_can_end_it()
    {
        using var job = NewJob(o => (o.HeartbeatInterval, o.OutcomeTimeout) = (Interval, TimeSpan.FromSeconds(1)));

        Api.FailNext(1, 400, "PATCH");
        Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((_, _) => Task.FromException<long>(new InvalidOperationException("boom"))));
        var patches = Count("PATCH");
        Clock.Advance(Interval * 3);

        Assert.That(Row.Status, Is.EqualTo("in_progress"));
        Assert.That(Count("PATCH"), Is.EqualTo(patches), "no heartbeat keeps the given-up run alive");
        Assert.That(await job.RecoverStaleRunsAsync(Interval * 2), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Disposing_the_job_stops_the_heartbeats_of_a_run_StartAsync_started()
    {
        var job = NewJob(o => o.HeartbeatInterval = Interval);
        await job.StartAsync();
        job.Dispose();
        var patches = Count("PATCH");

        Clock.Advance(Interval * 3);

        Assert.That(Count("PATCH"), Is.EqualTo(patches));
    }

    [Test]
    public async Task A_failed_heartbeat_is_logged_and_never_fails_the_run()
    {
        using var logs = new CapturingLoggerFactory();
        using var job = NewJob(o => o.HeartbeatInterval = Interval, logs: logs);
        await using var run = await job.StartRunAsync();
        var start = run.Record.StartDate;

        Api.FailNext(1, 500, "PATCH");
        Clock.Advance(Interval);
        await run.Heartbeats!.Last;
        Assert.That(logs.Entries.Select(e => e.EventName), Does.Contain("HeartbeatFailed"));
        Assert.That(Row.HeartbeatAt, Is.EqualTo(start));

        Clock.Advance(Interval);
        await run.Heartbeats!.Last;
        Assert.That(Row.HeartbeatAt, Is.EqualTo(start + Interval + Interval), "tried again at the next interval");

        await run.SucceedAsync(1);
        Assert.That(Row.Status, Is.EqualTo("success"));
    }

    [Test]
    public void A_table_without_the_heartbeat_columns_fails_the_start_naming_the_column_and_the_schema()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { HeartbeatColumns = false });
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0, HeartbeatInterval = Interval }, Http, Clock);

        var e = Assert.ThrowsAsync<JobsApiException>(() => job.StartRunAsync());

        Assert.That(e!.Message, Does.Contain("heartbeat_at").And.Contain("db/schema.sql").And.Contain("HeartbeatInterval"));
        Assert.That(api.Rows, Is.Empty);
    }

    [Test]
    public async Task A_table_without_the_heartbeat_columns_works_while_heartbeats_are_off()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { HeartbeatColumns = false });
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 }, Http, Clock);

        await job.RunAsync((_, _) => Task.FromResult(2L));

        Assert.That(api.Rows.Single().Status, Is.EqualTo("success"));
    }

    [TestCase("HeartbeatInterval")]
    [TestCase("RecoverStaleRunsOlderThan")]
    [TestCase("WatermarkLookback")]
    public void Invalid_settings_are_refused_before_anything_is_sent(string setting)
    {
        Action<JobOptions> configure = setting switch
        {
            "HeartbeatInterval" => o => o.HeartbeatInterval = TimeSpan.Zero,
            "RecoverStaleRunsOlderThan" => o => (o.HeartbeatInterval, o.RecoverStaleRunsOlderThan) = (TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(90)),
            _ => o => o.WatermarkLookback = TimeSpan.FromMinutes(-1),
        };

        var e = Assert.Throws<ArgumentException>(() => NewJob(configure));

        Assert.That(e!.Message, Does.Contain(setting));
        Assert.That(Api.Requests, Is.Empty);
    }
}
