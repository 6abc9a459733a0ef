namespace JobUtil.Testing.Tests;

/// <summary>Redirects from something in front of PostgREST, and committed writes answered with something other than the row.</summary>
public class AnswerFaultTests : FakeApiFixture
{
    private const string Run = "{\"name\":\"n\",\"start_date\":\"2024-01-01T00:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}";

    private static readonly HttpClient NotFollowing = new(new HttpClientHandler { AllowAutoRedirect = false });

    [OneTimeTearDown]
    public void DisposeClient() => NotFollowing.Dispose();

    private async Task<(int Status, string Body, HttpResponseMessage Response)> SendNotFollowingAsync(HttpMethod method, string query = "", string? json = null)
    {
        using var request = Request(method, Api.Url + query, json, "return=representation");
        var response = await NotFollowing.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [TestCase(301)]
    [TestCase(302)]
    [TestCase(303)]
    [TestCase(307)]
    [TestCase(308)]
    public async Task A_redirected_request_gets_the_status_and_location_and_writes_nothing(int redirect)
    {
        Api.RedirectNext(1, redirect, "https://elsewhere.example/jobs", "POST");

        var (status, body, response) = await SendNotFollowingAsync(HttpMethod.Post, json: Run);

        Assert.That(status, Is.EqualTo(redirect));
        Assert.That(response.Headers.Location, Is.EqualTo(new Uri("https://elsewhere.example/jobs")));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(body, Does.Contain(redirect.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(Api.Rows, Is.Empty);
        Assert.That((await PostAsync(Run)).Status, Is.EqualTo(201), "only the next request was redirected");
    }

    [Test]
    public async Task A_redirect_applies_only_to_its_method()
    {
        Api.RedirectNext(1, 308, "/elsewhere", "PATCH");

        var (get, _, _) = await SendNotFollowingAsync(HttpMethod.Get);
        var (patch, _, _) = await SendNotFollowingAsync(HttpMethod.Patch, "?id=eq.1", "{\"status\":\"error\"}");

        Assert.That((get, patch), Is.EqualTo((200, 308)));
    }

    [Test]
    public async Task A_client_that_follows_a_303_on_a_post_reads_whatever_the_location_holds()
    {
        Api.Seed(Row("other_job", "2023-01-01T00:00:00Z"));
        Api.RedirectNext(1, 303, Api.Url + "?name=eq.other_job", "POST");
        using var following = new HttpClient();

        using var response = await following.PostAsync(Api.Url, new StringContent(Run, System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(body, Does.Contain("\"name\":\"other_job\""));
        Assert.That(Api.Rows, Has.Count.EqualTo(1), "nothing was inserted");
        Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "GET" }));
    }

    [TestCase(500)]
    [TestCase(520)]
    [TestCase(522)]
    [TestCase(527)]
    public async Task A_write_committed_then_answered_with_an_html_page_is_stored(int failure)
    {
        Api.FailNextAfterCommit(1, failure, "POST");

        var (status, body, response) = await PostAsync(Run);

        Assert.That(status, Is.EqualTo(failure));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(body, Does.StartWith("<html>"));
        Assert.That(Api.Rows, Has.Count.EqualTo(1));
    }

    [TestCase(500)]
    [TestCase(502)]
    [TestCase(521)]
    [TestCase(201)]
    public async Task A_write_committed_then_answered_with_an_empty_body_is_stored(int answered)
    {
        Api.EmptyAnswerNextAfterCommit(1, answered, "POST");

        var (status, body, response) = await PostAsync(Run);

        Assert.That((status, body), Is.EqualTo((answered, string.Empty)));
        Assert.That(response.Content.Headers.ContentType, Is.Null);
        Assert.That(Api.Rows, Has.Count.EqualTo(1));
        Assert.That(Api.Requests.Single().Status, Is.EqualTo(answered));
    }

    [Test]
    public async Task A_write_committed_then_answered_with_an_object_is_stored_and_the_object_is_the_row()
    {
        Api.ObjectAnswerNextAfterCommit(1, "POST");

        var (status, body, response) = await PostAsync(Run, query: "?select=id,name");

        Assert.That((status, body), Is.EqualTo((201, "{\"id\":1,\"name\":\"n\"}")));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(Api.Rows, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_patch_committed_then_answered_with_an_object_is_stored()
    {
        Api.Seed(Row("n", "2024-01-01T00:00:00Z", "in_progress"));
        Api.ObjectAnswerNextAfterCommit(1, "PATCH");

        var (status, body, _) = await PatchAsync("?id=eq.1&select=status", "{\"status\":\"error\"}");

        Assert.That((status, body), Is.EqualTo((200, "{\"status\":\"error\"}")));
        Assert.That(Api.Rows.Single().Status, Is.EqualTo("error"));
    }

    [Test]
    public async Task A_refused_write_does_not_use_up_a_committed_answer_fault()
    {
        Api.EmptyAnswerNextAfterCommit(1, 502, "POST");

        var (refused, _, _) = await PostAsync("{\"name\":\"x\"}");
        var (committed, _, _) = await PostAsync(Run);

        Assert.That((refused, committed), Is.EqualTo((400, 502)));
    }

    [TestCase(300)]
    [TestCase(304)]
    [TestCase(200)]
    public void A_status_that_is_no_redirect_is_refused(int status)
        => Assert.That(() => Api.RedirectNext(1, status, "/x"), Throws.InstanceOf<ArgumentOutOfRangeException>());
}
