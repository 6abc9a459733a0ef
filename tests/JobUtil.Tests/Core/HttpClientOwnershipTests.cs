namespace JobUtil.Tests.Core;

/// <summary>A caller's <see cref="HttpClient"/> stays the caller's.</summary>
public class HttpClientOwnershipTests
{
    [Test]
    public async Task Disposing_a_job_leaves_the_callers_HttpClient_usable()
    {
        using var handler = new RecordingHandler();
        using var http = new HttpClient(handler);
        var options = new JobOptions { Url = "https://jobs.example.com/jobs", Source = "s", Destination = "d" };

        using (var job = new Job("n", options, http))
        {
            await job.MostRecentAsync();
        }

        Assert.That(handler.Disposed, Is.False);
        using var again = new Job("n", options, http);
        Assert.That(await again.MostRecentAsync(), Is.Null);
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public void A_job_whose_options_are_rejected_leaves_the_callers_HttpClient_alone()
    {
        using var handler = new RecordingHandler();
        using var http = new HttpClient(handler);

        Assert.That(() => new Job("n", new JobOptions(), http), Throws.ArgumentException);
        Assert.That(handler.Disposed, Is.False);
    }

    [Test]
    public void A_job_given_only_options_uses_every_setting_with_a_client_of_its_own()
    {
        using var api = JobUtil.Testing.FakeJobsApi.Start();
        api.FailNext(3, 503, "POST");
        using var job = new Job("n", new JobOptions { Url = api.Url, Source = "s", Destination = "d", MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.Zero });

        Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync());
        Assert.That(api.Requests.Count(r => r.Method == "POST"), Is.EqualTo(3), "the options' retries are used: one attempt and two retries");
    }

    [Test]
    public void A_job_given_only_options_accepts_insecure_transport_when_the_options_allow_it()
    {
        var options = new JobOptions { Url = "http://jobs.internal/jobs", Token = "a.b.c", Source = "s", Destination = "d" };

        Assert.That(() => new Job("n", options), Throws.ArgumentException.With.Message.Contains("AllowInsecureTransport"));
        options.AllowInsecureTransport = true;
        using var job = new Job("n", options);
        Assert.That(job.Name, Is.EqualTo("n"));
    }

    [Test]
    public void A_job_given_only_options_rejects_missing_options()
    {
        Assert.That(() => new Job("n", (JobOptions)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("options"));
    }
}
