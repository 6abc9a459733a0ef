using JobUtil.Tests.Support;
using JobUtil.Tests.Core;
using Microsoft.Extensions.Logging;

namespace JobUtil.Tests.Resilience;

/// <summary>Transient failures are retried, others are not, and what happened is told once per retry.</summary>
public class RetryTests : ServerFixture
{
    [Test]
    public async Task A_GET_answered_503_503_200_succeeds_after_3_requests()
    {
        AnswerInTurn("GET", (503, "{\"code\":\"PGRST001\",\"message\":\"Database client error\"}"), (503, ""), (200, """[{"start_date":"2024-03-01T02:00:00+00:00"}]"""));
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(), http);

        var since = await job.MostRecentAsync();

        Assert.That(since, Is.EqualTo(new DateTimeOffset(2024, 3, 1, 2, 0, 0, TimeSpan.Zero)));
        Assert.That(Requests, Has.Count.EqualTo(3));
    }

    [TestCase(408)]
    [TestCase(429)]
    [TestCase(500)]
    [TestCase(502)]
    [TestCase(503)]
    [TestCase(504)]
    public async Task A_transient_status_is_retried(int status)
    {
        AnswerInTurn("GET", (status, ""), (200, "[]"));
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(), http);

        Assert.That(await job.MostRecentAsync(), Is.Null);
        Assert.That(Requests, Has.Count.EqualTo(2));
    }

    [TestCase(400, "22P02")]
    [TestCase(401, "PGRST301")]
    [TestCase(403, "42501")]
    [TestCase(404, "PGRST205")]
    [TestCase(406, "PGRST116")]
    [TestCase(409, "23503")]
    public void Any_other_4xx_is_sent_once_and_surfaced_at_once(int status, string code)
    {
        Answer("GET", status, $$"""{"code":"{{code}}","details":null,"hint":null,"message":"refused"}""");
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(Token), http);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(Requests, Has.Count.EqualTo(1));
            Assert.That(error.Status, Is.EqualTo(status));
            Assert.That(error.ErrorCode, Is.EqualTo(code));
            Assert.That(error.Attempts, Is.EqualTo(1));
            Assert.That(error.IsTransient, Is.False);
            Assert.That(error.Message, Does.Not.Contain("attempts"));
        });
    }

    [Test]
    public void A_POST_answered_400_is_sent_once_without_a_lookup()
    {
        Answer("POST", 400, """{"code":"23502","details":null,"hint":null,"message":"null value in column \"source\""}""");
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(), http);

        Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync());
        Assert.That(Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST" }));
    }

    [Test]
    public void Exhausted_retries_say_how_many_attempts_were_made_and_carry_the_last_status()
    {
        AnswerInTurn("GET", (502, "<html>Bad Gateway</html>"), (504, ""), (503, """{"code":"PGRST002","details":null,"hint":null,"message":"Could not query the database for the schema cache. Retrying."}"""));
        var options = Options();
        options.MaxRetryAttempts = 2;
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(Requests, Has.Count.EqualTo(3));
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
        Answer("GET", 503, "");
        var options = Options();
        options.MaxRetryAttempts = 0;
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.That(Requests, Has.Count.EqualTo(1));
        Assert.That(error.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task Each_retry_is_logged_once_at_Warning_with_attempt_status_and_delay_and_never_the_token()
    {
        AnswerInTurn("GET", (503, ""), (429, ""), (200, "[]"));
        var options = Options(Token);
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
        var logs = new CapturingLoggerFactory();
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http, loggerFactory: logs);

        await job.MostRecentAsync();

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Has.Count.EqualTo(2));
            Assert.That(warnings.Select(w => w.EventName), Is.All.EqualTo("RetryScheduled"));
            Assert.That(warnings.Select(w => w.Values["Attempt"]), Is.EqualTo(new object[] { 1, 2 }));
            Assert.That(warnings.Select(w => w.Values["Failure"]), Is.EqualTo(new object[] { "HTTP 503", "HTTP 429" }));
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
}
