using JobUtil.Internal;

namespace JobUtil.Tests.Core;

/// <summary>Filter values are percent-encoded so that any job name reaches PostgREST exactly as given.</summary>
public class EncodingTests : ServerFixture
{
    private static readonly string[] Names =
    [
        "load & transform",
        "orders#2",
        "a+b",
        "100% done",
        "nightly load",
        "a,b",
        "f(x)",
        "it's \"quoted\"",
        "Müller_Straße_名前",
        "eq.trap&status=eq.error",
        "  padded  ",
    ];

    [TestCaseSource(nameof(Names))]
    public async Task A_job_name_round_trips_exactly_in_the_watermark_query(string name)
    {
        Answer("GET", 200, "[]");
        using var job = new Job(name, TableUrl, "inventory_system", "data_warehouse");

        await job.MostRecentAsync();

        var query = Requests.Single().RawQuery!.TrimStart('?');
        var parameters = query.Split('&');
        Assert.Multiple(() =>
        {
            // Nothing of the name leaked into other parameters, and nothing the server would read differently.
            Assert.That(parameters, Has.Length.EqualTo(5));
            Assert.That(query, Does.Not.Contain("#").And.Not.Contain(" ").And.Not.Contain("+").And.Not.Contain("\""));
            Assert.That(query.All(c => c < 128), Is.True, "only ASCII on the wire");
            Assert.That(parameters[1], Does.StartWith("name=eq."));
            Assert.That(Uri.UnescapeDataString(parameters[1].Substring("name=eq.".Length)), Is.EqualTo(name));
        });
    }

    [Test]
    public void The_plus_of_a_timestamp_offset_is_sent_encoded()
    {
        var encoded = JobsApi.Encode("2019-06-20T17:18:46.5+05:30");

        Assert.That(encoded, Does.Not.Contain("+"));
        Assert.That(encoded, Does.Contain("%2B05"));
        Assert.That(Uri.UnescapeDataString(encoded), Is.EqualTo("2019-06-20T17:18:46.5+05:30"));
    }
}
