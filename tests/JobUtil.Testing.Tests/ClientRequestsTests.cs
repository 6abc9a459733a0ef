namespace JobUtil.Testing.Tests;

/// <summary>The three requests the original client and JobUtil make, answered byte for byte like PostgREST.</summary>
public class ClientRequestsTests : FakeApiFixture
{
    private const string StartBody = "{\"name\":\"nightly\",\"start_date\":\"2019-06-20 17:18:46-05:00\",\"end_date\":null,\"status\":\"in_progress\",\"source\":\"crm\",\"destination\":\"dwh\"}";

    [Test]
    public async Task Post_with_representation_returns_201_and_the_inserted_row_as_an_array()
    {
        var (status, body, response) = await PostAsync(StartBody);

        Assert.That(status, Is.EqualTo(201));
        Assert.That(body, Is.EqualTo("[{\"id\":1,\"name\":\"nightly\",\"start_date\":\"2019-06-20T22:18:46+00:00\",\"end_date\":null,\"message\":null,\"status\":\"in_progress\",\"records_processed\":null,\"source\":\"crm\",\"destination\":\"dwh\",\"heartbeat_at\":null,\"host\":null,\"cursor\":null,\"run_key\":null}]"));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(Header(response, "Location"), Is.Empty);
    }

    [Test]
    public async Task Patch_by_id_updates_the_row_and_returns_it()
    {
        await PostAsync(StartBody);

        var (status, body, _) = await PatchAsync("?id=eq.1", "{\"end_date\":\"2019-06-20T22:20:00.5Z\",\"status\":\"success\",\"message\":null,\"records_processed\":503}");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(body, Does.Contain("\"end_date\":\"2019-06-20T22:20:00.5+00:00\"").And.Contain("\"status\":\"success\"").And.Contain("\"records_processed\":503"));
        Assert.That(Api.Rows.Single().RecordsProcessed, Is.EqualTo(503));
    }

    [Test]
    public async Task Watermark_query_returns_the_newest_successful_start_date()
    {
        Api.Seed(
            Row("nightly", "2024-01-01T00:00:00Z"),
            Row("nightly", "2024-01-03T00:00:00Z", status: "error"),
            Row("nightly", "2024-01-02T00:00:00Z"),
            Row("other", "2024-01-05T00:00:00Z"));

        var (status, body, response) = await GetAsync("?select=start_date&name=eq.nightly&status=eq.success&order=start_date.desc&limit=1");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(body, Is.EqualTo("[{\"start_date\":\"2024-01-02T00:00:00+00:00\"}]"));
        Assert.That(Header(response, "Content-Range"), Is.EqualTo("0-0/*"));
    }

    [Test]
    public async Task Get_with_no_match_returns_an_empty_array()
    {
        var (status, body, response) = await GetAsync("?name=eq.none");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(body, Is.EqualTo("[]"));
        Assert.That(Header(response, "Content-Range"), Is.EqualTo("*/*"));
    }
}
