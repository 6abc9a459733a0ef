using JobUtil.Testing;
using JobUtil.Tests.Support;
using Microsoft.Extensions.Logging;

namespace JobUtil.Tests.Run;

/// <summary>The run handle: one outcome per run, recorded through it; disposed without one, the run ends as error.</summary>
public sealed class JobRunTests : ApiFixture
{
    [Test]
    public async Task A_started_run_records_success_with_its_count_and_carries_the_server_record()
    {
        using var job = NewJob();
        await using var run = await job.StartRunAsync();
        Clock.Advance(TimeSpan.FromMinutes(2));

        var done = await run.SucceedAsync(12, "copied");

        Assert.Multiple(() =>
        {
            Assert.That(run.Record, Is.EqualTo(done));
            Assert.That(run.HasOutcome, Is.True);
            Assert.That(Row.Status, Is.EqualTo("success"));
            Assert.That(Row.RecordsProcessed, Is.EqualTo(12));
            Assert.That(Row.Message, Is.EqualTo("copied"));
            Assert.That(done.Duration, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(job.Current, Is.Null, "a handle's run is not the job's current run");
        });
    }

    [Test]
    public async Task A_run_records_an_error_with_its_message()
    {
        using var job = NewJob();
        await using var run = await job.StartRunAsync();

        await run.FailAsync("source unreachable");

        Assert.That(Row.Status, Is.EqualTo("error"));
        Assert.That(Row.Message, Is.EqualTo("source unreachable"));
        Assert.That(Row.RecordsProcessed, Is.Null);
    }

    [Test]
    public async Task Disposing_a_run_without_an_outcome_records_it_as_error()
    {
        using var job = NewJob();

        await using (await job.StartRunAsync())
        {
        }

        Assert.Multiple(() =>
        {
            Assert.That(Row.Status, Is.EqualTo("error"));
            Assert.That(Row.Message, Is.EqualTo(JobRun.NoOutcomeMessage));
            Assert.That(Row.EndDate, Is.Not.Null);
        });
    }

    [Test]
    public async Task Disposing_a_run_with_an_outcome_sends_nothing_more()
    {
        using var job = NewJob();
        var run = await job.StartRunAsync();
        await run.SucceedAsync(1);

        await run.DisposeAsync();

        Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "PATCH" }));
        Assert.That(Row.Status, Is.EqualTo("success"));
    }

    [Test]
    public async Task A_second_outcome_is_refused_without_a_request()
    {
        using var job = NewJob();
        await using var run = await job.StartRunAsync();
        await run.SucceedAsync(1);

        Assert.That(() => run.FailAsync("late"), Throws.InvalidOperationException.With.Message.Contains("already ended with status success"));
        Assert.That(Count("PATCH"), Is.EqualTo(1));
        Assert.That(Row.Status, Is.EqualTo("success"));
    }

    [Test]
    public async Task An_outcome_that_could_not_be_recorded_can_be_tried_again()
    {
        Api.FailNext(1, 400, "PATCH");
        using var job = NewJob();
        await using var run = await job.StartRunAsync();

        Assert.That(() => run.SucceedAsync(3), Throws.InstanceOf<JobsApiException>());
        Assert.That(run.HasOutcome, Is.False);
        await run.SucceedAsync(3);

        Assert.That(Row.Status, Is.EqualTo("success"));
    }

    [Test]
    public async Task Disposal_that_cannot_record_the_error_logs_it_and_does_not_throw()
    {
        Api.FailNext(1, 400, "PATCH");
        var logs = new CapturingLoggerFactory();
        using var job = NewJob(logs: logs);
        var run = await job.StartRunAsync();

        Assert.That(async () => await run.DisposeAsync(), Throws.Nothing);

        Assert.That(Row.Status, Is.EqualTo("in_progress"));
        Assert.That(logs.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.EventName), Is.EqualTo(new[] { "OutcomeNotRecorded" }));
    }

    [TestCase(-1L)]
    [TestCase(2_147_483_648L)]
    public async Task A_count_outside_the_column_is_refused_before_anything_is_sent(long count)
    {
        using var job = NewJob();
        await using var run = await job.StartRunAsync();

        Assert.That(() => run.SucceedAsync(count), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("2147483647"));
        Assert.That(Count("PATCH"), Is.Zero);
        await run.FailAsync();
    }

    [Test]
    public async Task A_run_started_elsewhere_is_opened_by_id_and_ended_here()
    {
        var stored = Api.Seed(new FakeJobRow { Name = "orders", Source = "crm", Destination = "warehouse", StartDate = Clock.GetUtcNow().AddMinutes(-5) });
        using var job = NewJob();

        await using var run = await job.OpenRunAsync(stored[0].Id);
        var done = await run.SucceedAsync(7);

        Assert.Multiple(() =>
        {
            Assert.That(done.Name, Is.EqualTo("orders"));
            Assert.That(Row.Status, Is.EqualTo("success"));
            Assert.That(Row.RecordsProcessed, Is.EqualTo(7));
            Assert.That(Row.EndDate, Is.EqualTo(Clock.GetUtcNow()));
        });
    }

    [Test]
    public void Opening_a_run_of_another_job_is_refused_naming_both_and_changes_nothing()
    {
        var stored = Api.Seed(new FakeJobRow { Name = "nightly", Source = "crm", Destination = "warehouse", StartDate = Clock.GetUtcNow().AddMinutes(-5) });
        using var job = NewJob(name: "another_job");

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => job.OpenRunAsync(stored[0].Id));

        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Message, Does.Contain("'nightly'").And.Contain("'another_job'").And.Contain(nameof(JobRun.OpenOfAnyJobAsync)));
            Assert.That(Row.Status, Is.EqualTo("in_progress"));
            Assert.That(Count("PATCH"), Is.Zero);
        });
    }

    [Test]
    public async Task A_run_of_any_job_is_opened_by_id_without_a_job_and_ended_here()
    {
        var stored = Api.Seed(new FakeJobRow { Name = "nightly", Source = "crm", Destination = "warehouse", StartDate = Clock.GetUtcNow().AddMinutes(-5) });
        var options = new JobOptions { Url = Api.Url, MaxRetryAttempts = 0 };

        await using var run = await JobRun.OpenOfAnyJobAsync(stored[0].Id, options, Http, Clock);
        var done = await run.SucceedAsync(7);

        Assert.Multiple(() =>
        {
            Assert.That(done.Name, Is.EqualTo("nightly"));
            Assert.That(Row.Status, Is.EqualTo("success"));
            Assert.That(Row.EndDate, Is.EqualTo(Clock.GetUtcNow()), "on the clock it was given");
            Assert.That(() => JobRun.OpenOfAnyJobAsync(1, new JobOptions { Url = "not a url" }, Http), Throws.ArgumentException);
        });
    }

    [Test]
    public async Task A_run_started_on_a_clock_ahead_of_this_one_ends_at_its_start()
    {
        var start = Clock.GetUtcNow().AddMinutes(10);
        var stored = Api.Seed(new FakeJobRow { Name = "orders", Source = "crm", Destination = "warehouse", StartDate = start });
        using var job = NewJob();

        await using var run = await job.OpenRunAsync(stored[0].Id);
        await run.FailAsync("ended early");

        Assert.That(Row.EndDate, Is.EqualTo(start), "end_date >= start_date holds");
    }

    [Test]
    public async Task A_run_that_has_ended_opens_with_its_outcome_and_the_server_refuses_another()
    {
        var start = Clock.GetUtcNow().AddHours(-1);
        var stored = Api.Seed(new FakeJobRow { Name = "orders", Source = "crm", Destination = "warehouse", StartDate = start, EndDate = start.AddMinutes(1), Status = "error" });
        using var job = NewJob();

        await using var run = await job.OpenRunAsync(stored[0].Id);

        Assert.That(run.HasOutcome, Is.True);
        Assert.That(() => run.SucceedAsync(), Throws.InstanceOf<JobRunAlreadyEndedException>().With.Message.Contains("has already ended (status error"));
        Assert.That(Row.Status, Is.EqualTo("error"), "the server's outcome is final");

        // The outcome it holds is recognised as recorded (a repeated command, say).
        var same = await run.FailAsync();
        Assert.That(same.Status, Is.EqualTo(JobStatus.Error));
    }

    [Test]
    public void Opening_a_run_that_does_not_exist_is_JobRunNotFoundException()
    {
        using var job = NewJob();

        var error = Assert.ThrowsAsync<JobRunNotFoundException>(() => job.OpenRunAsync(404));

        Assert.That(error!.RunId, Is.EqualTo(404));
    }

    [Test]
    public async Task A_job_reads_one_run_and_lists_its_own_newest_first()
    {
        var t = Clock.GetUtcNow();
        Api.Seed(
            new FakeJobRow { Name = "orders", Source = "crm", Destination = "warehouse", StartDate = t.AddHours(-3), EndDate = t.AddHours(-3), Status = "success" },
            new FakeJobRow { Name = "other", Source = "crm", Destination = "warehouse", StartDate = t.AddHours(-2) },
            new FakeJobRow { Name = "orders", Source = "crm", Destination = "warehouse", StartDate = t.AddHours(-1) });
        using var job = NewJob();

        var runs = await job.ListRunsAsync(limit: 5);
        var one = await job.GetRunAsync(runs[1].Id);

        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.StartDate), Is.EqualTo(new[] { t.AddHours(-1), t.AddHours(-3) }));
            Assert.That(one, Is.EqualTo(runs[1]));
            Assert.That(() => job.ListRunsAsync(0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }
}
