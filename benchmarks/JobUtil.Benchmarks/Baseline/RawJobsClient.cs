using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace JobUtil.Benchmarks.Baseline;

/// <summary>
/// The limit the SDK is measured against: what a careful developer would write by hand with <see cref="HttpClient"/>
/// and System.Text.Json source generation, with no retries, timeouts, validation, logging or telemetry. It sends the
/// same requests as the SDK (URLs, headers, bodies) and parses the same responses.
/// </summary>
internal sealed class RawJobsClient
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly HttpMethod Patch = new("PATCH");

    private readonly HttpClient _http;
    private readonly string _table;
    private readonly string _watermarkUrl;
    private readonly AuthenticationHeaderValue _authorization;
    private readonly string _name;
    private readonly string _source;
    private readonly string _destination;

    public RawJobsClient(HttpClient http, string table, string token, string name, string source, string destination)
    {
        _http = http;
        _table = table;
        _watermarkUrl = $"{table}?select=start_date&name=eq.{Uri.EscapeDataString(name)}&status=eq.success&order=start_date.desc&limit=1";
        _authorization = new AuthenticationHeaderValue("Bearer", token);
        _name = name;
        _source = source;
        _destination = destination;
    }

    public async Task<DateTimeOffset?> MostRecentAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _watermarkUrl);
        request.Headers.Accept.Add(AcceptJson);
        request.Headers.Authorization = _authorization;
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var rows = await response.Content.ReadFromJsonAsync(RawJsonContext.Default.RawWatermarkRowArray, cancellationToken).ConfigureAwait(false);
        return rows is { Length: > 0 } ? rows[0].StartDate : null;
    }

    public Task<RawJobRow> StartAsync(CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
        var body = new RawNewRun { Name = _name, StartDate = start, Source = _source, Destination = _destination };
        return SendRowAsync(HttpMethod.Post, _table, JsonContent.Create(body, RawJsonContext.Default.RawNewRun), cancellationToken);
    }

    public Task<RawJobRow> ResultAsync(long id, string status, long? recordsProcessed, string? message, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        var end = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
        var body = new RawRunUpdate { EndDate = end, Status = status, RecordsProcessed = recordsProcessed, Message = message };
        var url = string.Concat(_table, "?id=eq.", id.ToString(CultureInfo.InvariantCulture), "&status=eq.in_progress");
        return SendRowAsync(Patch, url, JsonContent.Create(body, RawJsonContext.Default.RawRunUpdate), cancellationToken);
    }

    private async Task<RawJobRow> SendRowAsync(HttpMethod method, string url, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Accept.Add(AcceptJson);
        request.Headers.TryAddWithoutValidation("Prefer", "return=representation");
        request.Headers.Authorization = _authorization;
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var rows = await response.Content.ReadFromJsonAsync(RawJsonContext.Default.RawJobRowArray, cancellationToken).ConfigureAwait(false);
        return rows is [var row] ? row : throw new InvalidOperationException("Expected one row.");
    }
}
