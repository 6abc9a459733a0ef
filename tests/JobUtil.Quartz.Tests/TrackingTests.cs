using JobUtil.Testing;
using Quartz;

namespace JobUtil.Quartz.Tests;

/// <summary>A tracked Quartz job's firing, on an in-memory scheduler, against FakeJobsApi.</summary>
public class TrackingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset LastSuccess = DateTimeOffset.Parse("2024-03-01T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private FakeJobsApi _api = null!;
    private Firings _firings = null!;

    [OneTimeSetUp] public void StartApi() => _api = FakeJobsApi.Start();

    [OneTimeTearDown] public void StopApi() => _api.Dispose();

    [SetUp]
    public void Reset()
    {
        _api.Reset();
        _firings = new Firings();
    }

    [Test]
    public async Task A_tracked_job_gets_its_watermark_and_its_reported_count_is_recorded_as_success()
    {
        _api.Seed(Success("counting", "crm", "warehouse"));
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<CountingJob>(new JobKey("counting"), new JobDataMap { ["count"] = 42L });
        var completion = await _firings.NextAsync(Deadline);

        Assert.That(completion.Exception, Is.Null);
        var execution = _firings.Executions.Single();
        Assert.That(execution.Watermark, Is.EqualTo(LastSuccess));
        var run = _api.Rows.Last();
        Assert.Multiple(() =>
        {
            Assert.That(run.Id, Is.EqualTo(execution.RunId));
            Assert.That(run.Name, Is.EqualTo("counting"));
            Assert.That(run.Source, Is.EqualTo("crm"));
            Assert.That(run.Destination, Is.EqualTo("warehouse"));
            Assert.That(run.Status, Is.EqualTo("success"));
            Assert.That(run.RecordsProcessed, Is.EqualTo(42));
        });
        Assert.That(_api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "GET", "POST", "PATCH" }), "watermark, start, outcome: the run started before the job ran");
    }

    [Test]
    public async Task A_first_run_has_no_watermark_and_a_job_that_reports_no_count_records_none()
    {
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<QuietJob>(new JobKey("quiet"));
        await _firings.NextAsync(Deadline);

        Assert.That(_firings.Executions.Single().Watermark, Is.Null);
        Assert.That(_api.Rows.Single().Status, Is.EqualTo("success"));
        Assert.That(_api.Rows.Single().RecordsProcessed, Is.Null);
    }

    [TestCase("plain")]
    [TestCase("quartz")]
    public async Task A_failing_job_is_recorded_as_error_with_its_exception_and_Quartz_still_sees_the_failure(string how)
    {
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<FailingJob>(new JobKey("failing"), new JobDataMap { ["throw"] = how });
        var completion = await _firings.NextAsync(Deadline);

        Assert.That(completion.Exception, Is.Not.Null);
        Assert.That(Cause(completion.Exception), Is.InstanceOf<InvalidOperationException>());
        var run = _api.Rows.Single();
        Assert.That(run.Status, Is.EqualTo("error"));
        Assert.That(run.Message, Is.EqualTo("System.InvalidOperationException: the source refused the connection"));
        Assert.That(run.EndDate, Is.Not.Null);
    }

    [Test]
    public async Task An_interrupted_firing_is_recorded_as_a_cancelled_run()
    {
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<WaitingJob>(new JobKey("waiting"));
        var started = await _firings.NextStartedAsync(Deadline);
        Assert.That(_api.Rows.Single(r => r.Id == started.RunId).Status, Is.EqualTo("in_progress"));
        await scheduler.Scheduler.Interrupt(new JobKey("waiting"));
        await _firings.NextAsync(Deadline);   // Quartz counts an interrupted job as cancelled, not as failed

        var run = _api.Rows.Single();
        Assert.That(run.Status, Is.EqualTo("error"));
        Assert.That(run.Message, Is.EqualTo("The run was cancelled."));
    }

    [Test]
    public async Task A_failed_run_does_not_move_the_watermark_of_the_next_firing()
    {
        _api.Seed(Success("failing", "default_source", "default_destination"));
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<FailingJob>(new JobKey("failing"));
        await _firings.NextAsync(Deadline);
        await scheduler.FireAsync<FailingJob>(new JobKey("failing"));
        await _firings.NextAsync(Deadline);

        Assert.That(_firings.Executions.Select(e => e.Watermark), Is.EqualTo(new DateTimeOffset?[] { LastSuccess, LastSuccess }));
    }

    [Test]
    public async Task A_count_out_of_the_columns_range_fails_the_run()
    {
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<CountingJob>(new JobKey("counting"), new JobDataMap { ["count"] = -1L });
        var completion = await _firings.NextAsync(Deadline);

        Assert.That(Cause(completion.Exception), Is.InstanceOf<InvalidOperationException>().With.Message.Contains("-1").And.Message.Contains("2147483647"));
        Assert.That(_api.Rows.Single().Status, Is.EqualTo("error"));
        Assert.That(_api.Rows.Single().Message, Is.EqualTo(Cause(completion.Exception)!.Message), "the library's rule and wording, as every host records it");
    }

    [Test]
    public async Task An_untracked_job_runs_without_touching_the_Jobs_API()
    {
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings);

        await scheduler.FireAsync<PlainJob>(new JobKey("plain"));
        var completion = await _firings.NextAsync(Deadline);

        Assert.That(completion.Exception, Is.Null);
        Assert.That(_firings.Executions.Single().Run, Is.Null);
        Assert.That(_api.Requests, Is.Empty);
    }

    [Test]
    public async Task A_vetoed_firing_records_nothing()
    {
        await using var scheduler = await TrackedScheduler.StartAsync(_api, _firings,
            q => q.AddTriggerListener(new VetoEverything(), [Matchers.AllTriggers()]));

        await scheduler.FireAsync<CountingJob>(new JobKey("counting"));
        var completion = await _firings.NextAsync(Deadline);

        Assert.That(completion.Vetoed, Is.True);
        Assert.That(_firings.Executions, Is.Empty);
        Assert.That(_api.Requests, Is.Empty);
    }

    private sealed class VetoEverything : ITriggerListener
    {
        public string Name => "veto-everything";

        public ValueTask<bool> VetoJobExecution(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken = default) => new(true);
    }

    /// <summary>What the job threw, under the exceptions Quartz wraps it in.</summary>
    internal static Exception? Cause(Exception? exception)
    {
        while (exception is SchedulerException { InnerException: { } inner })
        {
            exception = inner;
        }

        return exception;
    }

    private static FakeJobRow Success(string name, string source, string destination) => new()
    {
        Name = name, Status = "success", Source = source, Destination = destination,
        StartDate = LastSuccess, EndDate = LastSuccess.AddMinutes(5), RecordsProcessed = 3,
    };
}
