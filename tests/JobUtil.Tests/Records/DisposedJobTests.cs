using JobUtil.Tests.Support;

namespace JobUtil.Tests.Records;

/// <summary>
/// Disposing a <see cref="Job"/> ends what it started as disposing a <see cref="JobRun"/> does: a run with no outcome is
/// recorded as error, "ended without an outcome", never left in progress.
/// </summary>
public sealed class DisposedJobTests : ApiFixture
{
    [Test]
    public async Task A_run_StartAsync_left_without_a_result_is_recorded_as_error_when_the_job_is_disposed()
    {
        using (var job = NewJob())
        {
            await job.StartAsync();
        }

        Assert.Multiple(() =>
        {
            Assert.That(Row.Status, Is.EqualTo("error"));
            Assert.That(Row.Message, Is.EqualTo(JobRun.NoOutcomeMessage));
            Assert.That(Row.EndDate, Is.Not.Null);
        });
    }

    [Test]
    public async Task A_disposed_job_and_a_disposed_run_record_the_same_outcome()
    {
        using (var job = NewJob(name: "by_job"))
        {
            await job.StartAsync();
        }

        using (var job = NewJob(name: "by_handle"))
        {
            await using var run = await job.StartRunAsync();
        }

        var byJob = Api.Rows.Single(r => r.Name == "by_job");
        var byHandle = Api.Rows.Single(r => r.Name == "by_handle");
        Assert.That((byJob.Status, byJob.Message), Is.EqualTo((byHandle.Status, byHandle.Message)));
    }

    [Test]
    public async Task A_job_whose_run_has_its_result_sends_nothing_when_disposed()
    {
        using (var job = NewJob())
        {
            await job.StartAsync();
            await job.ResultAsync(JobStatus.Success, 3);
        }

        Assert.Multiple(() =>
        {
            Assert.That(Count("PATCH"), Is.EqualTo(1), "only the result's PATCH");
            Assert.That(Row.Status, Is.EqualTo("success"));
            Assert.That(Row.RecordsProcessed, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task A_failure_to_record_the_error_on_dispose_is_logged_not_thrown()
    {
        var job = NewJob();
        await job.StartAsync();
        Api.FailNext(1, 400, "PATCH");

        Assert.That(job.Dispose, Throws.Nothing);
        Assert.That(Row.Status, Is.EqualTo("in_progress"), "the refused PATCH changed nothing");
    }
}
