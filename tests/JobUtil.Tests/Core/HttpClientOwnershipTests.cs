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
}
