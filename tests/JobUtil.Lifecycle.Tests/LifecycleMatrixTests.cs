using JobUtil.Lifecycle.Tests.Hosts;
using JobUtil.Testing;
using JobUtil.Tests.Resilience;

namespace JobUtil.Lifecycle.Tests;

/// <summary>
/// The same lifecycle cases through every host of the lifecycle primitive: each host adapts
/// <see cref="Job.BeginRunAsync"/> and the run handle, so each must show the library's rules, not its own.
/// </summary>
[TestFixtureSource(typeof(LifecycleHost), nameof(LifecycleHost.All))]
public sealed class LifecycleMatrixTests(LifecycleHost host)
{
    private static readonly DateTimeOffset LastSuccess = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private FakeJobsApi _api = null!;

    [OneTimeSetUp]
    public void StartApi() => _api = FakeJobsApi.Start();

    [OneTimeTearDown]
    public void StopApi() => _api.Dispose();

    [SetUp]
    public void ResetApi() => _api.Reset();

    private FakeJobRow Row => _api.Rows.Single(r => r.Status != "success" || r.StartDate != LastSuccess);

    [Test]
    public async Task Success_is_recorded_with_the_count()
    {
        var result = await host.RunAsync(new HostRun(_api.Url, new Work.Succeed(42)));

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.False);
            Assert.That(Row.Status, Is.EqualTo("success"));
            Assert.That(Row.RecordsProcessed, Is.EqualTo(42));
            Assert.That((Row.Name, Row.Source, Row.Destination), Is.EqualTo(("orders", "crm", "warehouse")));
        });
    }

    [Test]
    public async Task Success_without_a_count_records_none()
    {
        await host.RunAsync(new HostRun(_api.Url, new Work.Succeed(null)));

        Assert.That(Row.Status, Is.EqualTo("success"));
        Assert.That(Row.RecordsProcessed, Is.Null);
    }

    [Test]
    public async Task A_failure_is_recorded_with_the_hosts_message_bounded_by_the_librarys_rule()
    {
        var message = "the source refused the connection " + new string('x', 10_000);

        var result = await host.RunAsync(new HostRun(_api.Url, new Work.Fail(message)));

        var expected = host.FailureMessage(message);
        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(Row.Status, Is.EqualTo("error"));
            Assert.That(Row.Message, Is.EqualTo(expected[..3999] + "…"), "4,000 characters, the last an ellipsis");
        });
    }

    [Test]
    public async Task A_short_failure_message_is_recorded_whole()
    {
        await host.RunAsync(new HostRun(_api.Url, new Work.Fail("disk full")));

        Assert.That(Row.Message, Is.EqualTo(host.FailureMessage("disk full")));
    }

    [Test]
    public async Task The_work_gets_the_watermark_with_the_lookback_taken_off()
    {
        SeedSuccess();

        var result = await host.RunAsync(new HostRun(_api.Url, new Work.Succeed(1), Lookback: TimeSpan.FromMinutes(10)));

        Assert.That(result.WorkRan, Is.True);
        Assert.That(result.Since, Is.EqualTo(LastSuccess.AddMinutes(-10)));
    }

    [Test]
    public async Task The_first_run_gets_no_watermark()
    {
        var result = await host.RunAsync(new HostRun(_api.Url, new Work.Succeed(1), Lookback: TimeSpan.FromMinutes(10)));

        Assert.That(result.WorkRan, Is.True);
        Assert.That(result.Since, Is.Null);
    }

    [TestCase(2_147_483_648L)]
    [TestCase(-1L)]
    public async Task A_count_the_column_cannot_hold_is_recorded_as_an_error_saying_so(long count)
    {
        var result = await host.RunAsync(new HostRun(_api.Url, new Work.Succeed(count)));

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(Row.Status, Is.EqualTo("error"));
            Assert.That(Row.Message, Is.EqualTo($"Run {Row.Id} of job 'orders' reported {count} records processed. The number of records processed must be from 0 to 2147483647 (the records_processed column is an INTEGER)."));
            Assert.That(Row.RecordsProcessed, Is.Null);
        });
    }

    [Test]
    public async Task When_the_start_is_refused_the_work_never_runs()
    {
        _api.FailNext(1, 403, "POST");

        var result = await host.RunAsync(new HostRun(_api.Url, new Work.Succeed(1)));

        Assert.Multiple(() =>
        {
            Assert.That(result.WorkRan, Is.False);
            Assert.That(result.Failed, Is.True);
            Assert.That(_api.Rows, Is.Empty);
            Assert.That(_api.Requests.Count(r => r.Method == "PATCH"), Is.Zero);
        });
    }

    private void SeedSuccess() => _api.Seed(new FakeJobRow
    {
        Name = "orders", Status = "success", Source = "crm", Destination = "warehouse",
        StartDate = LastSuccess, EndDate = LastSuccess.AddMinutes(5),
    });
}

/// <summary>
/// The lifecycle cases that only some hosts can take: a cancellation of their own that reaches the work, and a clock
/// the test gives their jobs. Each runs through every host that can take it.
/// </summary>
public sealed class LifecycleCapabilityTests
{
    private static IEnumerable<LifecycleHost> HostsThatCancelWork => LifecycleHost.All.Where(h => h.CancelsWork);

    private static IEnumerable<LifecycleHost> HostsThatTakeAClock => LifecycleHost.All.Where(h => h.TakesAClock);

    [TestCaseSource(nameof(HostsThatCancelWork))]
    public async Task The_hosts_cancellation_is_recorded_as_a_cancelled_run(LifecycleHost host)
    {
        using var api = FakeJobsApi.Start();

        await host.RunAsync(new HostRun(api.Url, new Work.WaitForCancellation()));

        Assert.That(api.Rows.Single().Status, Is.EqualTo("error"));
        Assert.That(api.Rows.Single().Message, Is.EqualTo("The run was cancelled."));
    }

    [TestCaseSource(nameof(HostsThatTakeAClock))]
    public async Task An_error_that_cannot_be_recorded_within_the_outcome_timeout_on_the_jobs_clock_leaves_the_host_free(LifecycleHost host)
    {
        // Its own server: the held PATCH is released when it stops, not applied to another test's table.
        using var api = FakeJobsApi.Start();
        api.DelayNext(1, TimeSpan.FromMinutes(5), "PATCH");
        var clock = new ObservableClock();
        var outcomeTimeout = TimeSpan.FromSeconds(7);

        var running = host.RunAsync(new HostRun(api.Url, new Work.Fail("disk full"), Clock: clock, OutcomeTimeout: outcomeTimeout));
        await clock.WaitForTimerAsync(outcomeTimeout);
        clock.Advance(outcomeTimeout);
        var result = await running;

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.RecordingFailure, Does.Contain("JobOptions.OutcomeTimeout"));
            Assert.That(api.Rows.Single().Status, Is.EqualTo("in_progress"), "left for recovery");
        });
    }
}
