namespace JobUtil.Tests.EndToEnd;

/// <summary>Transient failures and lost responses, injected by the fake, as the SDK's retries see them.</summary>
public class ResilienceEndToEndTests : EndToEndFixture
{
    [TestCase(504)]
    [TestCase(502)]
    [TestCase(0)]
    public async Task A_start_whose_response_was_lost_adopts_the_committed_row_instead_of_inserting_again(int status)
    {
        using var job = NewRetryingJob();
        Api.FailNextAfterCommit(1, status, "POST");

        var run = await job.StartAsync();

        var row = Api.Rows.Single();
        Assert.That(run.Id, Is.EqualTo(row.Id));
        Assert.That(Api.Requests.Count(r => r.Method == "POST"), Is.EqualTo(1), "the committed start was posted again");
    }

    [Test]
    public async Task Transient_503s_with_retry_after_are_retried_until_the_read_succeeds()
    {
        using var job = NewRetryingJob();
        Api.FailNext(2, 503, "GET", retryAfter: TimeSpan.Zero);

        var since = await job.MostRecentAsync();

        Assert.That(since, Is.Null);
        Assert.That(Api.Requests.Select(r => r.Status), Is.EqualTo(new[] { 503, 503, 200 }));
    }
}
