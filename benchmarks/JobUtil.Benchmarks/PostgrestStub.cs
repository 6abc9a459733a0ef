using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace JobUtil.Benchmarks;

/// <summary>
/// A Kestrel server on loopback that answers like PostgREST with canned bodies: GET returns one watermark row,
/// POST 201 with the inserted row, PATCH 200 with the updated row. It does as little as a server can, so what
/// is measured is the client. It can record requests, to prove the SDK and the baseline send the same ones.
/// </summary>
internal sealed class PostgrestStub : IAsyncDisposable
{
    public const string TablePath = "/bench/jobs";

    internal static readonly byte[] WatermarkBody = Encoding.UTF8.GetBytes(
        """[{"start_date":"2024-05-01T02:00:00.123456+00:00"}]""");

    internal static readonly byte[] InsertedBody = Encoding.UTF8.GetBytes(
        """[{"id":42,"name":"bench_job","start_date":"2024-05-02T02:00:00.123456+00:00","end_date":null,"message":null,"status":"in_progress","records_processed":null,"source":"crm","destination":"warehouse"}]""");

    internal static readonly byte[] UpdatedBody = Encoding.UTF8.GetBytes(
        """[{"id":42,"name":"bench_job","start_date":"2024-05-02T02:00:00.123456+00:00","end_date":"2024-05-02T02:05:00.654321+00:00","message":null,"status":"success","records_processed":503,"source":"crm","destination":"warehouse"}]""");

    private readonly WebApplication _app;
    private int _connections;
    private volatile List<RecordedRequest>? _recording;

    private PostgrestStub(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The full URL of the jobs table.</summary>
    public string TableUrl { get; private set; } = string.Empty;

    /// <summary>TCP connections accepted so far: a client that reuses its connections keeps this small.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public static async Task<PostgrestStub> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        PostgrestStub? stub = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
            {
                Interlocked.Increment(ref stub!._connections);
                return next(connection);
            }));
        });

        var app = builder.Build();
        stub = new PostgrestStub(app);
        app.Run(stub.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        stub.TableUrl = address.TrimEnd('/') + TablePath;
        return stub;
    }

    /// <summary>Records every request until <see cref="StopRecording"/>.</summary>
    public void StartRecording() => _recording = [];

    public IReadOnlyList<RecordedRequest> StopRecording()
    {
        var recorded = _recording ?? [];
        _recording = null;
        return recorded;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The inserted row, with the start date of the POST's body.</summary>
    internal static byte[] Inserted(string body)
    {
        using var sent = System.Text.Json.JsonDocument.Parse(body);
        var start = sent.RootElement.GetProperty("start_date").GetString()!;
        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(InsertedBody).Replace("2024-05-02T02:00:00.123456+00:00", start, StringComparison.Ordinal));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;

        var recording = _recording;
        string? body = null;
        if (recording is not null || request.Method == "POST")
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync().ConfigureAwait(false);
        }

        if (recording is not null)
        {
            lock (recording)
            {
                recording.Add(new RecordedRequest(
                    request.Method,
                    request.Path + request.QueryString,
                    request.Headers.Accept.ToString(),
                    request.ContentType ?? string.Empty,
                    request.Headers["Prefer"].ToString(),
                    request.Headers.Authorization.ToString(),
                    body!));
            }
        }

        if (request.Path != TablePath)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        byte[] answer;
        switch (request.Method)
        {
            case "GET":
                answer = WatermarkBody;
                break;
            case "POST":
                // The inserted row carries the start date that was sent, as PostgreSQL's does: a client may check it.
                response.StatusCode = StatusCodes.Status201Created;
                answer = Inserted(body!);
                break;
            case "PATCH":
                answer = UpdatedBody;
                break;
            default:
                response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
        }

        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = answer.Length;
        await response.Body.WriteAsync(answer).ConfigureAwait(false);
    }
}

/// <summary>What the stub received: everything the comparison of SDK and baseline looks at.</summary>
internal sealed record RecordedRequest(string Method, string PathAndQuery, string Accept, string ContentType, string Prefer, string Authorization, string Body);
