using JobUtil.Testing;
using JobUtil.Tests.Support;
using Microsoft.Extensions.Logging;

namespace JobUtil.Tests.Resilience;

/// <summary>
/// Transient failures are retried, others are not, and what happened is told once per retry. (How each error body
/// reads: ErrorTests.)
/// </summary>
public class RetryTests : ApiFixture
{
    private const string Token = "header.payload.signature";

    [Test]
    public async Task A_GET_answered_503_503_200_succeeds_after_3_requests()
    {
        var started = new DateTimeOffset(2024, 3, 1, 1, 0, 0, TimeSpan.Zero);
        Api.Seed(new FakeJobRow { Name = "orders", Status = "success", Source = "crm", Destination = "warehouse", StartDate = started, EndDate = started.AddMinutes(1) });
        Api.FailNext(2, 503, "GET");
        using var job = NewJob(Retrying);

        var since = await job.MostRecentAsync();

        Assert.That(since, Is.EqualTo(started));
        Assert.That(Api.Requests, Has.Count.EqualTo(3));
    }

    [TestCase(0)]
    [TestCase(408)]
    [TestCase(429)]
    [TestCase(500)]
    [TestCase(502)]
    [TestCase(503)]
    [TestCase(504)]
    public async Task A_transient_status_or_no_response_is_retried(int status)
    {
        Api.FailNext(1, status, "GET");
        using var job = NewJob(Retrying);

        Assert.That(await job.MostRecentAsync(), Is.Null);
        Assert.That(Api.Requests, Has.Count.EqualTo(2));
    }

    [TestCase(400)]
    [TestCase(401)]
    [TestCase(403)]
    [TestCase(404)]
    [TestCase(406)]
    [TestCase(409)]
    public void Any_other_4xx_is_sent_once_and_surfaced_at_once(int status)
    {
        Api.FailNext(1, status, "GET");
        using var job = NewJob(Retrying);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(Api.Requests, Has.Count.EqualTo(1));
            Assert.That(error.Status, Is.EqualTo(status));
            Assert.That(error.Attempts, Is.EqualTo(1));
            Assert.That(error.IsTransient, Is.False);
            Assert.That(error.Message, Does.Not.Contain("attempts"));
        });
    }

    [Test]
    public void A_POST_answered_400_is_sent_once_without_a_lookup()
    {
        Api.FailNext(1, 400, "POST");
        using var job = NewJob(Retrying);

        Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync());
        Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST" }));
    }

    [Test]
    public void Exhausted_retries_say_how_many_attempts_were_made_and_carry_the_last_status()
    {
        Api.FailNext(1, 502, "GET").FailNext(1, 504, "GET").FailNext(1, 503, "GET");
        using var job = NewJob(Retrying);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(Api.Requests.Select(r => r.Status), Is.EqualTo(new[] { 502, 504, 503 }));
            Assert.That(error.Attempts, Is.EqualTo(3));
            Assert.That(error.Status, Is.EqualTo(503));
            Assert.That(error.ErrorCode, Is.EqualTo("PGRST002"));
            Assert.That(error.IsTransient, Is.True);
            Assert.That(error.Message, Does.Contain("3 attempts").And.Contain("503"));
        });
    }

    [Test]
    public void Retries_can_be_turned_off()
    {
        Api.FailNext(1, 503, "GET");
        using var job = NewJob(o => o.MaxRetryAttempts = 0);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.That(Api.Requests, Has.Count.EqualTo(1));
        Assert.That(error.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task Each_retry_is_logged_once_at_Warning_with_attempt_status_and_delay_and_never_the_token()
    {
        Api.FailNext(1, 503, "GET").FailNext(1, 429, "GET");
        var logs = new CapturingLoggerFactory();
        using var job = NewJob(
            o =>
            {
                Retrying(o);
                o.Token = Token;
            },
            name: "my_etl_job",
            logs: logs);

        await job.MostRecentAsync();

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Has.Count.EqualTo(2));
            Assert.That(warnings.Select(w => w.EventName), Is.All.EqualTo("RetryScheduled"));
            Assert.That(warnings.Select(w => w.Values["Attempt"]), Is.EqualTo(new object[] { 1, 2 }));
            Assert.That(warnings.Select(w => w.Values["Failure"]), Is.EqualTo(new object[] { "HTTP 503 (PGRST002)", "HTTP 429" }));
            Assert.That(warnings.Select(w => w.Values["DelayMs"]), Is.All.InstanceOf<double>().And.All.GreaterThanOrEqualTo(0.0));
            Assert.That(warnings[0].Message, Does.Contain("my_etl_job").And.Contain("attempt 1").And.Contain("HTTP 503").And.Contain("retrying in"));
            Assert.That(logs.Entries.Select(e => e.Message + string.Join(" ", e.Values.Values)), Has.None.Contains(Token));
        });
    }

    [Test]
    public void The_defaults_are_the_documented_ones()
    {
        var defaults = new JobOptions();
        Assert.Multiple(() =>
        {
            Assert.That(defaults.MaxRetryAttempts, Is.EqualTo(4));
            Assert.That(defaults.RetryBaseDelay, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(defaults.MaxRetryDelay, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(defaults.AttemptTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(defaults.TotalTimeout, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(defaults.AllowInsecureTransport, Is.False);
        });
    }

    /// <summary>Two retries with no wait between attempts: the fake clock need not be advanced through a backoff.</summary>
    private static void Retrying(JobOptions options)
    {
        options.MaxRetryAttempts = 2;
        options.RetryBaseDelay = TimeSpan.Zero;
        options.MaxRetryDelay = TimeSpan.Zero;
    }
}
