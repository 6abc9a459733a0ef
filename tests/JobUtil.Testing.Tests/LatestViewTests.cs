namespace JobUtil.Testing.Tests;

/// <summary>The <c>jobs_latest</c> view: the newest row per name, readable, not writable.</summary>
public class LatestViewTests : FakeApiFixture
{
    [Test]
    public async Task It_holds_the_newest_row_of_each_name_ordered_by_name()
    {
        Api.Seed(
            Row("b", "2024-01-01T00:00:00Z"),
            Row("a", "2024-01-03T00:00:00Z", status: "error"),
            Row("b", "2024-01-05T00:00:00Z", status: "in_progress"),
            Row("a", "2024-01-02T00:00:00Z"));

        var (status, body, _) = await GetAsync(Api.LatestUrl + "?select=id,name,status");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(body, Is.EqualTo("[{\"id\":2,\"name\":\"a\",\"status\":\"error\"}, \n {\"id\":3,\"name\":\"b\",\"status\":\"in_progress\"}]"));
    }

    [Test]
    public async Task It_takes_filters_like_the_table()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z"), Row("b", "2024-01-02T00:00:00Z"));

        var (_, body, _) = await GetAsync(Api.LatestUrl + "?name=eq.b&select=id");

        Assert.That(body, Is.EqualTo("[{\"id\":2}]"));
    }

    [Test]
    public async Task Writing_to_it_is_refused_with_42501_and_changes_nothing()
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, Api.LatestUrl, "{\"name\":\"x\"}");

        Assert.That(status, Is.EqualTo(401));
        Assert.That(body, Does.Contain("\"code\":\"42501\"").And.Contain("permission denied for view jobs_latest"));
        Assert.That(Api.Rows, Is.Empty);
    }
}
