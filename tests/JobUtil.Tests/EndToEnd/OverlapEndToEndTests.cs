using JobUtil.Testing;

namespace JobUtil.Tests.EndToEnd;

/// <summary>A table with the one-running-row-per-name guard refuses a second concurrent run.</summary>
public class OverlapEndToEndTests : EndToEndFixture
{
    protected override FakeJobsApiOptions Options => new() { OneRunInProgressPerName = true };

    [Test]
    public async Task A_second_start_while_a_run_is_in_progress_is_JobAlreadyRunningException()
    {
        using var first = NewJob();
        using var second = NewJob();
        await first.StartAsync();

        var refused = Assert.ThrowsAsync<JobAlreadyRunningException>(async () => await second.StartAsync());

        Assert.That(refused!.JobName, Is.EqualTo("nightly_copy"));
        Assert.That(Api.Rows, Has.Count.EqualTo(1));
    }
}
