using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Testing.Tests;

/// <summary>The older PostgREST behaviours, chosen with <see cref="FakeJobsApiOptions.Era"/>.</summary>
public class EraTests
{
    private const string Secret = "a-test-secret-of-at-least-thirty-two-characters";
    private const string Run = "{\"name\":\"n\",\"start_date\":\"2024-01-01T00:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}";

    private static readonly HttpClient Http = new();

    private static async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(FakeJobsApi api, HttpMethod method, string query, string? json = null, string? prefer = "return=representation", string? token = null, string? accept = null)
    {
        using var request = new HttpRequestMessage(method, api.Url + query);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [TestCase(PostgrestEra.V10_0)]
    [TestCase(PostgrestEra.V8)]
    [TestCase(PostgrestEra.V6)]
    public async Task Before_v10_1_a_patch_that_matches_nothing_is_404(PostgrestEra era)
    {
        using var api = FakeJobsApi.Start(new() { Era = era });

        var (status, _, _) = await SendAsync(api, HttpMethod.Patch, "?id=eq.1", "{\"status\":\"success\"}");

        Assert.That(status, Is.EqualTo(404));
    }

    [TestCase(PostgrestEra.V10_1)]
    [TestCase(PostgrestEra.Modern)]
    public async Task From_v10_1_a_patch_that_matches_nothing_is_200_with_an_empty_array(PostgrestEra era)
    {
        using var api = FakeJobsApi.Start(new() { Era = era });

        var (status, body, _) = await SendAsync(api, HttpMethod.Patch, "?id=eq.1", "{\"status\":\"success\"}");

        Assert.That((status, body), Is.EqualTo((200, "[]")));
    }

    [Test]
    public async Task V6_answers_a_post_with_location()
    {
        using var api = FakeJobsApi.Start(new() { Era = PostgrestEra.V6 });

        var (status, body, response) = await SendAsync(api, HttpMethod.Post, "", Run, prefer: null!);

        Assert.That((status, body), Is.EqualTo((201, string.Empty)));
        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo("/jobs?id=eq.1"));
    }

    [TestCase(PostgrestEra.V8)]
    [TestCase(PostgrestEra.V6)]
    public async Task Before_v10_postgrests_own_errors_carry_only_a_message(PostgrestEra era)
    {
        using var api = FakeJobsApi.Start(new() { Era = era });

        var (status, body, _) = await SendAsync(api, HttpMethod.Post, "", "{oops");

        Assert.That((status, body), Is.EqualTo((400, "{\"message\":\"Empty or invalid json\"}")));
    }

    [Test]
    public async Task Before_v10_postgresql_errors_still_carry_all_four_keys()
    {
        using var api = FakeJobsApi.Start(new() { Era = PostgrestEra.V8 });

        var (_, body, _) = await SendAsync(api, HttpMethod.Post, "", Run.Replace("in_progress", "done", StringComparison.Ordinal));

        Assert.That(body, Does.StartWith("{\"code\":\"23514\",\"details\":\"Failing row contains"));
    }

    [TestCase(PostgrestEra.Modern, "{\"code\":\"PGRST303\",\"details\":null,\"hint\":null,\"message\":\"JWT expired\"}")]
    [TestCase(PostgrestEra.V10_1, "{\"code\":\"PGRST301\",\"details\":null,\"hint\":null,\"message\":\"JWT expired\"}")]
    [TestCase(PostgrestEra.V10_0, "{\"code\":\"PGRST301\",\"details\":null,\"hint\":null,\"message\":\"JWT expired\"}")]
    [TestCase(PostgrestEra.V8, "{\"message\":\"JWT expired\"}")]
    public async Task An_expired_token_is_reported_with_each_eras_code(PostgrestEra era, string expected)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
        using var api = FakeJobsApi.Start(new() { Era = era, JwtSecret = Secret, TimeProvider = clock });

        var (status, body, _) = await SendAsync(api, HttpMethod.Get, "", token: api.CreateWriterToken(clock.GetUtcNow().AddSeconds(-1)));

        Assert.That((status, body), Is.EqualTo((401, expected)));
    }

    [TestCase(PostgrestEra.V10_0)]
    [TestCase(PostgrestEra.V8)]
    public async Task Before_v10_1_an_unknown_column_is_42703(PostgrestEra era)
    {
        using var api = FakeJobsApi.Start(new() { Era = era });

        var (status, body, _) = await SendAsync(api, HttpMethod.Post, "", Run.Replace("}", ",\"colour\":1}", StringComparison.Ordinal));

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.StartWith("{\"code\":\"42703\""));
    }

    [Test]
    public async Task Before_v10_1_an_unknown_accept_type_is_415()
    {
        using var api = FakeJobsApi.Start(new() { Era = PostgrestEra.V10_0 });

        var (status, _, _) = await SendAsync(api, HttpMethod.Get, "", accept: "text/html");

        Assert.That(status, Is.EqualTo(415));
    }

    [Test]
    public async Task Only_the_modern_era_sends_proxy_status()
    {
        using var modern = FakeJobsApi.Start();
        using var older = FakeJobsApi.Start(new() { Era = PostgrestEra.V10_1 });

        var (_, _, fromModern) = await SendAsync(modern, HttpMethod.Post, "", "{oops");
        var (_, _, fromOlder) = await SendAsync(older, HttpMethod.Post, "", "{oops");

        Assert.That(fromModern.Headers.Contains("Proxy-Status"), Is.True);
        Assert.That(fromOlder.Headers.Contains("Proxy-Status"), Is.False);
    }

    [Test]
    public async Task Before_v13_an_unknown_table_is_42P01()
    {
        using var api = FakeJobsApi.Start(new() { Era = PostgrestEra.V10_1 });

        using var response = await Http.GetAsync(api.BaseUrl + "/nope");

        Assert.That((int)response.StatusCode, Is.EqualTo(404));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.StartWith("{\"code\":\"42P01\""));
    }
}
