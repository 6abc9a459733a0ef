using JobUtil.Tests.Support;
using Microsoft.Extensions.Logging;

namespace JobUtil.Tests.Run;

[TestFixture]
public sealed class RunAsyncTests : RunServerFixture
{
    [Test]
    public async Task Success_passes_the_watermark_to_the_body_and_records_success_with_its_count()
    {
        Server.Watermark = "2019-06-20T22:18:46+00:00";
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);
        DateTimeOffset? seen = null;

        var count = await job.RunAsync((since, _) =>
        {
            seen = since;
            return Task.FromResult(503L);
        });

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(503));
            Assert.That(seen, Is.EqualTo(new DateTimeOffset(2019, 6, 20, 22, 18, 46, TimeSpan.Zero)));
            Assert.That(Server.Row!["status"]!.GetValue<string>(), Is.EqualTo("success"));
            Assert.That(Server.Row!["records_processed"]!.GetValue<long>(), Is.EqualTo(503));
            Assert.That(job.Current!.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(Server.Count("GET"), Is.EqualTo(1));
            Assert.That(Server.Count("POST"), Is.EqualTo(1));
            Assert.That(Server.Count("PATCH"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task First_run_gets_a_null_watermark()
    {
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);
        DateTimeOffset? seen = DateTimeOffset.MaxValue;

        await job.RunAsync((since, _) =>
        {
            seen = since;
            return Task.FromResult(0L);
        });

        Assert.That(seen, Is.Null);
    }

    [Test]
    public void Body_failure_is_recorded_as_error_and_the_same_exception_object_is_rethrown()
    {
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);
        var original = new InvalidDataException("A database error occurred.");

        var thrown = Assert.ThrowsAsync<InvalidDataException>(() => job.RunAsync((_, _) => Throw(original)));

        Assert.Multiple(() =>
        {
            Assert.That(thrown, Is.SameAs(original));
            Assert.That(thrown!.StackTrace, Does.Contain(nameof(Throw)), "the original stack trace is kept");
            Assert.That(Server.Row!["status"]!.GetValue<string>(), Is.EqualTo("error"));
            Assert.That(Server.Row!["message"]!.GetValue<string>(), Is.EqualTo("System.IO.InvalidDataException: A database error occurred."));
            Assert.That(thrown.Data.Contains(Job.RecordingFailureKey), Is.False);
        });
    }

    [Test]
    public void Recorded_error_message_is_bounded_in_length()
    {
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);

        Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((_, _) => Throw(new InvalidOperationException(new string('x', 20_000)))));

        Assert.That(Server.Row!["message"]!.GetValue<string>(), Has.Length.EqualTo(Job.MaxRecordedMessageLength));
    }

    [Test]
    public void When_recording_the_error_fails_the_original_exception_is_still_thrown_and_carries_the_recording_failure()
    {
        Server.PatchFailure = 400;
        var logs = new CapturingLoggerFactory();
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http, loggerFactory: logs);
        var original = new TimeoutException("source timed out");

        var thrown = Assert.ThrowsAsync<TimeoutException>(() => job.RunAsync((_, _) => Throw(original)));

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
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);
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
            Assert.That(Server.Row!["status"]!.GetValue<string>(), Is.EqualTo("error"));
            Assert.That(Server.Row!["message"]!.GetValue<string>(), Does.Contain("cancelled"));
        });
    }

    [Test]
    public void When_start_fails_the_body_never_runs()
    {
        Server.PostFailure = 403;
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);
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
            Assert.That(Server.Count("PATCH"), Is.Zero);
        });
    }

    [Test]
    public void When_the_watermark_cannot_be_read_nothing_is_started()
    {
        using var http = new HttpClient();
        var options = Server.Options();
        options.Url = Server.Server.Url + "/missing";
        using var job = new Job("orders", options, http);
        var called = false;

        Assert.ThrowsAsync<JobsApiException>(() => job.RunAsync((_, _) =>
        {
            called = true;
            return Task.FromResult(1L);
        }));

        Assert.Multiple(() =>
        {
            Assert.That(called, Is.False);
            Assert.That(Server.Count("POST"), Is.Zero);
        });
    }

    [Test]
    public async Task Body_without_a_count_records_success_without_records_processed()
    {
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);
        var ran = false;

        await job.RunAsync((_, _) =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        Assert.Multiple(() =>
        {
            Assert.That(ran, Is.True);
            Assert.That(Server.Row!["status"]!.GetValue<string>(), Is.EqualTo("success"));
            Assert.That(Server.Row!["records_processed"], Is.Null);
        });
    }

    [Test]
    public void Body_without_a_count_that_throws_is_recorded_as_error()
    {
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);
        var original = new InvalidOperationException("boom");

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((_, _) => Task.FromException(original)));

        Assert.Multiple(() =>
        {
            Assert.That(thrown, Is.SameAs(original));
            Assert.That(Server.Row!["status"]!.GetValue<string>(), Is.EqualTo("error"));
        });
    }

    [Test]
    public void Null_body_is_rejected_before_anything_is_sent()
    {
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);

        Assert.Multiple(() =>
        {
            Assert.That(() => job.RunAsync((Func<DateTimeOffset?, CancellationToken, Task<long>>)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("body"));
            Assert.That(() => job.RunAsync((Func<DateTimeOffset?, CancellationToken, Task>)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("body"));
            Assert.That(Server.Server.LogEntries, Is.Empty);
        });
    }

    [Test]
    public void A_success_that_cannot_be_recorded_in_time_is_a_timeout_error_not_a_cancellation()
    {
        Server.SlowPatch(TimeSpan.FromSeconds(5));
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(o =>
        {
            o.OutcomeTimeout = TimeSpan.FromMilliseconds(100);
            o.TotalTimeout = TimeSpan.FromMilliseconds(800);
        }), http);

        // OutcomeTimeout bounds recording an error only; success is bounded by TotalTimeout and reported as a timeout.
        var thrown = Assert.ThrowsAsync<JobsApiException>(() => job.RunAsync((_, _) => Task.FromResult(5L)));

        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Status, Is.Zero);
            Assert.That(thrown.Message, Does.Contain("timed out"));
        });
    }

    [Test]
    public async Task A_cancellation_after_the_body_returned_does_not_lose_the_finished_run()
    {
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);
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
            Assert.That(Server.Row!["status"]!.GetValue<string>(), Is.EqualTo("success"));
            Assert.That(Server.Row!["records_processed"]!.GetValue<long>(), Is.EqualTo(9));
        });
    }

    [Test]
    public void An_error_that_cannot_be_recorded_within_OutcomeTimeout_is_attached_as_a_timeout()
    {
        Server.SlowPatch(TimeSpan.FromSeconds(5));
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(o => o.OutcomeTimeout = TimeSpan.FromMilliseconds(200)), http);
        var original = new InvalidOperationException("source failed");

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((_, _) => Throw(original)));

        Assert.That(thrown, Is.SameAs(original));
        Assert.That(thrown!.Data[Job.RecordingFailureKey], Is.InstanceOf<JobsApiException>());
        var recording = (JobsApiException)thrown.Data[Job.RecordingFailureKey]!;
        Assert.Multiple(() =>
        {
            Assert.That(recording.Status, Is.Zero);
            Assert.That(recording.Message, Does.Contain("OutcomeTimeout"));
        });
    }

    [Test]
    public async Task After_an_outcome_could_not_be_recorded_the_same_job_can_run_again()
    {
        Server.PatchFailure = 400;
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);
        Assert.ThrowsAsync<JobsApiException>(() => job.RunAsync((_, _) => Task.FromResult(1L)));
        Assert.That(job.Current!.Status, Is.EqualTo(JobStatus.InProgress), "the failed recording left the run in progress");

        Server.PatchFailure = null;
        var count = await job.RunAsync((_, _) => Task.FromResult(2L));

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(2));
            Assert.That(job.Current.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(Server.Count("POST"), Is.EqualTo(2));
        });
    }

    [TestCase(-1L)]
    [TestCase(2_147_483_648L)]
    public void A_count_that_does_not_fit_the_column_is_recorded_as_error_and_thrown(long count)
    {
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync((_, _) => Task.FromResult(count)));

        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Message, Does.Contain("2147483647"));
            Assert.That(Server.Row!["status"]!.GetValue<string>(), Is.EqualTo("error"));
        });
    }

    [Test]
    public async Task A_start_cancelled_after_its_row_was_stored_records_that_run_as_error()
    {
        var stored = Server.HoldPost();
        using var http = new HttpClient();
        using var job = new Job("orders", Server.Options(), http);
        using var cts = new CancellationTokenSource();

        var start = job.StartAsync(cts.Token);
        await stored.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();

        Assert.That(async () => await start, Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(Server.Row!["status"]!.GetValue<string>(), Is.EqualTo("error"), "no row is left in progress with nobody to end it");
            Assert.That(Server.Row!["message"]!.GetValue<string>(), Does.Contain("cancelled"));
            Assert.That(job.Current, Is.Null);
        });
    }

    private static async Task<long> Throw(Exception exception)
    {
        await Task.Yield();
        throw exception;
    }
}
