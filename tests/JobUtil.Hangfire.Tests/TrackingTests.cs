using System.Globalization;
using Hangfire;
using Hangfire.Storage;
using JobUtil.Testing;

namespace JobUtil.Hangfire.Tests;

/// <summary>
/// A tracked Hangfire job's executions on one server over PostgreSQL, against FakeJobsApi with the overlap guard on. The
/// server is shared by the tests, whose jobs leave nothing behind (no retries are left scheduled).
/// </summary>
public class TrackingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset LastSuccess = DateTimeOffset.Parse("2024-03-01T02:00:00Z", CultureInfo.InvariantCulture);

    private FakeJobsApi _api = null!;
    private Signals _signals = null!;
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = FakeJobsApi.Start(new FakeJobsApiOptions { OneRunInProgressPerName = true });
        _signals = new Signals();
        _server = await TestServer.StartAsync("server-1", _api.Url, HangfireSetUp.NewSchema(), _signals);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _server.DisposeAsync();
        _api.Dispose();
    }

    [SetUp]
    public void Reset()
    {
        _api.Reset();
        _signals.Reset();
    }

    [Test]
    public async Task A_tracked_job_gets_its_watermark_and_the_count_it_returns_is_recorded_as_success()
    {
        _api.Seed(Success("TrackedJobs.ReturnsLong", "crm", "warehouse"));

        var id = _server.Client.Enqueue<TrackedJobs>(j => j.ReturnsLong(42, null));
        var completion = await _signals.NextAsync(Deadline);

        Assert.That(completion.Exception, Is.Null);
        var execution = _signals.Executions.Single();
        var run = _api.Rows.Last();
        Assert.Multiple(() =>
        {
            Assert.That(execution.JobId, Is.EqualTo(id));
            Assert.That(execution.Run!.Watermark, Is.EqualTo(LastSuccess), "the watermark, from the injected accessor");
            Assert.That(execution.Run.Attempt, Is.EqualTo(1));
            Assert.That(run.Id, Is.EqualTo(execution.Run.RunId));
            Assert.That((run.Name, run.Source, run.Destination), Is.EqualTo(("TrackedJobs.ReturnsLong", "crm", "warehouse")));
            Assert.That(run.Status, Is.EqualTo("success"));
            Assert.That(run.RecordsProcessed, Is.EqualTo(42));
        });
        Assert.That(_api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "GET", "GET", "POST", "PATCH" }), "watermark and cursor, start, outcome: the run started before the method ran");
    }

    [Test]
    public async Task An_async_method_returning_an_int_records_it_and_a_first_run_has_no_watermark()
    {
        _server.Client.Enqueue<TrackedJobs>(j => j.ReturnsIntAsync(7, null));
        var completion = await _signals.NextAsync(Deadline);

        Assert.That(completion.Exception, Is.Null);
        Assert.That(_signals.Executions.Single().Run!.Watermark, Is.Null);
        Assert.That(_api.Rows.Select(r => (r.Name, r.Status, r.RecordsProcessed)), Is.EqualTo(new[] { ("TrackedJobs.ReturnsIntAsync", "success", (int?)7) }));
    }

    [Test]
    public async Task A_count_set_through_the_PerformContext_is_recorded()
    {
        _server.Client.Enqueue<TrackedJobs>(j => j.SetsCount(5, null));
        await _signals.NextAsync(Deadline);

        Assert.That(_api.Rows.Select(r => (r.Status, r.RecordsProcessed)), Is.EqualTo(new[] { ("success", (int?)5) }));
    }

    [Test]
    public async Task A_count_out_of_the_columns_range_fails_the_run_and_the_execution()
    {
        _server.Client.Enqueue<TrackedJobs>(j => j.ReturnsLong(-1, null));
        var completion = await _signals.NextAsync(Deadline);

        Assert.That(completion.Exception, Is.InstanceOf<InvalidOperationException>());
        Assert.That(_api.Rows.Single().Status, Is.EqualTo("error"));
        Assert.That(_api.Rows.Single().Message, Is.EqualTo(completion.Exception!.Message).And.Contain("-1").And.Contain("2147483647"));
    }

    [Test]
    public async Task The_class_attribute_names_the_run()
    {
        _server.Client.Enqueue<NamedJobs>(j => j.Copy(null));
        await _signals.NextAsync(Deadline);

        Assert.That(_api.Rows.Select(r => (r.Name, r.Source, r.Destination)), Is.EqualTo(new[] { ("orders_to_warehouse", "orders_db", "dwh") }));
        Assert.That(_signals.Executions.Single().Run!.JobName, Is.EqualTo("orders_to_warehouse"));
    }

    [Test]
    public async Task An_untracked_job_runs_without_touching_the_Jobs_API()
    {
        _server.Client.Enqueue<TrackedJobs>(j => j.Untracked(null));
        var completion = await _signals.NextAsync(Deadline);

        Assert.That(completion.Exception, Is.Null);
        Assert.That(_signals.Executions.Single().Run, Is.Null);
        Assert.That(_api.Requests, Is.Empty);
    }

    [Test]
    public async Task A_failing_job_with_two_automatic_retries_gives_three_runs_all_error_each_naming_its_attempt()
    {
        var id = _server.Client.Enqueue<TrackedJobs>(j => j.FailsTwiceRetried(null));
        var completions = await _signals.NextAsync(3, Deadline);

        Assert.That(completions.Select(c => c.Exception), Has.All.InstanceOf<InvalidOperationException>());
        var rows = _api.Rows.OrderBy(r => r.Id).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(rows.Select(r => (r.Name, r.Status)), Is.EqualTo(Enumerable.Repeat(("TrackedJobs.FailsTwiceRetried", "error"), 3)));
            Assert.That(rows.Select(r => r.Message), Is.EqualTo(Enumerable.Range(1, 3).Select(attempt =>
                $"Attempt {attempt} (Hangfire job {id}): System.InvalidOperationException: {TrackedJobs.FailureMessage}")));
            Assert.That(_signals.Executions.Select(e => e.Run!.Attempt), Is.EqualTo(new[] { 1, 2, 3 }));
        });
    }

    [Test]
    public async Task When_the_overlap_guard_refuses_the_start_the_method_does_not_run_and_the_execution_fails()
    {
        _api.Seed(new FakeJobRow { Name = "TrackedJobs.ReturnsLong", Status = "in_progress", Source = "a", Destination = "b", StartDate = DateTimeOffset.UtcNow.AddMinutes(-1) });

        _server.Client.Enqueue<TrackedJobs>(j => j.ReturnsLong(1, null));
        var completion = await _signals.NextAsync(Deadline);

        Assert.That(completion.Exception, Is.InstanceOf<JobAlreadyRunningException>());
        Assert.That(_signals.Executions, Is.Empty, "the method never ran");
        Assert.That(_api.Rows.Select(r => r.Status), Is.EqualTo(new[] { "in_progress" }), "nothing written beside the run that holds the name");
    }

    [Test]
    public async Task When_the_run_cannot_be_started_the_method_does_not_run()
    {
        _api.FailNext(1, 400, "POST");

        _server.Client.Enqueue<TrackedJobs>(j => j.ReturnsLong(1, null));
        var completion = await _signals.NextAsync(Deadline);

        Assert.That(completion.Exception, Is.InstanceOf<JobsApiException>());
        Assert.That(_signals.Executions, Is.Empty);
        Assert.That(_api.Rows, Is.Empty);
    }

    [Test]
    public async Task When_DisableConcurrentExecution_refuses_an_execution_it_has_no_run_and_the_method_does_not_run()
    {
        var release = Guid.NewGuid().ToString();
        var first = _server.Client.Enqueue<TrackedJobs>(j => j.Exclusive(release, null));
        var started = await _signals.NextStartedAsync(Deadline);
        Assert.That(started.JobId, Is.EqualTo(first));

        _server.Client.Enqueue<TrackedJobs>(j => j.Exclusive(release, null));
        var refused = await _signals.NextAsync(Deadline);
        Releases.For(release).Set();
        var finished = await _signals.NextAsync(Deadline);

        Assert.Multiple(() =>
        {
            Assert.That(refused.Exception, Is.InstanceOf<DistributedLockTimeoutException>());
            Assert.That(finished.JobId, Is.EqualTo(first));
            Assert.That(finished.Exception, Is.Null);
            Assert.That(_signals.Executions.Select(e => e.JobId), Is.EqualTo(new[] { first }), "the refused execution's method never ran");
            Assert.That(_api.Rows.Select(r => (r.Id, r.Status)), Is.EqualTo(new[] { (started.Run!.RunId, "success") }), "one run: the refused execution started none");
        });
    }

    [Test]
    public async Task A_job_deleted_while_it_runs_ends_its_run_as_an_error_saying_so()
    {
        var id = _server.Client.Enqueue<TrackedJobs>(j => j.WaitsAsync(null, CancellationToken.None));
        var started = await _signals.NextStartedAsync(Deadline);
        Assert.That(_api.Rows.Single(r => r.Id == started.Run!.RunId).Status, Is.EqualTo("in_progress"));

        _server.Client.Delete(id);
        await _signals.NextAsync(Deadline);

        var run = _api.Rows.Single();
        Assert.That(run.Status, Is.EqualTo("error"));
        Assert.That(run.Message, Is.EqualTo($"Attempt 1 (Hangfire job {id}): The run was cancelled: Hangfire aborted its job (it was deleted, or moved to another state)."));
    }

    [Test]
    public async Task A_job_running_when_its_server_stops_ends_its_run_as_an_error_saying_so()
    {
        var signals = new Signals();
        var server = await TestServer.StartAsync("server-2", _api.Url, HangfireSetUp.NewSchema(), signals);
        var id = server.Client.Enqueue<TrackedJobs>(j => j.WaitsAsync(null, CancellationToken.None));
        await signals.NextStartedAsync(Deadline);

        var stopping = server.DisposeAsync();
        await signals.NextAsync(Deadline);
        await stopping;

        var run = _api.Rows.Single();
        Assert.That(run.Status, Is.EqualTo("error"));
        Assert.That(run.Message, Is.EqualTo($"Attempt 1 (Hangfire job {id}): The run was cancelled: the Hangfire server is shutting down."));
    }

    private static FakeJobRow Success(string name, string source, string destination) => new()
    {
        Name = name, Status = "success", Source = source, Destination = destination,
        StartDate = LastSuccess, EndDate = LastSuccess.AddMinutes(5), RecordsProcessed = 3,
    };
}
