using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Testing.Tests;

/// <summary>HS256 JWT auth: anonymous reads, writer-role writes, and PostgREST's 401s and 403s.</summary>
public class AuthTests : FakeApiFixture
{
    private const string Secret = "a-test-secret-of-at-least-thirty-two-characters";
    private const string Run = "{\"name\":\"n\",\"start_date\":\"2024-01-01T00:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero));

    protected override FakeJobsApiOptions Options => new() { JwtSecret = Secret, TimeProvider = _clock };

    [Test]
    public async Task Anonymous_callers_may_read()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z"));

        var (status, _, _) = await GetAsync("?select=id");

        Assert.That(status, Is.EqualTo(200));
    }

    [Test]
    public async Task An_anonymous_write_is_401_42501_with_a_bearer_challenge_and_writes_nothing()
    {
        var (status, body, response) = await PostAsync(Run);

        Assert.That(status, Is.EqualTo(401));
        Assert.That(body, Is.EqualTo("{\"code\":\"42501\",\"details\":null,\"hint\":null,\"message\":\"permission denied for table jobs\"}"));
        Assert.That(Header(response, "WWW-Authenticate"), Is.EqualTo("Bearer"));
        Assert.That(Api.Rows, Is.Empty);
    }

    [Test]
    public async Task A_writer_token_may_write_and_read()
    {
        var token = Api.CreateWriterToken(_clock.GetUtcNow().AddHours(1));

        var (postStatus, _, _) = await PostAsync(Run, token: token);
        var (patchStatus, _, _) = await PatchAsync("?id=eq.1", "{\"status\":\"success\"}", token: token);
        var (getStatus, body, _) = await GetAsync("?select=status", token: token);

        Assert.That((postStatus, patchStatus, getStatus), Is.EqualTo((201, 200, 200)));
        Assert.That(body, Is.EqualTo("[{\"status\":\"success\"}]"));
    }

    [Test]
    public async Task A_token_of_another_role_gets_403_42501_on_write()
    {
        var (status, body, response) = await PostAsync(Run, token: Api.CreateToken("reporting"));

        Assert.That(status, Is.EqualTo(403));
        Assert.That(body, Does.Contain("\"code\":\"42501\""));
        Assert.That(Header(response, "WWW-Authenticate"), Is.Empty);
    }

    [Test]
    public async Task An_expired_token_is_401_PGRST303_with_an_invalid_token_challenge()
    {
        var token = Api.CreateWriterToken(_clock.GetUtcNow().AddHours(1));
        _clock.Advance(TimeSpan.FromHours(2));

        var (status, body, response) = await GetAsync("", token: token);

        Assert.That(status, Is.EqualTo(401));
        Assert.That(body, Is.EqualTo("{\"code\":\"PGRST303\",\"details\":null,\"hint\":null,\"message\":\"JWT expired\"}"));
        Assert.That(Header(response, "WWW-Authenticate"), Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"JWT expired\""));
    }

    [Test]
    public async Task A_token_signed_with_another_secret_is_401_PGRST301()
    {
        var token = FakeJobsApi.CreateToken("another-secret-of-at-least-thirty-two-chars", "jobs_writer");

        var (status, body, response) = await PostAsync(Run, token: token);

        Assert.That(status, Is.EqualTo(401));
        Assert.That(body, Does.StartWith("{\"code\":\"PGRST301\""));
        Assert.That(Header(response, "WWW-Authenticate"), Does.StartWith("Bearer error=\"invalid_token\""));
        Assert.That(Api.Rows, Is.Empty);
    }

    [Test]
    public async Task A_malformed_token_such_as_the_original_clients_Bearer_None_is_401_PGRST301()
    {
        var (status, body, _) = await GetAsync("", token: "None");

        Assert.That(status, Is.EqualTo(401));
        Assert.That(body, Does.Contain("\"code\":\"PGRST301\""));
    }

    [Test]
    public void Minting_a_token_without_a_secret_is_refused()
    {
        using var open = FakeJobsApi.Start();

        Assert.That(() => open.CreateWriterToken(), Throws.InvalidOperationException);
    }
}

/// <summary>With anonymous access turned off, a request without a token is refused.</summary>
public class NoAnonymousTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new() { JwtSecret = "a-test-secret-of-at-least-thirty-two-characters", AllowAnonymous = false };

    [Test]
    public async Task A_request_without_a_token_is_401_PGRST302()
    {
        var (status, body, _) = await GetAsync("");

        Assert.That(status, Is.EqualTo(401));
        Assert.That(body, Does.Contain("\"code\":\"PGRST302\""));
    }
}
