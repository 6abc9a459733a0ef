using JobUtil.Testing;
using JobUtil.Tests.Support;
using Microsoft.Extensions.Logging;

namespace JobUtil.Tests.Run;

/// <summary>RunAsync: watermark in, one run started, the body's outcome recorded, the body's exception never replaced.</summary>
public sealed class RunAsyncTests : ApiFixture
{
    [Test]
    public async Task Success_passes_the_watermark_to_the_body_and_records_success_with_its_count()
    {
        Api.Seed(new FakeJobRow
        {
            Name = "orders", Status = "success", Source = "crm", Destination = "warehouse",
            StartDate = new DateTimeOffset(2019, 6, 20, 22, 18, 46, TimeSpan.Zero), EndDate = new DateTimeOffset(2019, 6, 20, 22, 20, 0, TimeSpan.Zero),
        });
        using var job = NewJob();
        DateTimeOffset? seen = null;

        var count = await job.RunAsync((since, _) =>
        {
            seen = since;
            return Task.FromResult(503L);
        });

        var run = Api.Rows.Last();
        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(503));
            Assert.That(seen, Is.EqualTo(new DateTimeOffset(2019, 6, 20, 22, 18, 46, TimeSpan.Zero)));
            Assert.That(run.Status, Is.EqualTo("success"));
            Assert.That(run.RecordsProcessed, Is.EqualTo(503));
            Assert.That(job.Current!.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "GET", "POST", "PATCH" }));
        });
    }

    [Test]
    public async Task First_run_gets_a_null_watermark()
    {
        using var job = NewJob();
        DateTimeOffset? seen = DateTimeOffset.MaxValue;

        await job.RunAsync((since, _) =>
        {
            seen = since;
            return Task.FromResult(0L);
        });

        Assert.That(seen, Is.Null);
    }

    [Test]
    public async Task A_method_group_returning_an_int_count_records_it()
    {
        using var job = NewJob();

        int count = await job.RunAsync(LoadIntAsync);

        Assert.That(count, Is.EqualTo(42));
        Assert.That(Row.RecordsProcessed, Is.EqualTo(42));
    }

    [Test]
    public async Task A_lambda_returning_an_int_count_records_it()
    {
        using var job = NewJob();

        var count = await job.RunAsync((since, ct) => LoadIntAsync(since, ct));

        Assert.That(count, Is.EqualTo(42));
        Assert.That(Row.RecordsProcessed, Is.EqualTo(42));
    }

    [Test]
    public async Task A_body_returning_a_plain_task_records_success_without_a_count()
    {
        using var job = NewJob();
        var ran = false;

        await job.RunAsync((_, _) =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        Assert.Multiple(() =>
        {
            Assert.That(ran, Is.True);
            Assert.That(Row.Status, Is.EqualTo("success"));
            Assert.That(Row.RecordsProcessed, Is.Null);
        });
    }

    private static IEnumerable<TestCaseData> FailingBodies()
    {
        yield return new TestCaseData((Func<Job, Exception, Task>)((job, e) => job.RunAsync((_, _) => Throw<long>(e)))).SetName("{m}(a body with a long count)");
        yield return new TestCaseData((Func<Job, Exception, Task>)((job, e) => job.RunAsync((_, _) => Throw<int>(e)))).SetName("{m}(a body with an int count)");
        yield return new TestCaseData((Func<Job, Exception, Task>)((job, e) => job.RunAsync((_, _) => (Task)Throw<long>(e)))).SetName("{m}(a body without a count)");
    }

    [TestCaseSource(nameof(FailingBodies))]
    public void A_failing_body_is_recorded_as_error_and_the_same_exception_object_is_rethrown(Func<Job, Exception, Task> run)
    {
        using var job = NewJob();
        var original = new InvalidDataException("A database error occurred.");

        var thrown = Assert.ThrowsAsync<InvalidDataException>(() => run(job, original));

        Assert.Multiple(() =>
        {
            Assert.That(thrown, Is.SameAs(original));
            Assert.That(thrown!.StackTrace, Does.Contain(nameof(Throw)), "the original stack trace is kept");
            Assert.That(Row.Status, Is.EqualTo("error"));
            Assert.That(Row.Message, Is.EqualTo("System.IO.InvalidDataException: A database error occurred."));
            Assert.That(thrown.Data.Contains(Job.RecordingFailureKey), Is.False);
        });
    }

    [Test]
    public void Recorded_error_message_is_bounded_in_length()
    {
        using var job = NewJob();

        Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((_, _) => Throw<long>(new InvalidOperationException(new string('x', 20_000)))));

        Assert.That(Row.Message, Has.Length.EqualTo(4000).And.EndWith("…"));
    }

    [Test]
    public void When_recording_the_error_fails_the_original_exception_is_still_thrown_and_carries_the_recording_failure()
    {
        Api.FailNext(1, 400, "PATCH");
        var logs = new CapturingLoggerFactory();
        using var job = NewJob(logs: logs);
        var original = new TimeoutException("source timed out");

        var thrown = Assert.ThrowsAsync<TimeoutException>(() => job.RunAsync((_, _) => Throw<long>(original)));

        Assert.Multiple(() =>
        {
            Assert.That(thrown, Is.SameAs(original));
            Assert.That(thrown!.Data[Job.RecordingFailureKey], Is.InstanceOf<JobsApiException>().With.Property(nameof(JobsApiException.Status)).EqualTo(400));
            Assert.That(logs.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.EventName), Does.Contain("OutcomeNotRecorded"));
        });
    }

    [Test]
    public void Caller_cancellation_records_the_run_as_cancelled_and_propagates()
    {
        using var job = NewJob();
        using var cts = new CancellationTokenSource();

        Assert.CatchAsync<OperationCanceledException>(() => job.RunAsync(
            async (_, ct) =>
            {
                await cts.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
                return 1L;
            },
            cts.Token));

        Assert.Multiple(() =>
        {
            Assert.That(Row.Status, Is.EqualTo("error"));
            Assert.That(Row.Message, Is.EqualTo("The run was cancelled."));
        });
    }

    [Test]
    public void When_start_fails_the_body_never_runs()
    {
        Api.FailNext(1, 403, "POST");
        using var job = NewJob();
        var called = false;

        var thrown = Assert.ThrowsAsync<JobsApiException>(() => job.RunAsync((_, _) =>
        {
            called = true;
            return Task.FromResult(1L);
        }));

        Assert.Multiple(() =>
        {
            Assert.That(called, Is.False);
            Assert.That(thrown!.Status, Is.EqualTo(403));
            Assert.That(Count("PATCH"), Is.Zero);
        });
    }

    [Test]
    public void When_the_watermark_cannot_be_read_nothing_is_started()
    {
        Api.FailNext(1, 400, "GET");
        using var job = NewJob();
        var called = false;

        Assert.ThrowsAsync<JobsApiException>(() => job.RunAsync((_, _) =>
        {
            called = true;
            return Task.FromResult(1L);
        }));

        Assert.Multiple(() =>
        {
            Assert.That(called, Is.False);
            Assert.That(Count("POST"), Is.Zero);
        });
    }

    [Test]
    public void Null_body_is_rejected_before_anything_is_sent()
    {
        using var job = NewJob();

        Assert.Multiple(() =>
        {
            Assert.That(() => job.RunAsync((Func<DateTimeOffset?, CancellationToken, Task<long>>)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("body"));
            Assert.That(() => job.RunAsync((Func<DateTimeOffset?, CancellationToken, Task<int>>)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("body"));
            Assert.That(() => job.RunAsync((Func<DateTimeOffset?, CancellationToken, Task>)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("body"));
            Assert.That(Api.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task A_success_that_cannot_be_recorded_in_time_is_a_timeout_error_not_a_cancellation()
    {
        // Its own server: the held PATCH is released when it stops, not applied to the next test's table.
        using var api = FakeJobsApi.Start();
        api.DelayNext(1, TimeSpan.FromSeconds(30), "PATCH");
        var total = TimeSpan.FromSeconds(50);
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0, TotalTimeout = total }, Http, Clock);

        // OutcomeTimeout bounds recording an error only; success is bounded by TotalTimeout and reported as a timeout.
        var run = job.RunAsync((_, _) =>
        {
            Clock.ForgetTimers();
            return Task.FromResult(5L);
        });
        await Clock.WaitForTimerAsync(total);
        Clock.Advance(total);

        var thrown = Assert.ThrowsAsync<JobsApiException>(async () => await run);
        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Status, Is.Zero);
            Assert.That(thrown.Message, Does.Contain("timed out").And.Contain("JobOptions.TotalTimeout"));
        });
    }

    [Test]
    public async Task A_cancellation_after_the_body_returned_does_not_lose_the_finished_run()
    {
        using var job = NewJob();
        using var cts = new CancellationTokenSource();

        var count = await job.RunAsync(
            async (_, _) =>
            {
                await Task.Yield();
                await cts.CancelAsync();
                return 9L;
            },
            cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(9));
            Assert.That(Row.Status, Is.EqualTo("success"));
            Assert.That(Row.RecordsProcessed, Is.EqualTo(9));
        });
    }

    [Test]
    public async Task An_error_that_cannot_be_recorded_within_OutcomeTimeout_is_attached_as_a_timeout()
    {
        using var api = FakeJobsApi.Start();
        api.DelayNext(1, TimeSpan.FromSeconds(30), "PATCH");
        var outcomeTimeout = TimeSpan.FromSeconds(7);
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0, OutcomeTimeout = outcomeTimeout }, Http, Clock);
        var original = new InvalidOperationException("source failed");

        var run = job.RunAsync((_, _) => Throw<long>(original));
        await Clock.WaitForTimerAsync(outcomeTimeout);
        Clock.Advance(outcomeTimeout);

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(async () => await run);
        Assert.That(thrown, Is.SameAs(original));
        Assert.That(thrown!.Data[Job.RecordingFailureKey], Is.InstanceOf<JobsApiException>());
        var recording = (JobsApiException)thrown.Data[Job.RecordingFailureKey]!;
        Assert.Multiple(() =>
        {
            Assert.That(recording.Status, Is.Zero);
            Assert.That(recording.Message, Does.Contain("JobOptions.OutcomeTimeout"));
        });
    }

    [Test]
    public async Task After_an_outcome_could_not_be_recorded_the_same_job_can_run_again()
    {
        Api.FailNext(1, 400, "PATCH");
        using var job = NewJob();
        Assert.ThrowsAsync<JobsApiException>(() => job.RunAsync((_, _) => Task.FromResult(1L)));
        Assert.That(job.Current!.Status, Is.EqualTo(JobStatus.InProgress), "the failed recording left the run in progress");

        var count = await job.RunAsync((_, _) => Task.FromResult(2L));

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(2));
            Assert.That(job.Current.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(Count("POST"), Is.EqualTo(2));
        });
    }

    [TestCase(-1L)]
    [TestCase(2_147_483_648L)]
    public void A_count_that_does_not_fit_the_column_is_recorded_as_error_and_thrown(long count)
    {
        using var job = NewJob();

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((_, _) => Task.FromResult(count)));

        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Message, Does.Contain("2147483647"));
            Assert.That(Row.Status, Is.EqualTo("error"));
        });
    }

    [Test]
    public async Task A_start_cancelled_after_its_row_was_stored_records_that_run_as_error()
    {
        using var api = FakeJobsApi.Start();
        api.DelayNextAfterCommit(1, TimeSpan.FromSeconds(30), "POST");
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 }, Http, Clock);
        using var cts = new CancellationTokenSource();

        var start = job.StartAsync(cts.Token);
        Assert.That(() => api.Rows.Count, Is.EqualTo(1).After(30_000, 10), "the row was not stored");
        await cts.CancelAsync();

        Assert.That(async () => await start, Throws.InstanceOf<OperationCanceledException>());
        var row = api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(row.Status, Is.EqualTo("error"), "no row is left in progress with nobody to end it");
            Assert.That(row.Message, Is.EqualTo("The start was cancelled before its response arrived."));
            Assert.That(job.Current, Is.Null);
        });
    }

    private static async Task<int> LoadIntAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return 42;
    }

    private static async Task<T> Throw<T>(Exception exception)
    {
        await Task.Yield();
        throw exception;
    }
}
