namespace JobUtil.Tests.Core;

/// <summary>The token is only ever sent as the Authorization header: never shown, never sent in clear text to another host.</summary>
public class TokenSafetyTests : ServerFixture
{
    private static IEnumerable<TestCaseData> Failures()
    {
        yield return new TestCaseData(401, """{"code":"PGRST301","details":null,"hint":null,"message":"JWSError JWSInvalidSignature"}""").SetName("401 wrongly signed token");
        yield return new TestCaseData(403, """{"code":"42501","details":null,"hint":null,"message":"permission denied for table jobs"}""").SetName("403");
        yield return new TestCaseData(400, "<html>Bad Request</html>").SetName("400 with HTML");
        yield return new TestCaseData(503, """{"code":"PGRST001","details":null,"hint":null,"message":"Database client error. Retrying the connection."}""").SetName("503 after retries");
    }

    [TestCaseSource(nameof(Failures))]
    public void The_token_is_not_in_the_exception_of_a_failed_request(int status, string body)
    {
        Answer("GET", status, body);
        var options = Options(Token);
        options.MaxRetryAttempts = 1;
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.That(Header(Requests[0], "Authorization"), Is.EqualTo("Bearer " + Token), "the token was sent");
        Assert.That(error.ToString(), Does.Not.Contain(Token).And.Not.Contain("c2VjcmV0LXRlc3QtdG9rZW4"));
    }

    [Test]
    public void The_token_is_not_in_the_exception_when_the_server_cannot_be_reached()
    {
        var options = Options(Token);
        options.Url = $"http://127.0.0.1:{ClosedPort()}/jobs";
        options.MaxRetryAttempts = 0;
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.That(error.ToString(), Does.Not.Contain(Token));
    }

    [Test]
    public async Task The_token_is_not_in_ToString_of_the_options_the_job_or_its_records()
    {
        Answer("POST", 201, "[" + Row(42) + "]");
        var options = Options(Token);
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http);
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
        var options = Options(badToken);
        using var http = new HttpClient();

        Assert.That(() => new Job("n", options, http), Throws.ArgumentException.With.Message.Not.Contain("secret-part"));
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
