using JobUtil.Testing;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Core;

/// <summary>The token is only ever sent as the Authorization header: never shown, never sent in clear text to another host.</summary>
public class TokenSafetyTests : ApiFixture
{
    private const string Token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRlc3QtdG9rZW4.Zm9v";

    [Test]
    public void The_token_is_not_in_the_exception_of_a_rejected_token()
    {
        // A fake that checks signatures: the token is not signed with its secret, so PostgREST's 401 (PGRST301) comes back.
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { JwtSecret = "a-secret-of-at-least-thirty-two-characters" });
        using var job = new Job("my_etl_job", new JobOptions { Url = api.Url, Source = "s", Destination = "d", Token = Token, MaxRetryAttempts = 0 }, Http, Clock);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.That(error.Status, Is.EqualTo(401));
        Assert.That(api.Requests[0].Header("Authorization"), Is.EqualTo("Bearer " + Token), "the token was sent");
        Assert.That(error.ToString(), Does.Not.Contain(Token).And.Not.Contain("c2VjcmV0LXRlc3QtdG9rZW4"));
    }

    [TestCase(403, TestName = "403 with an HTML page")]
    [TestCase(400, TestName = "400 with an HTML page")]
    [TestCase(503, TestName = "503 after retries")]
    [TestCase(0, TestName = "no response")]
    public void The_token_is_not_in_the_exception_of_a_failed_request(int status)
    {
        Api.FailNext(2, status);
        using var job = NewJob(o => { o.Token = Token; o.MaxRetryAttempts = 1; o.RetryBaseDelay = TimeSpan.Zero; });

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.That(error.Status, Is.EqualTo(status));
        Assert.That(Api.Requests[0].Header("Authorization"), Is.EqualTo("Bearer " + Token), "the token was sent");
        Assert.That(error.ToString(), Does.Not.Contain(Token).And.Not.Contain("c2VjcmV0LXRlc3QtdG9rZW4"));
    }

    [Test]
    public async Task The_token_is_not_in_ToString_of_the_options_the_job_or_its_records()
    {
        var options = Options(o => o.Token = Token);
        using var job = new Job("my_etl_job", options, Http, Clock);
        var run = await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(options.ToString(), Does.Not.Contain(Token).And.Contain("Token = (set)"));
            Assert.That(options.Clone().ToString(), Does.Not.Contain(Token));
            Assert.That(job.ToString(), Does.Not.Contain(Token).And.Contain("my_etl_job"));
            Assert.That(run.ToString(), Does.Not.Contain(Token));
            Assert.That(new JobOptions().ToString(), Does.Contain("Token = (none)"));
        });
    }

    [Test]
    public void A_rejected_token_is_not_repeated_in_the_argument_error()
    {
        const string badToken = "secret-part other-part";
        var options = Options(o => o.Token = badToken);

        Assert.That(() => new Job("n", options, Http), Throws.ArgumentException.With.Message.Not.Contain("secret-part"));
        Assert.That(() => new Job("n", "http://jobs.example.com/jobs", "s", "d", Token),
            Throws.ArgumentException.With.Message.Not.Contain(Token).And.Message.Contains("http").And.Message.Contains("AllowInsecureTransport"));
    }

    [Test]
    public async Task A_token_goes_over_plain_http_to_another_host_only_when_insecure_transport_is_allowed()
    {
        var options = new JobOptions { Url = "http://jobs.example.com/jobs", Source = "s", Destination = "d", Token = Token };
        using var handler = new RecordingHandler();
        using var http = new HttpClient(handler);
        Assert.That(() => new Job("n", options, http), Throws.ArgumentException);

        options.AllowInsecureTransport = true;
        using var job = new Job("n", options, http);
        await job.MostRecentAsync();

        Assert.That(handler.Requests.Single().RequestUri!.Host, Is.EqualTo("jobs.example.com"));
        Assert.That(handler.Requests.Single().Headers.Authorization?.ToString(), Is.EqualTo("Bearer " + Token));
    }

    [TestCase("https://jobs.example.com/jobs")]
    [TestCase("http://localhost:3000/jobs")]
    [TestCase("http://127.0.0.1:3000/jobs")]
    [TestCase("http://[::1]:3000/jobs")]
    public void A_token_is_accepted_over_https_or_to_loopback(string url)
    {
        var options = new JobOptions { Url = url, Token = Token, Source = "s", Destination = "d" };

        Assert.That(options.Validate(), Is.Empty);
        Assert.That(() => new Job("n", url, "s", "d", Token).Dispose(), Throws.Nothing);
    }
}
