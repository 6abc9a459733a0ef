using System.Net;
using System.Net.Sockets;
using JobUtil.Testing;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Resilience;

/// <summary>
/// No response, a slow response and the caller's cancellation: retried, bounded, and told apart. Every timeout runs on
/// the job's fake clock, so no test waits for one in real time.
/// </summary>
public class TimeoutTests : ApiFixture
{
    [Test]
    public void A_closed_port_is_retried_then_reported_with_Status_0()
    {
        var logs = new CapturingLoggerFactory();
        using var job = NewJob(
            o =>
            {
                o.Url = $"http://127.0.0.1:{ClosedPort()}/jobs";
                NoWaits(o, retries: 2);
            },
            logs: logs);

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
    public async Task A_response_slower_than_the_attempt_timeout_is_abandoned_and_retried()
    {
        var started = new DateTimeOffset(2024, 2, 1, 2, 0, 0, TimeSpan.Zero);
        Api.Seed(new FakeJobRow { Name = "orders", Status = "success", Source = "crm", Destination = "warehouse", StartDate = started, EndDate = started.AddMinutes(1) });
        Api.DelayNext(1, TimeSpan.FromSeconds(30), "GET");
        var attemptTimeout = TimeSpan.FromMilliseconds(500);
        using var job = NewJob(o =>
        {
            NoWaits(o, retries: 1);
            o.AttemptTimeout = attemptTimeout;
        });

        var read = job.MostRecentAsync();
        await Clock.WaitForTimerAsync(attemptTimeout);
        Assert.That(() => Api.InFlight, Is.EqualTo(1).After(10_000, 5), "the first GET reached the server and is held there");
        Clock.Advance(attemptTimeout);

        Assert.That(await read.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(started), "the second attempt answered");
    }

    [Test]
    public async Task An_attempt_that_times_out_without_retries_says_it_timed_out_after_how_long()
    {
        Api.DelayNext(1, TimeSpan.FromSeconds(30), "GET");
        var attemptTimeout = TimeSpan.FromMilliseconds(100);
        using var job = NewJob(o => o.AttemptTimeout = attemptTimeout);

        var read = job.MostRecentAsync();
        await Clock.WaitForTimerAsync(attemptTimeout);
        Clock.Advance(attemptTimeout);

        var error = Assert.ThrowsAsync<JobsApiException>(async () => await read.WaitAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Status, Is.EqualTo(0));
            Assert.That(error.Message, Does.Contain("timed out after 0.1 s").And.Contain("JobOptions.AttemptTimeout"));
            Assert.That(error, Is.Not.InstanceOf<OperationCanceledException>());
        });
    }

    [Test]
    public async Task An_always_slow_server_ends_at_the_total_timeout_with_Status_0()
    {
        Api.DelayNext(100, TimeSpan.FromSeconds(30), "GET");
        var attemptTimeout = TimeSpan.FromMilliseconds(100);
        using var job = NewJob(o =>
        {
            NoWaits(o, retries: 100);
            o.AttemptTimeout = attemptTimeout;
            o.TotalTimeout = TimeSpan.FromMilliseconds(450);
        });

        // Five attempts of 100 ms each would take 500 ms: the fifth is cut short at 450 ms by the total timeout.
        var read = job.MostRecentAsync();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await Clock.WaitForTimerAsync(attemptTimeout);
            Clock.Advance(attemptTimeout);
        }

        var error = Assert.ThrowsAsync<JobsApiException>(async () => await read.WaitAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Status, Is.EqualTo(0));
            Assert.That(error.IsTransient, Is.True);
            Assert.That(error.Attempts, Is.EqualTo(5));
            Assert.That(error.Message, Does.Contain("timed out after 0.45 s").And.Contain("JobOptions.TotalTimeout"));
        });
    }

    [Test]
    public async Task Caller_cancellation_during_a_backoff_delay_is_OperationCanceledException_at_once_and_nothing_more_is_sent()
    {
        Api.FailNext(1, 503, "GET", retryAfter: TimeSpan.FromSeconds(5));
        using var job = NewJob(o => o.MaxRetryAttempts = 4);
        using var cancellation = new CancellationTokenSource();

        var read = job.MostRecentAsync(cancellation.Token);
        await Clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        await cancellation.CancelAsync();

        // The clock has not moved: the read ended without sitting out the 5 s wait.
        Assert.That(async () => await read.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<OperationCanceledException>());
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(Api.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Caller_cancellation_during_a_request_is_OperationCanceledException_and_not_retried()
    {
        // Its own server: the held POST is released when it stops, not written into the next test's table.
        using var api = FakeJobsApi.Start();
        api.DelayNext(1, TimeSpan.FromSeconds(30), "POST");
        var sending = new SendingHandler();
        using var http = new HttpClient(sending);
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse" }, http, Clock);
        using var cancellation = new CancellationTokenSource();

        var start = job.StartAsync(cancellation.Token);
        await sending.FirstPost.WaitAsync(TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();

        Assert.That(async () => await start.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(sending.Methods.Count(m => m == "POST"), Is.EqualTo(1), "not retried");
            Assert.That(job.Current, Is.Null);
        });
    }

    [Test]
    public void An_already_cancelled_token_sends_nothing()
    {
        using var job = NewJob();

        Assert.That(() => job.MostRecentAsync(new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(Api.Requests, Is.Empty);
    }

    /// <summary>Retries on, with no wait between attempts: the fake clock need not be advanced through a backoff.</summary>
    private static void NoWaits(JobOptions options, int retries)
    {
        options.MaxRetryAttempts = retries;
        options.RetryBaseDelay = TimeSpan.Zero;
        options.MaxRetryDelay = TimeSpan.Zero;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Tells when the first POST is handed to the network.</summary>
    private sealed class SendingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        private readonly TaskCompletionSource<bool> _firstPost = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstPost => _firstPost.Task;

        public List<string> Methods { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Methods)
            {
                Methods.Add(request.Method.Method);
            }

            if (request.Method == HttpMethod.Post)
            {
                _firstPost.TrySetResult(true);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
