namespace JobUtil.Testing.Tests;

/// <summary>POST (object or array), PATCH and DELETE with filters, and each <c>Prefer: return=</c>.</summary>
public class WriteTests : FakeApiFixture
{
    private const string Run = "{\"name\":\"n\",\"start_date\":\"2024-01-01T00:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}";

    [Test]
    public async Task Post_of_an_array_inserts_every_row_and_returns_them_as_json_agg_writes_them()
    {
        var (status, body, response) = await PostAsync($"[{Run},{Run.Replace("\"n\"", "\"m\"", StringComparison.Ordinal)}]", query: "?select=id,name");

        Assert.That(status, Is.EqualTo(201));
        Assert.That(body, Is.EqualTo("[{\"id\":1,\"name\":\"n\"}, \n {\"id\":2,\"name\":\"m\"}]"));
        Assert.That(Header(response, "Content-Range"), Is.EqualTo("*/*"));
        Assert.That(Api.Rows.Select(r => r.Name), Is.EqualTo(new[] { "n", "m" }));
    }

    [Test]
    public async Task Post_of_an_array_whose_objects_have_different_keys_is_400_PGRST102()
    {
        var (status, body, _) = await PostAsync($"[{Run},{{\"name\":\"x\"}}]");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo("{\"code\":\"PGRST102\",\"details\":null,\"hint\":null,\"message\":\"All object keys must match\"}"));
        Assert.That(Api.Rows, Is.Empty);
    }

    [TestCase(null)]
    [TestCase("return=minimal")]
    public async Task Post_without_representation_is_201_with_an_empty_body_and_no_content_type(string? prefer)
    {
        var (status, body, response) = await PostAsync(Run, prefer);

        Assert.That(status, Is.EqualTo(201));
        Assert.That(body, Is.Empty);
        Assert.That(response.Content.Headers.ContentType, Is.Null);
        Assert.That(Header(response, "Location"), Is.Empty);
        Assert.That(Api.Rows, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Post_with_headers_only_is_answered_with_location()
    {
        var (_, _, response) = await PostAsync(Run, "return=headers-only");

        Assert.That(Header(response, "Location"), Is.EqualTo("/jobs?id=eq.1"));
    }

    [Test]
    public async Task Patch_with_a_filter_updates_every_matching_row()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z", status: "in_progress"), Row("a", "2024-01-02T00:00:00Z", status: "in_progress"), Row("b", "2024-01-03T00:00:00Z", status: "in_progress"));

        var (status, body, response) = await PatchAsync("?name=eq.a&select=id,status", "{\"status\":\"error\",\"message\":\"abandoned\"}");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(body, Is.EqualTo("[{\"id\":1,\"status\":\"error\"}, \n {\"id\":2,\"status\":\"error\"}]"));
        Assert.That(Header(response, "Content-Range"), Is.EqualTo("0-1/*"));
        Assert.That(Api.Rows.Select(r => r.Message), Is.EqualTo(new[] { "abandoned", "abandoned", null }));
    }

    [Test]
    public async Task Patch_that_matches_nothing_is_200_with_an_empty_array()
    {
        var (status, body, _) = await PatchAsync("?id=eq.42", "{\"status\":\"success\"}");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(body, Is.EqualTo("[]"));
    }

    [Test]
    public async Task Patch_without_prefer_is_204()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z", status: "in_progress"));

        var (status, body, _) = await PatchAsync("?id=eq.1", "{\"status\":\"success\"}", prefer: null);

        Assert.That(status, Is.EqualTo(204));
        Assert.That(body, Is.Empty);
        Assert.That(Api.Rows.Single().Status, Is.EqualTo("success"));
    }

    [Test]
    public async Task Patch_with_the_object_media_type_and_no_match_is_406_PGRST116()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z"));

        var (status, body, _) = await SendAsync(HttpMethod.Patch, "?id=gt.0&id=lt.0", "{\"status\":\"error\"}", "return=representation", accept: "application/vnd.pgrst.object+json");

        Assert.That(status, Is.EqualTo(406));
        Assert.That(body, Is.EqualTo("{\"code\":\"PGRST116\",\"details\":\"The result contains 0 rows\",\"hint\":null,\"message\":\"Cannot coerce the result to a single JSON object\"}"));
    }

    [Test]
    public async Task Patch_with_the_object_media_type_matching_several_rows_is_rolled_back()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z", "in_progress"), Row("a", "2024-01-02T00:00:00Z", "in_progress"));

        var (status, _, _) = await SendAsync(HttpMethod.Patch, "?name=eq.a", "{\"status\":\"error\"}", "return=representation", accept: "application/vnd.pgrst.object+json");

        Assert.That(status, Is.EqualTo(406));
        Assert.That(Api.Rows.Select(r => r.Status), Is.All.EqualTo("in_progress"));
    }

    [Test]
    public async Task Delete_with_a_filter_removes_only_matching_rows()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z"), Row("b", "2024-01-02T00:00:00Z"), Row("a", "2024-01-03T00:00:00Z"));

        var (status, body, _) = await SendAsync(HttpMethod.Delete, "?name=eq.a&select=id", prefer: "return=representation");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(body, Is.EqualTo("[{\"id\":1}, \n {\"id\":3}]"));
        Assert.That(Api.Rows.Select(r => r.Name), Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public async Task Delete_without_prefer_is_204()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z"));

        var (status, _, _) = await SendAsync(HttpMethod.Delete, "?id=eq.1");

        Assert.That(status, Is.EqualTo(204));
        Assert.That(Api.Rows, Is.Empty);
    }

    [Test]
    public async Task Ids_come_from_a_sequence_that_continues_after_seeded_rows()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z") with { Id = 10 });

        var (_, body, _) = await PostAsync(Run, query: "?select=id");

        Assert.That(body, Is.EqualTo("[{\"id\":11}]"));
    }

    [Test]
    public async Task Concurrent_posts_each_get_their_own_id()
    {
        var posts = Enumerable.Range(0, 40).Select(_ => PostAsync(Run)).ToArray();
        await Task.WhenAll(posts);

        Assert.That(posts.Select(p => p.Result.Status), Is.All.EqualTo(201));
        Assert.That(Api.Rows.Select(r => r.Id), Is.EquivalentTo(Enumerable.Range(1, 40).Select(i => (long)i)));
    }
}
