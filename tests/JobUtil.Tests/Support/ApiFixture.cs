using JobUtil.Testing;
using JobUtil.Tests.Resilience;

namespace JobUtil.Tests.Support;

/// <summary>
/// One <see cref="FakeJobsApi"/> per fixture, reset before each test, and a fresh <see cref="ObservableClock"/> per
/// test: the job's dates, timeouts and retry waits all run on it.
/// </summary>
public abstract class ApiFixture
{
    protected FakeJobsApi Api { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    private protected ObservableClock Clock { get; private set; } = null!;

    [OneTimeSetUp]
    public void StartApi()
    {
        Api = FakeJobsApi.Start();
        Http = new HttpClient();
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        Http.Dispose();
        Api.Dispose();
    }

    [SetUp]
    public void ResetApi()
    {
        Api.Reset();
        Clock = new ObservableClock();
    }

    /// <summary>Options for the fake, with retries off unless a test turns them on.</summary>
    protected JobOptions Options(Action<JobOptions>? configure = null)
    {
        var options = new JobOptions { Url = Api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A job on the fixture's clock.</summary>
    private protected Job NewJob(Action<JobOptions>? configure = null, string name = "orders", Microsoft.Extensions.Logging.ILoggerFactory? logs = null)
        => new(name, Options(configure), Http, Clock, logs);

    /// <summary>The one row of the table.</summary>
    protected FakeJobRow Row => Api.Rows.Single();

    protected int Count(string method) => Api.Requests.Count(r => r.Method == method);
}
