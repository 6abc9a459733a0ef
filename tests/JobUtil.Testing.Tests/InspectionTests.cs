namespace JobUtil.Testing.Tests;

/// <summary>What a test can look at: the rows and the requests received.</summary>
public class InspectionTests : FakeApiFixture
{
    [Test]
    public async Task Each_request_is_recorded_with_method_path_query_headers_body_and_status()
    {
        const string json = "{\"status\":\"success\"}";
        await PatchAsync("?id=eq.1&name=eq.a%20b", json);

        var request = Api.Requests.Single();

        Assert.That(request.Method, Is.EqualTo("PATCH"));
        Assert.That(request.Path, Is.EqualTo("/jobs"));
        Assert.That(request.Query, Is.EqualTo("id=eq.1&name=eq.a%20b"));
        Assert.That(request.QueryParameters, Is.EqualTo(new[] { KeyValuePair.Create("id", "eq.1"), KeyValuePair.Create("name", "eq.a b") }));
        Assert.That(request.Header("prefer"), Is.EqualTo("return=representation"));
        Assert.That(request.Header("Authorization"), Is.Null);
        Assert.That(request.Body, Is.EqualTo(json));
        Assert.That(request.Status, Is.EqualTo(200));
    }

    [Test]
    public void Rows_is_a_snapshot_that_later_writes_do_not_change()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z"));
        var before = Api.Rows;

        Api.Seed(Row("b", "2024-01-02T00:00:00Z"));

        Assert.That(before, Has.Count.EqualTo(1));
        Assert.That(Api.Rows, Has.Count.EqualTo(2));
    }

    [Test]
    public void Seed_assigns_ids_and_rounds_timestamps_to_microseconds()
    {
        var seeded = Api.Seed(Row("a", "2024-01-01T00:00:00.1234567Z"));

        Assert.That(seeded.Single().Id, Is.EqualTo(1));
        Assert.That(seeded.Single().StartDate.Ticks % 10, Is.Zero);
    }

    [Test]
    public async Task Reset_empties_the_table_restarts_ids_and_forgets_requests()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z"));
        await GetAsync("");

        Api.Reset();
        var seeded = Api.Seed(Row("b", "2024-01-01T00:00:00Z"));

        Assert.That(Api.Requests, Is.Empty);
        Assert.That(seeded.Single().Id, Is.EqualTo(1));
    }
}

/// <summary>A path prefix before the table, as deployed Jobs APIs often have.</summary>
public class PathPrefixTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new() { PathPrefix = "/legacy-scripts" };

    [Test]
    public async Task The_table_is_served_under_the_prefix_only()
    {
        Assert.That(Api.Url, Does.EndWith("/legacy-scripts/jobs"));
        Assert.That((await GetAsync("")).Status, Is.EqualTo(200));
        Assert.That((await GetAsync(Api.BaseUrl + "/jobs")).Status, Is.EqualTo(404));
    }
}
