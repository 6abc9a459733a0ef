using JobUtil.Testing;

namespace JobUtil.Tests.EndToEnd;

/// <summary>
/// A table with the one-running-row-per-name guard (db/schema.sql's overlap guard) refuses a second concurrent run:
/// every way of starting one reports <see cref="JobAlreadyRunningException"/>, retries nothing and runs no work.
/// </summary>
public class OverlapEndToEndTests : EndToEndFixture
{
    protected override FakeJobsApiOptions Options => new() { OneRunInProgressPerName = true };

    private static IEnumerable<TestCaseData> Starts()
    {
        yield return new TestCaseData((Func<Job, Action, Task>)((job, _) => job.StartAsync())).SetName("{m}(StartAsync)");
        yield return new TestCaseData((Func<Job, Action, Task>)((job, _) => job.StartRunAsync())).SetName("{m}(StartRunAsync)");
        yield return new TestCaseData((Func<Job, Action, Task>)((job, ran) => job.RunAsync((_, _) => { ran(); return Task.FromResult(1L); }))).SetName("{m}(RunAsync with a count)");
        yield return new TestCaseData((Func<Job, Action, Task>)((job, ran) => job.RunAsync((_, _) => { ran(); return Task.CompletedTask; }))).SetName("{m}(RunAsync without a count)");
    }

    [TestCaseSource(nameof(Starts))]
    public async Task A_second_start_while_a_run_is_in_progress_is_JobAlreadyRunningException_and_runs_nothing(Func<Job, Action, Task> start)
    {
        using var first = NewJob();
        using var second = NewRetryingJob();
        await first.StartAsync();
        var bodyRan = false;

        var refused = Assert.ThrowsAsync<JobAlreadyRunningException>(async () => await start(second, () => bodyRan = true));

        Assert.Multiple(() =>
        {
            Assert.That(refused!.JobName, Is.EqualTo("nightly_copy"));
            Assert.That(refused.Status, Is.EqualTo(409));
            Assert.That(refused.ErrorCode, Is.EqualTo("23505"));
            Assert.That(refused.IsTransient, Is.False);
            Assert.That(refused, Is.InstanceOf<JobsApiException>(), "callers that catch JobsApiException still catch it");
            Assert.That(bodyRan, Is.False);
            Assert.That(second.Current, Is.Null);
            Assert.That(Api.Rows, Has.Count.EqualTo(1));
            Assert.That(Api.Requests.Count(r => r.Method == "POST"), Is.EqualTo(2), "the refused start is not retried");
            Assert.That(Api.Requests.Count(r => r.Method == "PATCH"), Is.Zero, "no outcome is recorded for a run that never started");
        });
    }
}
