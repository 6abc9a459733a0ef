using JobUtil.Testing;

namespace JobUtil.Tests.EndToEnd;

/// <summary>A fake with JWT auth: a minted writer token runs jobs; without one, writes are refused and not retried.</summary>
public class AuthEndToEndTests : EndToEndFixture
{
    protected override FakeJobsApiOptions Options => new() { JwtSecret = "an-end-to-end-secret-of-32-characters-or-more" };

    [Test]
    public async Task A_job_with_a_minted_writer_token_runs_and_sends_it_as_a_bearer_token()
    {
        var token = Api.CreateWriterToken();
        using var job = NewJob(token: token);

        await job.RunAsync((_, _) => Task.FromResult(7L));

        Assert.That(Api.Rows.Single().Status, Is.EqualTo("success"));
        Assert.That(Api.Requests.Select(r => r.Header("Authorization")), Is.All.EqualTo("Bearer " + token));
    }

    [Test]
    public async Task Without_a_token_the_watermark_can_be_read_but_a_start_is_refused_with_42501()
    {
        using var job = NewRetryingJob();

        Assert.That(await job.MostRecentAsync(), Is.Null);
        var refused = Assert.ThrowsAsync<JobsApiException>(async () => await job.StartAsync());

        Assert.That(refused!.Status, Is.EqualTo(401));
        Assert.That(refused.ErrorCode, Is.EqualTo("42501"));
        Assert.That(Api.Requests.Count(r => r.Method == "POST"), Is.EqualTo(1), "a permission error must not be retried");
        Assert.That(Api.Rows, Is.Empty);
    }

    [Test]
    public void An_expired_token_is_reported_with_postgrests_code()
    {
        using var job = NewJob(token: Api.CreateWriterToken(DateTimeOffset.UtcNow.AddMinutes(-5)));

        var refused = Assert.ThrowsAsync<JobsApiException>(async () => await job.MostRecentAsync());

        Assert.That(refused!.Status, Is.EqualTo(401));
        Assert.That(refused.ErrorCode, Is.EqualTo("PGRST303"));
    }
}
