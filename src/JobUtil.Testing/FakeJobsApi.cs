namespace JobUtil.Testing;

/// <summary>An in-process, stateful stand-in for a PostgREST Jobs API (a test double, not a production server).</summary>
public sealed class FakeJobsApi
{
    private FakeJobsApi()
    {
    }
}
