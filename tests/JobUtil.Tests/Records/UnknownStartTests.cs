using JobUtil.Testing;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Records;

/// <summary>
/// A start whose outcome is unknown (the row may have been committed) is adopted when the row is found, and when the
/// start fails for good its row, if any, is found and ended as error: no run is left in progress that the client could end.
/// </summary>
public sealed class UnknownStartTests : ApiFixture
{
    [TestCase(500, TestName = "A committed POST answered with a proxy's HTML 500 is adopted")]
    [TestCase(522, TestName = "A committed POST answered with a CDN's 522 is adopted")]
    [TestCase(502, TestName = "A committed POST answered with an HTML 502 is adopted")]
    public async Task A_committed_POST_answered_with_a_page_that_is_not_PostgREST_is_adopted(int status)
    {
        Api.FailNextAfterCommit(1, status, "POST");
        using var job = NewJob(Retrying);

        var run = await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(Api.Rows, Has.Count.EqualTo(1), "no second row");
            Assert.That(run.Id, Is.EqualTo(Row.Id));
            Assert.That(Count("POST"), Is.EqualTo(1));
        });
    }

    [TestCase(502)]
    [TestCase(500)]
    [TestCase(520)]
    public async Task A_committed_POST_answered_with_an_empty_5xx_is_adopted(int status)
    {
        Api.EmptyAnswerNextAfterCommit(1, status, "POST");
        using var job = NewJob(Retrying);

        var run = await job.StartAsync();

        Assert.That(Api.Rows, Has.Count.EqualTo(1));
        Assert.That(run.Id, Is.EqualTo(Row.Id));
    }

    [Test]
    public async Task A_committed_POST_answered_201_with_an_empty_body_is_adopted_without_a_retry()
    {
        Api.EmptyAnswerNextAfterCommit(1, 201, "POST");
        using var job = NewJob();

        var run = await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(Api.Rows, Has.Count.EqualTo(1));
            Assert.That(run.Id, Is.EqualTo(Row.Id));
            Assert.That(run.Status, Is.EqualTo(JobStatus.InProgress));
            Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "GET" }));
        });
    }

    [Test]
    public async Task A_committed_POST_answered_with_an_object_is_adopted_without_a_retry()
    {
        Api.ObjectAnswerNextAfterCommit(1, "POST");
        using var job = NewJob();

        await using var run = await job.StartRunAsync();

        Assert.That(Api.Rows, Has.Count.EqualTo(1));
        Assert.That(run.Id, Is.EqualTo(Row.Id));
    }

    [Test]
    public void A_start_that_fails_for_good_after_a_commit_ends_its_row_as_error_with_the_reason()
    {
        // The one attempt is committed and its connection dropped: nothing is retried, so the row is found and ended.
        Api.FailNextAfterCommit(1, 0, "POST");
        var logs = new CapturingLoggerFactory();
        using var job = NewJob(logs: logs);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Status, Is.Zero);
            Assert.That(Row.Status, Is.EqualTo("error"));
            Assert.That(Row.EndDate, Is.Not.Null);
            Assert.That(Row.Message, Does.StartWith("The start failed before its outcome was known: Starting a run of job 'orders' failed"));
            Assert.That(job.Current, Is.Null);
            Assert.That(logs.Entries.Select(e => e.EventName), Does.Contain("FailedStartEnded"));
        });
    }

    [Test]
    public void A_failed_start_whose_row_cannot_be_looked_up_is_left_for_recovery_and_logged()
    {
        Api.FailNextAfterCommit(1, 0, "POST").FailNext(1, 0, "GET");
        var logs = new CapturingLoggerFactory();
        using var job = NewJob(logs: logs);

        Assert.That(() => job.StartAsync(), Throws.InstanceOf<JobsApiException>().With.Property(nameof(JobsApiException.Status)).Zero);

        Assert.That(Row.Status, Is.EqualTo("in_progress"));
        Assert.That(logs.Entries.Select(e => e.EventName), Does.Contain("FailedStartNotEnded"));
    }

    [Test]
    public async Task A_start_whose_retries_are_spent_while_its_fate_is_unknown_ends_its_row_as_error()
    {
        // The POST is committed but answered 504; both lookups that would adopt it fail; the clean-up's lookup works.
        Api.FailNextAfterCommit(1, 504, "POST").FailNext(2, 503, "GET");
        using var job = NewJob(Retrying);

        Assert.That(() => job.StartAsync(), Throws.InstanceOf<JobsApiException>().With.Property(nameof(JobsApiException.Attempts)).EqualTo(3));

        Assert.That(Api.Rows, Has.Count.EqualTo(1));
        Assert.That(Row.Status, Is.EqualTo("error"));
        Assert.That(Row.Message, Does.Contain("The start failed before its outcome was known"));

        // The job can start again: the failed start left nothing to block it.
        await job.StartAsync();
        Assert.That(Api.Rows, Has.Count.EqualTo(2));
    }

    [Test]
    public void A_start_refused_by_PostgREST_sends_no_lookup_and_no_clean_up()
    {
        Api.FailNext(1, 401, "POST");
        using var job = NewJob(Retrying);

        Assert.That(() => job.StartAsync(), Throws.InstanceOf<JobsApiException>().With.Property(nameof(JobsApiException.Status)).EqualTo(401));

        Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST" }));
    }

    [TestCase(6)]
    [TestCase(3)]
    [TestCase(0)]
    public async Task A_lost_start_is_found_by_its_run_key_whatever_the_precision_of_start_date(int precision)
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { StartDatePrecision = precision });
        api.FailNextAfterCommit(1, 504, "POST");
        Clock.Advance(TimeSpan.FromTicks(5_678_910)); // .567891 s: rounded up at 3 and 0 digits
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, Http, Clock);

        var run = await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(api.Rows, Has.Count.EqualTo(1), "adopted, not inserted again");
            Assert.That(run.Id, Is.EqualTo(api.Rows[0].Id));
            Assert.That(run.StartDate, Is.EqualTo(api.Rows[0].StartDate));
        });
    }

    [Test]
    public async Task Without_run_key_a_lost_start_is_adopted_when_its_exact_start_date_is_on_one_row()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { RunKeyColumn = false });
        api.FailNextAfterCommit(1, 504, "POST");

        // Another start of the same job a microsecond earlier: a different instant, so not a candidate.
        api.Seed(new FakeJobRow { Name = "orders", Source = "crm", Destination = "warehouse", StartDate = Clock.GetUtcNow().AddTicks(-10) });
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, Http, Clock);

        var run = await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(api.Rows, Has.Count.EqualTo(2), "adopted, not inserted again");
            Assert.That(run.Id, Is.EqualTo(2));
            Assert.That(api.Requests.Select(r => (r.Method, r.Status)), Is.EqualTo(new[] { ("POST", 400), ("POST", 504), ("GET", 200) }), "one refused POST taught the job that the table has no run_key");

            // The start date sent ends in a microsecond digit other than 0, so only a column that keeps microseconds
            // stores it exactly.
            Assert.That(run.StartDate.UtcTicks / 10 % 10, Is.Not.Zero);
        });
    }

    [TestCase(3)]
    [TestCase(0)]
    public void Without_run_key_a_lost_start_on_a_column_coarser_than_microseconds_fails_and_leaves_its_row_to_recovery(int precision)
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { StartDatePrecision = precision, RunKeyColumn = false });
        api.FailNextAfterCommit(1, 504, "POST");
        var logs = new CapturingLoggerFactory();
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, Http, Clock, logs);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("the run could not be identified").And.Contain("run_key").And.Contain("db/schema.sql").And.Contain("does not keep microseconds"));
            Assert.That(api.Rows.Single().Status, Is.EqualTo("in_progress"), "the row, which may be another start's, is left alone");
            Assert.That(api.Rows, Has.Count.EqualTo(1), "not inserted again");
            Assert.That(logs.Entries.Select(e => e.EventName), Does.Contain("FailedStartNotEnded"));
        });
    }

    [Test]
    public void Without_run_key_at_precision_0_a_lost_start_facing_two_candidates_adopts_neither_and_fails()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { StartDatePrecision = 0, RunKeyColumn = false });
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero, RunKey = RunKeyMode.Off }, Http, Clock);

        // Another instance of the job started in the same second, and this start's insert is committed but its answer lost.
        api.Seed(new FakeJobRow { Name = "orders", Source = "crm", Destination = "warehouse", StartDate = Clock.GetUtcNow() });
        api.FailNextAfterCommit(1, 0, "POST");

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.StartWith("Starting a run of job 'orders' failed: the run could not be identified."));
            Assert.That(error.Message, Does.Contain("runs with ids 1, 2").And.Contain("run_key").And.Contain("db/schema.sql"));
            Assert.That(api.Rows.Select(r => r.Status), Is.All.EqualTo("in_progress"), "neither candidate is adopted or ended");
            Assert.That(api.Requests.Count(r => r.Method == "PATCH"), Is.Zero);
            Assert.That(job.Current, Is.Null);
        });
    }

    [Test]
    public async Task A_lost_start_of_a_job_whose_name_is_too_long_for_a_URL_is_found()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { MaxUrlLength = 2000 });
        api.FailNextAfterCommit(1, 504, "POST");
        var name = "load_" + new string('x', 3000);
        api.Seed(new FakeJobRow { Name = "load_" + new string('x', 2999) + "y", Source = "crm", Destination = "warehouse", StartDate = Clock.GetUtcNow() });
        using var job = new Job(name, new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, Http, Clock);

        var run = await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(api.Rows.Count(r => r.Name == name), Is.EqualTo(1), "adopted, not inserted again");
            Assert.That(run.Name, Is.EqualTo(name), "the other job with the same start is not taken");
            Assert.That(api.Requests.Where(r => r.Method == "GET").Select(r => r.Status), Is.All.EqualTo(200), "no lookup was refused as too long");
        });
    }

    [Test]
    public void A_fake_with_a_URL_limit_refuses_a_longer_request_with_414_as_a_proxy_does()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { MaxUrlLength = 100 });
        using var job = new Job(new string('n', 200), new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 }, Http, Clock);

        Assert.That(() => job.MostRecentAsync(), Throws.InstanceOf<JobsApiException>().With.Property(nameof(JobsApiException.Status)).EqualTo(414));
    }

    [Test]
    public void A_start_whose_empty_2xx_cannot_be_checked_ends_its_row_as_error()
    {
        // The adopting lookup fails, so the start fails for good; the clean-up then finds and ends the row.
        Api.EmptyAnswerNextAfterCommit(1, 201, "POST").FailNext(1, 0, "GET");
        using var job = NewJob();

        Assert.That(() => job.StartAsync(), Throws.InstanceOf<JobsApiException>());

        Assert.That(Row.Status, Is.EqualTo("error"));
        Assert.That(Row.Message, Does.StartWith("The start failed before its outcome was known"));
    }

    /// <summary>Retries on, with no wait between attempts.</summary>
    private static void Retrying(JobOptions options)
    {
        options.MaxRetryAttempts = 2;
        options.RetryBaseDelay = TimeSpan.Zero;
        options.MaxRetryDelay = TimeSpan.Zero;
    }
}
