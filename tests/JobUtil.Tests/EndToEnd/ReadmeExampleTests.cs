using JobUtil.Testing;

namespace JobUtil.Tests.EndToEnd;

/// <summary>The README's "Testing your own jobs" example, kept compiling and passing.</summary>
public class ReadmeExampleTests
{
    private FakeJobsApi _api = null!;

    [OneTimeSetUp]
    public void Start() => _api = FakeJobsApi.Start();

    [OneTimeTearDown]
    public void Stop() => _api.Dispose();

    [SetUp]
    public void Reset() => _api.Reset();

    [Test]
    public async Task Copies_only_what_changed_since_the_last_success()
    {
        _api.Seed(new FakeJobRow
        {
            Name = "nightly_copy", Status = "success", Source = "crm", Destination = "warehouse",
            StartDate = DateTimeOffset.Parse("2024-03-01T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            EndDate = DateTimeOffset.Parse("2024-03-01T02:05:00Z", System.Globalization.CultureInfo.InvariantCulture),
        });
        using var job = new Job("nightly_copy", _api.Url, "crm", "warehouse");

        DateTimeOffset? seen = null;
        await job.RunAsync((since, ct) => { seen = since; return Task.FromResult(42L); });

        Assert.That(seen, Is.EqualTo(DateTimeOffset.Parse("2024-03-01T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(_api.Rows.Last().Status, Is.EqualTo("success"));
        Assert.That(_api.Rows.Last().RecordsProcessed, Is.EqualTo(42));
        Assert.That(_api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "GET", "POST", "PATCH" }));
    }
}
