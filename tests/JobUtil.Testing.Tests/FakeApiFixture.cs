using System.Net.Http.Headers;
using System.Text;

namespace JobUtil.Testing.Tests;

/// <summary>One fake per fixture, reset before each test, and a raw HttpClient to talk to it.</summary>
public abstract class FakeApiFixture
{
    protected FakeJobsApi Api { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    protected virtual FakeJobsApiOptions Options => new();

    [OneTimeSetUp]
    public void StartFake()
    {
        Api = FakeJobsApi.Start(Options);
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    [OneTimeTearDown]
    public void StopFake()
    {
        Http.Dispose();
        Api.Dispose();
    }

    [SetUp]
    public void ResetFake() => Api.Reset();

    protected static HttpRequestMessage Request(HttpMethod method, string url, string? json = null, string? prefer = null, string? token = null, string? accept = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (prefer is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return request;
    }

    protected async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string pathAndQuery, string? json = null, string? prefer = null, string? token = null, string? accept = null)
    {
        var url = pathAndQuery.StartsWith("http", StringComparison.Ordinal) ? pathAndQuery : Api.Url + pathAndQuery;
        using var request = Request(method, url, json, prefer, token, accept);
        var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, body, response);
    }

    protected Task<(int Status, string Body, HttpResponseMessage Response)> GetAsync(string query, string? token = null, string? accept = null)
        => SendAsync(HttpMethod.Get, query, token: token, accept: accept);

    protected Task<(int Status, string Body, HttpResponseMessage Response)> PostAsync(string json, string? prefer = "return=representation", string? token = null, string query = "")
        => SendAsync(HttpMethod.Post, query, json, prefer, token);

    protected Task<(int Status, string Body, HttpResponseMessage Response)> PatchAsync(string query, string json, string? prefer = "return=representation", string? token = null)
        => SendAsync(HttpMethod.Patch, query, json, prefer, token);

    protected static FakeJobRow Row(string name, string start, string status = "success", string? end = null, int? records = null, string source = "src", string destination = "dst", string? message = null)
        => new()
        {
            Name = name,
            StartDate = DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            EndDate = end is null ? null : DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture),
            Status = status,
            RecordsProcessed = records,
            Source = source,
            Destination = destination,
            Message = message,
        };

    protected static string Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
            : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(", ", contentValues)
            : string.Empty;
}
