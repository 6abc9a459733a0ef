using JobUtil.Testing;
using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Tests.EndToEnd;

/// <summary>One FakeJobsApi per fixture, reset before each test; jobs talk to it through a shared HttpClient.</summary>
public abstract class EndToEndFixture
{
    protected FakeJobsApi Api { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    protected FakeTimeProvider Clock { get; private set; } = null!;

    protected virtual FakeJobsApiOptions Options => new();

    [OneTimeSetUp]
    public void StartFake()
    {
        Api = FakeJobsApi.Start(Options);
        Http = new HttpClient();
    }

    [OneTimeTearDown]
    public void StopFake()
    {
        Http.Dispose();
        Api.Dispose();
    }

    [SetUp]
    public void ResetFake()
    {
        Api.Reset();
        Clock = new FakeTimeProvider(new DateTimeOffset(2024, 3, 1, 2, 0, 0, TimeSpan.Zero));
    }

    /// <summary>A job on the fake clock, with retries off: no test waits on a backoff.</summary>
    protected Job NewJob(string name = "nightly_copy", string? token = null)
        => new(name, new JobOptions { Url = Api.Url, Source = "crm", Destination = "warehouse", Token = token, MaxRetryAttempts = 0 }, Http, Clock);

    /// <summary>A job on the real clock with tiny retry delays, for the tests that need a retry to happen.</summary>
    protected Job NewRetryingJob(string name = "nightly_copy")
        => new(name, new JobOptions
        {
            Url = Api.Url,
            Source = "crm",
            Destination = "warehouse",
            MaxRetryAttempts = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(5),
            AttemptTimeout = TimeSpan.FromSeconds(10),
        }, Http);
}
