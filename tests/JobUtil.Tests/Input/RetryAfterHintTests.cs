using System.Net;
using System.Net.Http.Headers;
using JobUtil.Internal;
using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Tests.Input;

/// <summary>
/// A <c>Retry-After</c> that asks for no wait at all (a date in the past, from a server clock behind ours, or zero
/// seconds) is no hint: the usual backoff applies, never a zero delay on every attempt.
/// </summary>
public class RetryAfterHintTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 1, 2, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task A_date_in_the_past_is_no_hint()
    {
        var error = await ErrorWithRetryAfterAsync(new RetryConditionHeaderValue(Now.AddMinutes(-3)));

        Assert.That(error.RetryAfter, Is.Null);
    }

    [Test]
    public async Task A_date_equal_to_now_is_no_hint()
    {
        var error = await ErrorWithRetryAfterAsync(new RetryConditionHeaderValue(Now));

        Assert.That(error.RetryAfter, Is.Null);
    }

    [Test]
    public async Task Zero_seconds_is_no_hint()
    {
        var error = await ErrorWithRetryAfterAsync(new RetryConditionHeaderValue(TimeSpan.Zero));

        Assert.That(error.RetryAfter, Is.Null);
    }

    [Test]
    public async Task A_date_in_the_future_is_the_wait_until_then()
    {
        var error = await ErrorWithRetryAfterAsync(new RetryConditionHeaderValue(Now.AddSeconds(7)));

        Assert.That(error.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
    }

    [Test]
    public async Task Seconds_are_the_wait()
    {
        var error = await ErrorWithRetryAfterAsync(new RetryConditionHeaderValue(TimeSpan.FromSeconds(4)));

        Assert.That(error.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(4)));
    }

    private static Task<JobsApiException> ErrorWithRetryAfterAsync(RetryConditionHeaderValue retryAfter)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
        {
            Content = new StringContent("""{"code":"PGRST001","details":null,"hint":null,"message":"Database client error. Retrying the connection."}"""),
        };
        response.Headers.RetryAfter = retryAfter;
        return ResponseErrors.FromResponseAsync(response, "Reading the watermark of job 'x'", tokenSent: false, new FakeTimeProvider(Now), CancellationToken.None);
    }
}
