using System.Collections.Concurrent;
using System.Globalization;
using JobUtil.Tests.Core;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace JobUtil.Tests.Resilience;

/// <summary>A server's <c>Retry-After</c> sets the wait before the next attempt, on the job's clock, capped by MaxRetryDelay.</summary>
public class RetryAfterTests : ServerFixture
{
    private ObservableClock _clock = null!;
    private ConcurrentQueue<DateTimeOffset> _arrivals = null!;

    [SetUp]
    public void NewClock()
    {
        _clock = new ObservableClock();
        _arrivals = new ConcurrentQueue<DateTimeOffset>();
    }

    [Test]
    public async Task A_429_with_Retry_After_in_seconds_delays_the_next_attempt_by_that_much_clock_time()
    {
        FirstThenSuccess(429, "2");

        await AssertNextAttemptWaitsAsync(TimeSpan.FromSeconds(2), Options());
    }

    [Test]
    public async Task A_503_with_Retry_After_as_an_HTTP_date_delays_the_next_attempt_until_that_date()
    {
        FirstThenSuccess(503, _clock.GetUtcNow().AddSeconds(3).ToString("r", CultureInfo.InvariantCulture));

        await AssertNextAttemptWaitsAsync(TimeSpan.FromSeconds(3), Options());
    }

    [Test]
    public async Task A_Retry_After_longer_than_MaxRetryDelay_is_capped()
    {
        FirstThenSuccess(503, "3600");
        var options = Options();
        options.MaxRetryDelay = TimeSpan.FromSeconds(5);

        await AssertNextAttemptWaitsAsync(TimeSpan.FromSeconds(5), options);
    }

    /// <summary>Starts a read, checks nothing more is sent until <paramref name="wait"/> has passed on the clock, then that the retry succeeds.</summary>
    private async Task AssertNextAttemptWaitsAsync(TimeSpan wait, JobOptions options)
    {
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http, _clock);

        var read = job.MostRecentAsync();
        await _clock.WaitForTimerAsync(wait);
        _clock.Advance(wait - TimeSpan.FromMilliseconds(1));
        Assert.That(_arrivals, Has.Count.EqualTo(1), "no second attempt before the wait is over");

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(await read.WaitAsync(TimeSpan.FromSeconds(10)), Is.Null);

        var times = _arrivals.ToArray();
        Assert.That(times, Has.Length.EqualTo(2));
        Assert.That(times[1] - times[0], Is.EqualTo(wait));
    }

    private void FirstThenSuccess(int status, string retryAfter)
    {
        var calls = 0;
        Server.Given(Request.Create().WithPath(TablePath).UsingGet()).RespondWith(Response.Create().WithCallback(_ =>
        {
            _arrivals.Enqueue(_clock.GetUtcNow());
            return Interlocked.Increment(ref calls) == 1
                ? Reply(status, """{"code":"PGRST000","details":null,"hint":null,"message":"busy"}""", headers: ("Retry-After", retryAfter))
                : Reply(200, "[]");
        }));
    }
}
