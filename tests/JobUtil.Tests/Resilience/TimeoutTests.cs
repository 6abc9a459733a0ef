using JobUtil.Tests.Support;
using System.Diagnostics;
using JobUtil.Tests.Core;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace JobUtil.Tests.Resilience;

/// <summary>No response, a slow response and the caller's cancellation: retried, bounded, and told apart.</summary>
public class TimeoutTests : ServerFixture
{
    [Test]
    public void A_closed_port_is_retried_then_reported_with_Status_0()
    {
        var options = Options(Token);
        options.Url = $"http://127.0.0.1:{ClosedPort()}/jobs";
        options.MaxRetryAttempts = 2;
        var logs = new CapturingLoggerFactory();
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http, loggerFactory: logs);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Status, Is.EqualTo(0));
            Assert.That(error.Attempts, Is.EqualTo(3));
            Assert.That(error.IsTransient, Is.True);
            Assert.That(error.Message, Does.Contain("could not reach").And.Contain("3 attempts"));
            Assert.That(error.InnerException, Is.InstanceOf<HttpRequestException>());
            Assert.That(logs.Entries.Where(e => e.EventName == "RetryScheduled").Select(e => e.Values["Failure"]), Is.EqualTo(new[] { "HttpRequestException", "HttpRequestException" }));
        });
    }

    [Test]
    public async Task A_response_slower_than_the_attempt_timeout_is_retried()
    {
        var calls = 0;
        Server.Given(Request.Create().WithPath(TablePath).UsingGet()).RespondWith(Response.Create().WithCallback(async _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
            }

            return Reply(200, """[{"start_date":"2024-03-01T02:00:00+00:00"}]""");
        }));
        var options = Options();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(500);
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http);

        var since = await job.MostRecentAsync();

        Assert.That(since, Is.Not.Null);
        Assert.That(calls, Is.GreaterThanOrEqualTo(2), "the slow first attempt was abandoned and retried");
    }

    [Test]
    public void An_attempt_that_times_out_without_retries_says_it_timed_out_after_how_long()
    {
        Server.Given(Request.Create().WithPath(TablePath).UsingGet()).RespondWith(Response.Create().WithBody("[]").WithDelay(TimeSpan.FromSeconds(2)));
        var options = Options();
        options.MaxRetryAttempts = 0;
        options.AttemptTimeout = TimeSpan.FromMilliseconds(100);
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.That(error.Status, Is.EqualTo(0));
        Assert.That(error.Message, Does.Contain("timed out after 0.1 s").And.Contain("AttemptTimeout"));
        Assert.That(error, Is.Not.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void An_always_slow_server_ends_at_the_total_timeout_with_Status_0()
    {
        Server.Given(Request.Create().WithPath(TablePath).UsingGet()).RespondWith(Response.Create().WithBody("[]").WithDelay(TimeSpan.FromSeconds(3)));
        var options = Options();
        options.MaxRetryAttempts = 100;
        options.AttemptTimeout = TimeSpan.FromMilliseconds(100);
        options.TotalTimeout = TimeSpan.FromMilliseconds(450);
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http);
        var clock = Stopwatch.StartNew();

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(440)).And.LessThan(TimeSpan.FromSeconds(5)));
            Assert.That(error.Status, Is.EqualTo(0));
            Assert.That(error.IsTransient, Is.True);
            Assert.That(error.Attempts, Is.GreaterThan(1));
            Assert.That(error.Message, Does.Contain("timed out after 0.45 s").And.Contain("TotalTimeout"));
        });
    }

    [Test]
    public async Task Caller_cancellation_during_a_backoff_delay_is_OperationCanceledException_at_once_and_nothing_more_is_sent()
    {
        Answer("GET", 503, "", ("Retry-After", "5"));
        var clock = new ObservableClock();
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(), http, clock);
        using var cancellation = new CancellationTokenSource();

        var read = job.MostRecentAsync(cancellation.Token);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        var stopwatch = Stopwatch.StartNew();
        cancellation.Cancel();

        Assert.That(async () => await read.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the backoff wait is not sat out");
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Caller_cancellation_during_a_request_is_OperationCanceledException_and_not_retried()
    {
        var arrived = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        Server.Given(Request.Create().WithPath(TablePath).UsingPost()).RespondWith(Response.Create().WithCallback(async _ =>
        {
            Interlocked.Increment(ref calls);
            arrived.TrySetResult(true);
            await Task.Delay(TimeSpan.FromSeconds(8));
            return Reply(201, "[]");
        }));
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(), http);
        using var cancellation = new CancellationTokenSource();

        var start = job.StartAsync(cancellation.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        cancellation.Cancel();

        Assert.That(async () => await start.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(job.Current, Is.Null);
    }

    [Test]
    public void An_already_cancelled_token_sends_nothing()
    {
        Answer("GET", 200, "[]");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");

        Assert.That(() => job.MostRecentAsync(new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(Requests, Is.Empty);
    }
}
