using JobUtil.Tests.Support;

namespace JobUtil.Tests.Resilience;

/// <summary>
/// A server's <c>Retry-After</c> sets the wait before the next attempt, on the job's clock, capped by MaxRetryDelay.
/// (An HTTP-date <c>Retry-After</c> is read by ErrorTests.)
/// </summary>
public class RetryAfterTests : ApiFixture
{
    [TestCase(429)]
    [TestCase(503)]
    public async Task A_Retry_After_in_seconds_delays_the_next_attempt_by_that_much_clock_time(int status)
    {
        Api.FailNext(1, status, "GET", retryAfter: TimeSpan.FromSeconds(2));

        await AssertNextAttemptWaitsAsync(TimeSpan.FromSeconds(2), Options(o => o.MaxRetryAttempts = 1));
    }

    [Test]
    public async Task A_Retry_After_longer_than_MaxRetryDelay_is_capped()
    {
        Api.FailNext(1, 503, "GET", retryAfter: TimeSpan.FromHours(1));

        await AssertNextAttemptWaitsAsync(TimeSpan.FromSeconds(5), Options(o =>
        {
            o.MaxRetryAttempts = 1;
            o.MaxRetryDelay = TimeSpan.FromSeconds(5);
        }));
    }

    /// <summary>Starts a read, checks nothing more is sent until <paramref name="wait"/> has passed on the clock, then that the retry succeeds.</summary>
    private async Task AssertNextAttemptWaitsAsync(TimeSpan wait, JobOptions options)
    {
        using var job = new Job("my_etl_job", options, Http, Clock);

        var read = job.MostRecentAsync();
        await Clock.WaitForTimerAsync(wait);
        Clock.Advance(wait - TimeSpan.FromMilliseconds(1));
        Assert.That(Api.Requests, Has.Count.EqualTo(1), "no second attempt before the wait is over");

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(await read.WaitAsync(TimeSpan.FromSeconds(10)), Is.Null);
        Assert.That(Api.Requests, Has.Count.EqualTo(2));
    }
}
