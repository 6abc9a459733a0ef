using JobUtil.Testing;

namespace JobUtil.Cli.Tests;

/// <summary>One FakeJobsApi per fixture, reset before each test.</summary>
public abstract class FakeApiFixture
{
    protected FakeJobsApi Api { get; private set; } = null!;

    [OneTimeSetUp]
    public void StartServer() => Api = FakeJobsApi.Start();

    [OneTimeTearDown]
    public void StopServer() => Api.Dispose();

    [SetUp]
    public void ResetServer() => Api.Reset();
}
