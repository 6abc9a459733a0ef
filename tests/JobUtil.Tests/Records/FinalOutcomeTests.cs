using System.Net.Http.Json;
using JobUtil.Testing;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Records;

/// <summary>
/// A final state is final: an outcome is recorded only on a run still in progress; a retried update whose first attempt
/// was committed counts as recorded; a different outcome on an ended run is <see cref="JobRunAlreadyEndedException"/>.
/// </summary>
public sealed class FinalOutcomeTests : ApiFixture
{
    [Test]
    public async Task An_outcome_is_sent_as_a_conditional_update_of_a_run_in_progress()
    {
        using var job = NewJob();
        await using var run = await job.StartRunAsync();

        await run.SucceedAsync(5);

        Assert.That(Api.Requests.Single(r => r.Method == "PATCH").Query, Is.EqualTo($"id=eq.{run.Id}&status=eq.in_progress"));
    }

    [Test]
    public async Task A_different_outcome_on_a_run_ended_elsewhere_is_JobRunAlreadyEndedException_and_changes_nothing()
    {
        var stored = Api.Seed(new FakeJobRow { Name = "orders", Source = "crm", Destination = "warehouse", StartDate = Clock.GetUtcNow().AddMinutes(-5) })[0];
        using var job = NewJob();
        await using var run = await job.OpenRunAsync(stored.Id);
        await EndDirectlyAsync(stored.Id, "success", 503);

        var error = Assert.ThrowsAsync<JobRunAlreadyEndedException>(() => run.FailAsync("late error"))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.RunId, Is.EqualTo(stored.Id));
            Assert.That(error.Run.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(error.Run.RecordsProcessed, Is.EqualTo(503));
            Assert.That(error.Message, Does.Contain($"run {stored.Id} of job 'orders' has already ended (status success").And.Contain("records_processed 503").And.Contain("error was not recorded"));
            Assert.That(error.Attempts, Is.EqualTo(1), "not retried");
            Assert.That(Row.Status, Is.EqualTo("success"));
            Assert.That(Row.RecordsProcessed, Is.EqualTo(503));
            Assert.That(Row.Message, Is.Null);
            Assert.That(run.HasOutcome, Is.False, "this handle recorded nothing");
        });
    }

    [Test]
    public async Task A_stray_error_after_a_success_leaves_the_watermark_alone()
    {
        using var job = NewJob();
        await job.StartAsync();
        var done = await job.ResultAsync(JobStatus.Success, 10);
        using var other = NewJob();

        await using var reopened = await other.OpenRunAsync(done.Id);

        Assert.That(reopened.HasOutcome, Is.True, "the handle knows the run has ended");
        Assert.That(() => reopened.FailAsync("stray"), Throws.InstanceOf<JobRunAlreadyEndedException>());
        Assert.That(Api.Rows.Single().Status, Is.EqualTo("success"));
        Assert.That(await job.MostRecentAsync(), Is.EqualTo(done.StartDate));
    }

    [Test]
    public async Task A_retried_PATCH_whose_first_attempt_was_committed_is_recognised_as_done()
    {
        Api.FailNextAfterCommit(1, 0, "PATCH");
        using var job = NewJob(Retrying);
        await job.StartAsync();

        var done = await job.ResultAsync(JobStatus.Success, 42, "all good");

        Assert.Multiple(() =>
        {
            Assert.That(done.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(done.RecordsProcessed, Is.EqualTo(42));
            Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "PATCH", "PATCH", "GET" }), "the second PATCH matched nothing, so the run was read back");
            Assert.That(Row.Status, Is.EqualTo("success"));
        });
    }

    [Test]
    public async Task A_retried_PATCH_answered_404_by_an_older_server_is_recognised_as_done()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { Era = PostgrestEra.V8 });
        api.FailNextAfterCommit(1, 0, "PATCH");
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, Http, Clock);
        await job.StartAsync();

        var done = await job.ResultAsync(JobStatus.Error, message: "failed");

        Assert.That(done.Status, Is.EqualTo(JobStatus.Error));
        Assert.That(api.Requests.Where(r => r.Method == "PATCH").Select(r => r.Status), Is.EqualTo(new[] { 0, 404 }));
    }

    [Test]
    public async Task A_retried_PATCH_that_finds_another_outcome_is_JobRunAlreadyEndedException()
    {
        // The first attempt is lost; before the retry, someone else ends the run with another count.
        Api.FailNext(1, 0, "PATCH");
        using var job = NewJob(o =>
        {
            o.MaxRetryAttempts = 0;
        });
        await job.StartAsync();
        Assert.That(() => job.ResultAsync(JobStatus.Success, 1), Throws.InstanceOf<JobsApiException>());
        await EndDirectlyAsync(Row.Id, "success", 2);

        Assert.That(() => job.ResultAsync(JobStatus.Success, 1), Throws.InstanceOf<JobRunAlreadyEndedException>().With.Message.Contains("records_processed 2"));
        Assert.That(Row.RecordsProcessed, Is.EqualTo(2));
    }

    [TestCase("object")]
    [TestCase("empty")]
    public async Task An_outcome_whose_echo_cannot_be_read_is_read_back_and_not_reported_as_a_failure(string answer)
    {
        if (answer == "object")
        {
            Api.ObjectAnswerNextAfterCommit(1, "PATCH");
        }
        else
        {
            Api.EmptyAnswerNextAfterCommit(1, 200, "PATCH");
        }

        using var job = NewJob();
        await using var run = await job.StartRunAsync();

        var done = await run.SucceedAsync(9);

        Assert.Multiple(() =>
        {
            Assert.That(done.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(done.RecordsProcessed, Is.EqualTo(9));
            Assert.That(run.HasOutcome, Is.True);
            Assert.That(Count("PATCH"), Is.EqualTo(1), "recorded once, not sent again");
        });
    }

    [Test]
    public void An_outcome_for_a_run_that_is_gone_is_JobRunNotFoundException()
    {
        var stored = Api.Seed(new FakeJobRow { Name = "orders", Source = "crm", Destination = "warehouse", StartDate = Clock.GetUtcNow() })[0];
        using var job = NewJob();
        var run = job.OpenRunAsync(stored.Id).GetAwaiter().GetResult();
        Api.Reset();

        Assert.That(() => run.SucceedAsync(), Throws.InstanceOf<JobRunNotFoundException>().With.Property(nameof(JobRunNotFoundException.RunId)).EqualTo(stored.Id));
    }

    /// <summary>Another client ends the run, as <c>jobutil result</c> from another host would.</summary>
    private async Task EndDirectlyAsync(long id, string status, int count)
    {
        using var request = new HttpRequestMessage(new HttpMethod("PATCH"), $"{Api.Url}?id=eq.{id}")
        {
            Content = JsonContent.Create(new Dictionary<string, object> { ["status"] = status, ["records_processed"] = count, ["end_date"] = Clock.GetUtcNow().ToString("O") }),
        };
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private static void Retrying(JobOptions options)
    {
        options.MaxRetryAttempts = 2;
        options.RetryBaseDelay = TimeSpan.Zero;
        options.MaxRetryDelay = TimeSpan.Zero;
    }
}
