using System.Text.RegularExpressions;
using JobUtil.Benchmarks.Baseline;

namespace JobUtil.Benchmarks;

/// <summary>
/// What every benchmark shares: the PostgREST stub, one <see cref="HttpClient"/> used by the SDK and the baseline
/// alike, and the settings of the benchmarked job. The SDK runs with its default resilience settings.
/// </summary>
internal sealed class LoopbackFixture : IAsyncDisposable
{
    public const string JobName = "bench_job";
    public const string Source = "crm";
    public const string Destination = "warehouse";
    public const string Token = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiam9ic193cml0ZXIifQ.c2lnbmF0dXJl";

    private LoopbackFixture(PostgrestStub stub, HttpClient http)
    {
        Stub = stub;
        Http = http;
        Options = new JobOptions { Url = stub.TableUrl, Token = Token, Source = Source, Destination = Destination };
        Raw = new RawJobsClient(http, stub.TableUrl, Token, JobName, Source, Destination);
    }

    public PostgrestStub Stub { get; }

    public HttpClient Http { get; }

    public JobOptions Options { get; }

    public RawJobsClient Raw { get; }

    public static LoopbackFixture Start()
    {
        var stub = PostgrestStub.StartAsync().GetAwaiter().GetResult();
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        return new LoopbackFixture(stub, http);
    }

    public Job NewJob() => new(JobName, Options, Http);

    /// <summary>
    /// Fails unless the SDK and the baseline send the same requests (timestamps aside): a baseline that did less
    /// would flatter itself.
    /// </summary>
    public void EnsureSameRequests(Func<Task> sdk, Func<Task> raw)
    {
        Stub.StartRecording();
        sdk().GetAwaiter().GetResult();
        var fromSdk = Stub.StopRecording();

        Stub.StartRecording();
        raw().GetAwaiter().GetResult();
        var fromRaw = Stub.StopRecording();

        var a = string.Join("\n", fromSdk.Select(Normalize));
        var b = string.Join("\n", fromRaw.Select(Normalize));
        if (fromSdk.Count == 0 || a != b)
        {
            throw new InvalidOperationException($"The SDK and the baseline sent different requests.\nSDK:\n{a}\nBaseline:\n{b}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Stub.DisposeAsync().ConfigureAwait(false);
    }

    private static string Normalize(RecordedRequest request)
        => (request with { Body = Regex.Replace(request.Body, @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", "<timestamp>") }).ToString();
}
