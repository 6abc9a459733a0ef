using JobUtil.Testing;
using JobUtil.Tests.Support;
using Microsoft.Extensions.Logging;

namespace JobUtil.Tests.Run;

/// <summary>
/// The lifecycle primitive every host uses: BeginRunAsync (recovery, watermark with lookback, start), then FinishAsync
/// or TryFailAsync, which hold the rules (message, count range, outcome timeout on the job's clock) once.
/// </summary>
public sealed class BeginRunTests : ApiFixture
{
    private static readonly DateTimeOffset LastSuccess = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Since_is_the_watermark_minus_the_lookback()
    {
        SeedSuccess();
        using var job = NewJob(o => o.WatermarkLookback = TimeSpan.FromMinutes(10));

        await using var run = await job.BeginRunAsync();

        Assert.Multiple(() =>
        {
            Assert.That(run.Since, Is.EqualTo(LastSuccess.AddMinutes(-10)));
            Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "GET", "POST" }), "the watermark is read before the start");
            Assert.That(job.Current, Is.Null, "a begun run is a handle, not the job's current run");
        });
    }

    [Test]
    public async Task Since_is_null_on_the_first_run_whatever_the_lookback()
    {
        using var job = NewJob(o => o.WatermarkLookback = TimeSpan.FromMinutes(10));

        await using var run = await job.BeginRunAsync();

        Assert.That(run.Since, Is.Null);
    }

    [Test]
    public async Task A_lookback_longer_than_the_watermark_is_old_stops_at_the_earliest_instant()
    {
        Api.Seed(new FakeJobRow { Name = "orders", Status = "success", Source = "crm", Destination = "warehouse", StartDate = DateTimeOffset.MinValue.AddDays(1), EndDate = DateTimeOffset.MinValue.AddDays(1) });
        using var job = NewJob(o => o.WatermarkLookback = TimeSpan.FromDays(30));

        await using var run = await job.BeginRunAsync();

        Assert.That(run.Since, Is.EqualTo(DateTimeOffset.MinValue));
    }

    [Test]
    public async Task Handles_from_StartRunAsync_and_OpenRunAsync_read_no_watermark()
    {
        SeedSuccess();
        using var job = NewJob();

        await using var started = await job.StartRunAsync();
        await using var opened = await job.OpenRunAsync(started.Id);

        Assert.Multiple(() =>
        {
            Assert.That(started.Since, Is.Null);
            Assert.That(opened.Since, Is.Null);
            Assert.That(Count("GET"), Is.EqualTo(1), "only the open's read of the run");
        });
    }

    [Test]
    public async Task Recovery_comes_before_the_watermark_read_and_the_start()
    {
        using var job = NewJob(o => o.RecoverStaleRunsOlderThan = TimeSpan.FromHours(1));

        await using var run = await job.BeginRunAsync();

        var paths = Api.Requests.Select(r => r.Method + " " + r.Query).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(paths, Has.Count.EqualTo(3));
            Assert.That(paths[0], Does.Contain("heartbeat_at"), "recovery looks for stale runs first");
            Assert.That(paths[1], Does.StartWith("GET").And.Contain("status=eq.success"), "then the watermark");
            Assert.That(paths[2], Does.StartWith("POST"));
        });
    }

    [Test]
    public void When_the_start_is_refused_nothing_is_left_to_end()
    {
        Api.FailNext(1, 403, "POST");
        using var job = NewJob();

        Assert.ThrowsAsync<JobsApiException>(() => job.BeginRunAsync());

        Assert.Multiple(() =>
        {
            Assert.That(Api.Rows, Is.Empty);
            Assert.That(Count("PATCH"), Is.Zero);
        });
    }

    [Test]
    public async Task FinishAsync_records_success_with_the_count_without_the_callers_token()
    {
        using var job = NewJob();
        var run = await job.BeginRunAsync();

        var done = await run.FinishAsync(503, "copied");

        Assert.Multiple(() =>
        {
            Assert.That(done.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(Row.RecordsProcessed, Is.EqualTo(503));
            Assert.That(Row.Message, Is.EqualTo("copied"));
            Assert.That(run.HasOutcome, Is.True);
        });
    }

    [TestCase(-1L)]
    [TestCase(2_147_483_648L)]
    public async Task FinishAsync_with_a_count_out_of_range_records_an_error_that_says_so_and_throws_it(long count)
    {
        using var job = NewJob();
        var run = await job.BeginRunAsync();

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => run.FinishAsync(count));

        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Message, Does.Contain($"run {run.Id} of job 'orders'").IgnoreCase.And.Contain(count.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("2147483647"));
            Assert.That(Row.Status, Is.EqualTo("error"));
            Assert.That(Row.Message, Is.EqualTo(thrown.Message));
            Assert.That(Row.RecordsProcessed, Is.Null);
        });
    }

    [Test]
    public async Task TryFailAsync_records_the_type_and_message_bounded()
    {
        using var job = NewJob();
        var run = await job.BeginRunAsync();

        var recorded = await run.TryFailAsync(new IOException(new string('x', 20_000)));

        Assert.Multiple(() =>
        {
            Assert.That(recorded, Is.True);
            Assert.That(Row.Status, Is.EqualTo("error"));
            Assert.That(Row.Message, Does.StartWith("System.IO.IOException: xxx").And.EndWith("…").And.Length.EqualTo(4000));
            Assert.That(run.RecordingFailure, Is.Null);
        });
    }

    [Test]
    public async Task TryFailAsync_describes_the_failure_it_is_given_and_unwraps_nothing()
    {
        using var job = NewJob();
        var run = await job.BeginRunAsync();

        await run.TryFailAsync(new AggregateException("wrapper", new IOException("disk full")));

        Assert.That(Row.Message, Does.StartWith("System.AggregateException: wrapper"));
    }

    [Test]
    public async Task TryFailAsync_with_a_context_records_it_before_the_description_and_bounds_the_whole()
    {
        using var job = NewJob();
        var shortRun = await job.BeginRunAsync();
        var longRun = await job.BeginRunAsync();

        await shortRun.TryFailAsync(new IOException("disk full"), "Attempt 2 (Hangfire job 17)");
        await longRun.TryFailAsync(new IOException(new string('x', 20_000)), "Attempt 3");

        Assert.Multiple(() =>
        {
            Assert.That(Api.Rows.Single(r => r.Id == shortRun.Id).Message, Is.EqualTo("Attempt 2 (Hangfire job 17): System.IO.IOException: disk full"));
            Assert.That(Api.Rows.Single(r => r.Id == longRun.Id).Message, Does.StartWith("Attempt 3: System.IO.IOException: xxx").And.EndWith("…").And.Length.EqualTo(4000));
        });
    }

    [Test]
    public async Task TryFailAsync_writes_the_cancellation_message_only_for_the_hosts_own_cancellation()
    {
        using var job = NewJob();
        var cancelled = await job.BeginRunAsync();
        var notCancelled = await job.BeginRunAsync();
        var notACancellation = await job.BeginRunAsync();

        await cancelled.TryFailAsync(new TaskCanceledException("a task was cancelled"), cancelled: true);
        await notCancelled.TryFailAsync(new TaskCanceledException("the HTTP call timed out"), cancelled: false);
        await notACancellation.TryFailAsync(new IOException("disk full"), cancelled: true);

        var messages = Api.Rows.OrderBy(r => r.Id).Select(r => r.Message).ToList();
        Assert.That(messages, Is.EqualTo(new[]
        {
            "The run was cancelled.",
            "System.Threading.Tasks.TaskCanceledException: the HTTP call timed out",
            "System.IO.IOException: disk full",
        }));
    }

    [Test]
    public async Task TryFailAsync_never_throws_logs_once_and_says_what_prevented_recording()
    {
        var logs = new CapturingLoggerFactory();
        using var job = NewJob(logs: logs);
        var run = await job.BeginRunAsync();
        Api.FailNext(1, 400, "PATCH");
        var failure = new IOException("disk full");

        var recorded = await run.TryFailAsync(failure);
        await run.DisposeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(recorded, Is.False);
            Assert.That(run.RecordingFailure, Is.InstanceOf<JobsApiException>().With.Property(nameof(JobsApiException.Status)).EqualTo(400));
            Assert.That(failure.Data[Job.RecordingFailureKey], Is.SameAs(run.RecordingFailure));
            Assert.That(logs.Entries.Count(e => e.EventName == "OutcomeNotRecorded"), Is.EqualTo(1), "logged once, and disposing the given-up run tries nothing more");
            Assert.That(Count("PATCH"), Is.EqualTo(1));
            Assert.That(Row.Status, Is.EqualTo("in_progress"));
        });
    }

    [Test]
    public async Task TryFailAsync_is_bounded_by_the_outcome_timeout_on_the_jobs_clock()
    {
        // Its own server: the held PATCH is released when it stops, not applied to the next test's table.
        using var api = FakeJobsApi.Start();
        var outcomeTimeout = TimeSpan.FromSeconds(7);
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0, OutcomeTimeout = outcomeTimeout }, Http, Clock);
        var run = await job.BeginRunAsync();
        api.DelayNext(1, TimeSpan.FromMinutes(5), "PATCH");

        var failing = run.TryFailAsync(new IOException("disk full"));
        await Clock.WaitForTimerAsync(outcomeTimeout);
        Clock.Advance(outcomeTimeout);

        Assert.Multiple(async () =>
        {
            Assert.That(await failing, Is.False);
            Assert.That(run.RecordingFailure, Is.InstanceOf<JobsApiException>().With.Message.Contains("JobOptions.OutcomeTimeout"));
        });
    }

    [Test]
    public async Task A_host_words_its_own_failure_and_the_message_is_bounded()
    {
        using var job = NewJob();
        var run = await job.BeginRunAsync();

        Assert.That(await run.TryFailAsync("exit code 3: " + new string('y', 5000)), Is.True);

        Assert.That(Row.Message, Does.StartWith("exit code 3: yyy").And.Length.EqualTo(4000).And.EndWith("…"));
    }

    [Test]
    public async Task After_an_outcome_could_not_be_recorded_the_run_is_given_up_and_stops_its_heartbeats()
    {
        using var job = NewJob(o => o.HeartbeatInterval = TimeSpan.FromSeconds(30));
        var run = await job.BeginRunAsync();
        Api.FailNext(1, 400, "PATCH");

        Assert.ThrowsAsync<JobsApiException>(() => run.FinishAsync(1));
        var sent = Api.Requests.Count;
        Clock.Advance(TimeSpan.FromMinutes(5));

        // The timer fires within Advance: a heartbeat due then would be Last, and complete once it reached the fake.
        await run.Heartbeats!.Last;
        Assert.Multiple(() =>
        {
            Assert.That(run.RecordingFailure, Is.InstanceOf<JobsApiException>());
            Assert.That(Api.Requests, Has.Count.EqualTo(sent), "no heartbeat after the run was given up");
        });
    }

    private void SeedSuccess() => Api.Seed(new FakeJobRow
    {
        Name = "orders", Status = "success", Source = "crm", Destination = "warehouse",
        StartDate = LastSuccess, EndDate = LastSuccess.AddMinutes(5),
    });
}
