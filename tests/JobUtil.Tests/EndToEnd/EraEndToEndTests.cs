using JobUtil.Testing;

namespace JobUtil.Tests.EndToEnd;

/// <summary>The SDK against older PostgREST behaviours.</summary>
public class EraEndToEndTests
{
    [TestCase(PostgrestEra.V6)]
    [TestCase(PostgrestEra.V8)]
    [TestCase(PostgrestEra.V10_0)]
    [TestCase(PostgrestEra.V10_1)]
    public async Task A_whole_run_works_in_every_era(PostgrestEra era)
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { Era = era });
        using var http = new HttpClient();
        using var job = new Job("nightly_copy", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 }, http);

        var count = await job.RunAsync((_, _) => Task.FromResult(3L));

        Assert.That(count, Is.EqualTo(3));
        Assert.That(api.Rows.Single().Status, Is.EqualTo("success"));
        Assert.That(await job.MostRecentAsync(), Is.EqualTo(api.Rows.Single().StartDate));
    }

    [Test]
    public async Task A_patch_answered_404_by_an_older_server_is_JobRunNotFoundException()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { Era = PostgrestEra.V8 });
        using var http = new HttpClient();
        using var job = new Job("nightly_copy", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 }, http);
        await job.StartAsync();
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, api.Url + "?id=gt.0"))
        {
            (await http.SendAsync(delete)).Dispose();
        }

        var missing = Assert.ThrowsAsync<JobRunNotFoundException>(async () => await job.ResultAsync(JobStatus.Success));

        Assert.That(missing!.Status, Is.EqualTo(404));
        Assert.That(api.Requests.Single(r => r.Method == "PATCH").Status, Is.EqualTo(404));
        Assert.That(api.Requests.Last().Method, Is.EqualTo("GET"), "the run was read back to tell a missing run from an ended one");
    }
}
