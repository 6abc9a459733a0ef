using JobUtil.Testing;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Resilience;

/// <summary>A start whose outcome is unknown is looked up before it is sent again, so one run is one row.</summary>
public class DuplicateSafeStartTests : ApiFixture
{
    [Test]
    public async Task A_row_stored_whose_response_is_lost_to_a_504_is_found_by_its_run_key_and_returned_not_inserted_again()
    {
        Api.FailNextAfterCommit(1, 504, "POST");
        Clock.Advance(TimeSpan.FromTicks(1_234_567));
        using var job = NewJob(Retrying, name: "load & transform");

        var run = await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(Api.Rows, Has.Count.EqualTo(1));
            Assert.That(run.Id, Is.EqualTo(Row.Id));
            Assert.That(run.Name, Is.EqualTo("load & transform"));
            Assert.That(job.Current, Is.EqualTo(run));
            Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "GET" }));
        });

        // The lookup asks for the key this start sent, and nothing else.
        var lookup = Api.Requests[1];
        Assert.That(Row.RunKey, Is.Not.Null);
        Assert.That(lookup.QueryParameters, Is.EquivalentTo(new[] { KeyValuePair.Create("run_key", $"eq.{Row.RunKey:D}") }));
    }

    [Test]
    public async Task Without_run_key_a_row_stored_whose_response_is_lost_is_found_by_its_exact_start_date()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { RunKeyColumn = false });
        api.FailNextAfterCommit(1, 504, "POST");
        Clock.Advance(TimeSpan.FromTicks(1_234_567));
        using var job = new Job("load & transform", Options(o => { Retrying(o); o.Url = api.Url; o.RunKey = RunKeyMode.Off; }), Http, Clock);

        var run = await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(api.Rows, Has.Count.EqualTo(1));
            Assert.That(run.Id, Is.EqualTo(api.Rows[0].Id));
            Assert.That(api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "GET" }));
        });

        // The lookup asks for what this client chose, and a second either side of its start_date (wide enough for a
        // column of any precision); only a row with exactly that start_date is then adopted.
        var lookup = api.Requests[1];
        Assert.That(lookup.QueryParameters.Where(p => p.Key != "order" && p.Key != "limit"), Is.EquivalentTo(new[]
        {
            KeyValuePair.Create("name", "eq.load & transform"),
            KeyValuePair.Create("source", "eq.crm"),
            KeyValuePair.Create("destination", "eq.warehouse"),
            KeyValuePair.Create("status", "eq.in_progress"),
            KeyValuePair.Create("start_date", "gte.2024-03-01T01:59:59.123456Z"),
            KeyValuePair.Create("start_date", "lte.2024-03-01T02:00:01.123456Z"),
        }));

        // A raw '+' would reach PostgREST as a space: nothing in the query may carry one unencoded.
        Assert.That(lookup.Query, Does.Not.Contain("+"));
    }

    [Test]
    public async Task A_row_stored_whose_response_comes_after_the_attempt_timeout_is_found_and_returned()
    {
        Api.DelayNextAfterCommit(1, TimeSpan.FromSeconds(30), "POST");
        var attemptTimeout = TimeSpan.FromSeconds(2);
        using var job = NewJob(o =>
        {
            Retrying(o);
            o.AttemptTimeout = attemptTimeout;
        });

        var start = job.StartAsync();
        await Clock.WaitForTimerAsync(attemptTimeout);
        Assert.That(() => Api.Rows.Count, Is.EqualTo(1).After(30_000, 10), "the first POST was not committed");
        Clock.Advance(attemptTimeout);
        var run = await start;

        Assert.Multiple(() =>
        {
            Assert.That(Api.Rows, Has.Count.EqualTo(1));
            Assert.That(run.Id, Is.EqualTo(Row.Id));
            Assert.That(Count("GET"), Is.EqualTo(1), "the retry looked the run up");
            Assert.That(Count("POST"), Is.LessThanOrEqualTo(1), "no second POST (the held one is logged only once answered)");
        });
    }

    [Test]
    public async Task A_POST_that_really_failed_is_looked_up_not_found_and_sent_again_once()
    {
        Api.FailNext(1, 503, "POST");
        using var job = NewJob(Retrying);

        var run = await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(Api.Rows, Has.Count.EqualTo(1));
            Assert.That(run.Id, Is.EqualTo(Row.Id));
            Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "GET", "POST" }));
            Assert.That(Api.Requests[2].Body, Is.EqualTo(Api.Requests[0].Body), "the same run, with the same start_date, is sent again");
        });
    }

    [Test]
    public async Task A_POST_answered_with_an_HTML_500_may_have_been_committed_and_is_looked_up_before_it_is_sent_again()
    {
        Api.FailNext(1, 500, "POST");
        using var job = NewJob(Retrying);

        await job.StartAsync();

        Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "GET", "POST" }));
        Assert.That(Api.Rows, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_PATCH_applied_but_answered_503_is_retried_and_the_run_is_recorded_once()
    {
        Api.FailNextAfterCommit(1, 503, "PATCH");
        using var job = NewJob(Retrying);
        await job.StartAsync();
        Clock.Advance(TimeSpan.FromMinutes(3));

        var done = await job.ResultAsync(JobStatus.Success, recordsProcessed: 503);

        var sent = Api.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sent, Has.Count.EqualTo(2));
            Assert.That(sent[1].Body, Is.EqualTo(sent[0].Body), "a retried PATCH sends the same end_date");
            Assert.That(Row.Status, Is.EqualTo("success"));
            Assert.That(Row.RecordsProcessed, Is.EqualTo(503));
            Assert.That(Row.EndDate, Is.EqualTo(new DateTimeOffset(2024, 3, 1, 2, 3, 0, TimeSpan.Zero)));
            Assert.That(done.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(done.Id, Is.EqualTo(Row.Id));
        });
    }

    /// <summary>Retries on, with no wait between attempts: the fake clock need not be advanced through a backoff.</summary>
    private static void Retrying(JobOptions options)
    {
        options.MaxRetryAttempts = 2;
        options.RetryBaseDelay = TimeSpan.Zero;
        options.MaxRetryDelay = TimeSpan.Zero;
    }
}
