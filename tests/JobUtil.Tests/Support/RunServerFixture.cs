namespace JobUtil.Tests.Support;

/// <summary>One <see cref="RunServer"/> per fixture, reset before each test.</summary>
public abstract class RunServerFixture
{
    private protected RunServer Server { get; private set; } = null!;

    [OneTimeSetUp]
    public void StartRunServer() => Server = new RunServer();

    [OneTimeTearDown]
    public void StopRunServer() => Server.Dispose();

    [SetUp]
    public void ResetRunServer() => Server.Reset();
}
