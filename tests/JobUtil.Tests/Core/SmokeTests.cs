using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JobUtil.Tests.Core;

public class SmokeTests
{
    [Test]
    public async Task MostRecent_returns_start_date_of_first_row()
    {
        using var server = WireMockServer.Start();
        server.Given(Request.Create().WithPath("/jobs").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("[{\"start_date\":\"2019-06-20T22:18:46+00:00\"}]"));
        using var job = new Job("n", server.Url + "/jobs", "s", "d");
        var since = await job.MostRecentAsync();
        Assert.That(since, Is.EqualTo(new DateTimeOffset(2019, 6, 20, 22, 18, 46, TimeSpan.Zero)));
    }
}
