using JobUtil.Testing;
using JobUtil.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Tests.Fleet;

/// <summary>JobFleet against FakeJobsApi: with the jobs_fleet view, and with only the nine-column table.</summary>
[TestFixture(true)]
[TestFixture(false)]
public class JobFleetTests(bool view)
{
    private FakeJobsApi _api = null!;
    private HttpClient _http = null!;
    private FakeTimeProvider _clock = null!;

    /// <summary>Requests per read of the fleet: the view, or the view's 404 and the three reads of the fallback.</summary>
    private int RequestsPerRead => view ? 1 : 4;

    [OneTimeSetUp]
    public void Start()
    {
        _api = FakeJobsApi.Start(new FakeJobsApiOptions { ServeFleetView = view });
        _http = new HttpClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _api.Dispose();
    }

    [SetUp]
    public void Reset()
    {
        _api.Reset();
        _clock = new FakeTimeProvider(FleetScenario.Now);
    }

    private JobFleet NewFleet() => new(new JobOptions { Url = _api.Url, MaxRetryAttempts = 0 }, _http, _clock);

    [Test]
    public async Task Every_job_is_listed_with_its_latest_run_latest_success_runs_in_progress_and_failures()
    {
        _api.Seed([.. FleetScenario.Rows]);

        var jobs = await NewFleet().GetJobsAsync();

        var names = jobs.Select(j => j.Name).ToList();
        var failing = jobs.Single(j => j.Name == "failing");
        var running = jobs.Single(j => j.Name == "running_long");
        var never = jobs.Single(j => j.Name == "never_succeeded");
        Assert.Multiple(() =>
        {
            Assert.That(names, Is.EqualTo(new[] { "failing", "healthy", "late", "never_succeeded", "running_long", "stale", "weekly" }));
            Assert.That(failing.LastRun.Status, Is.EqualTo(JobStatus.Error));
            Assert.That(failing.LastRun.Message, Is.EqualTo("connection refused"));
            Assert.That(failing.LastRun.Id, Is.EqualTo(7));
            Assert.That(failing.LastSuccessStart, Is.EqualTo(FleetScenario.Now.AddHours(-5)));
            Assert.That(failing.LastSuccessEnd, Is.EqualTo(FleetScenario.Now.AddHours(-4.9)));
            Assert.That(failing.ConsecutiveFailures, Is.EqualTo(2));
            Assert.That(failing.RunsInProgress, Is.Zero);
            Assert.That(running.RunsInProgress, Is.EqualTo(1));
            Assert.That(running.OldestRunInProgressStart, Is.EqualTo(FleetScenario.Now.AddHours(-3)));
            Assert.That(running.LastRun.Status, Is.EqualTo(JobStatus.InProgress));
            Assert.That(running.ConsecutiveFailures, Is.Zero);
            Assert.That(never.LastSuccess, Is.Null);
            Assert.That(never.ConsecutiveFailures, Is.EqualTo(2));
            Assert.That(jobs.Single(j => j.Name == "healthy").LastRun.RecordsProcessed, Is.EqualTo(42));
            Assert.That(jobs.Single(j => j.Name == "healthy").ConsecutiveFailures, Is.Zero, "the error before the last success does not count");
            Assert.That(jobs.Select(j => j.StalestHeartbeat), Is.All.Null, "the fake keeps no heartbeats");
        });
    }

    [Test]
    public async Task Every_health_state_is_found()
    {
        _api.Seed([.. FleetScenario.Rows]);

        var health = await NewFleet().CheckAsync(FleetScenario.Policy);

        Assert.That(health.ToDictionary(h => h.Name, h => h.State), Is.EquivalentTo(FleetScenario.ExpectedStates(heartbeats: false)));
    }

    [Test]
    public async Task A_run_in_progress_whose_heartbeat_is_old_is_stale_where_the_view_reports_heartbeats()
    {
        var now = FleetScenario.Now;
        _api.Seed(
            new FakeJobRow { Name = "beating", StartDate = now.AddMinutes(-30), Status = "in_progress", Source = "s", Destination = "d", HeartbeatAt = now.AddMinutes(-20), Host = "etl-1" },
            new FakeJobRow { Name = "fresh", StartDate = now.AddMinutes(-30), Status = "in_progress", Source = "s", Destination = "d", HeartbeatAt = now.AddMinutes(-1), Host = "etl-2" });

        var health = await NewFleet().CheckAsync(new JobHealthPolicy { StaleHeartbeatAfter = TimeSpan.FromMinutes(10) });

        // Neither job has succeeded yet; stale is the more urgent state. The fallback reads the nine columns only, so it
        // never sees a heartbeat.
        Assert.That(health.ToDictionary(h => h.Name, h => h.State), Is.EquivalentTo(new Dictionary<string, JobHealthState>
        {
            ["beating"] = view ? JobHealthState.Stale : JobHealthState.NeverSucceeded,
            ["fresh"] = JobHealthState.NeverSucceeded,
        }));
    }

    [Test]
    public async Task A_job_named_that_never_ran_is_unhealthy_and_the_others_are_left_out()
    {
        _api.Seed([.. FleetScenario.Rows]);

        var health = await NewFleet().CheckAsync(FleetScenario.Policy, [FleetScenario.NeverRanName, "healthy"]);

        Assert.Multiple(() =>
        {
            Assert.That(health.Select(h => (h.Name, h.State)), Is.EqualTo(new[] { (FleetScenario.NeverRanName, JobHealthState.NeverRan), ("healthy", JobHealthState.Healthy) }));
            Assert.That(health[0].Reason, Does.Contain("never ran"));
            Assert.That(health[0].Job, Is.Null);
        });
    }

    [Test]
    public async Task The_number_of_requests_does_not_grow_with_the_number_of_jobs()
    {
        var fleet = NewFleet();
        _api.Seed(Runs(3));
        await fleet.GetJobsAsync();
        var few = _api.Requests.Count;

        _api.Reset();
        _api.Seed(Runs(300));
        var jobs = await fleet.GetJobsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(jobs, Has.Count.EqualTo(300));
            Assert.That(few, Is.EqualTo(RequestsPerRead));
            Assert.That(_api.Requests, Has.Count.EqualTo(RequestsPerRead));
            Assert.That(_api.Requests.Select(r => r.Method), Is.All.EqualTo("GET"));
        });
    }

    [Test]
    public async Task An_empty_table_is_an_empty_fleet()
        => Assert.That(await NewFleet().GetJobsAsync(), Is.Empty);

    [Test]
    public async Task A_failure_is_a_JobsApiException()
    {
        _api.FailNext(1, 500);
        var error = Assert.ThrowsAsync<JobsApiException>(() => NewFleet().GetJobsAsync());
        Assert.That(error!.Status, Is.EqualTo(500));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Runs_since_a_time_are_listed_newest_first_for_every_job_or_the_jobs_named()
    {
        _api.Seed([.. FleetScenario.Rows, Run("odd, \"name\"", FleetScenario.Now.AddHours(-1))]);
        var fleet = NewFleet();

        var all = await fleet.GetRunsAsync(FleetScenario.Now.AddHours(-3));
        var named = await fleet.GetRunsAsync(FleetScenario.Now.AddHours(-6), ["failing", "odd, \"name\""]);
        var limited = await fleet.GetRunsAsync(FleetScenario.Now.AddDays(-30), limit: 2);

        Assert.Multiple(() =>
        {
            Assert.That(all.Select(r => r.StartDate), Is.Ordered.Descending);
            Assert.That(all.Select(r => r.StartDate), Is.All.GreaterThanOrEqualTo(FleetScenario.Now.AddHours(-3)));
            Assert.That(all, Has.Count.EqualTo(FleetScenario.Rows.Count(r => r.StartDate >= FleetScenario.Now.AddHours(-3)) + 1));
            Assert.That(named.Select(r => r.Name), Is.EqualTo(new[] { "odd, \"name\"", "failing", "failing", "failing" }));
            Assert.That(limited, Has.Count.EqualTo(2));
            Assert.That(_api.Requests, Has.Count.EqualTo(3));
        });
    }

    [Test]
    public void Bad_arguments_are_refused_before_anything_is_sent()
    {
        var fleet = NewFleet();
        Assert.Multiple(() =>
        {
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fleet.GetRunsAsync(FleetScenario.Now, limit: 0));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fleet.GetRunsAsync(FleetScenario.Now, limit: JobFleet.MaxRunLimit + 1));
            Assert.ThrowsAsync<ArgumentException>(() => fleet.GetRunsAsync(FleetScenario.Now, [" "]));
            Assert.ThrowsAsync<ArgumentException>(() => fleet.CheckAsync(new JobHealthPolicy(), [""]));
            Assert.ThrowsAsync<ArgumentNullException>(() => fleet.CheckAsync(null!));
            Assert.Throws<ArgumentException>(() => _ = new JobFleet(new JobOptions { Url = "/jobs" }, _http));
            Assert.That(_api.Requests, Is.Empty);
        });
    }

    [TestCase("http://127.0.0.1:44805/")]
    [TestCase("http://127.0.0.1:44805")]
    [TestCase("https://host//")]
    public void A_url_that_names_no_table_is_refused_at_once(string url)
    {
        Assert.That(() => new JobFleet(new JobOptions { Url = url }, _http),
            Throws.ArgumentException.With.Message.Contains("Url must be the full URL of the jobs table, such as https://host/jobs").And.Message.Contains("names no table"));
    }

    [TestCase("/legacy-scripts/jobs")]
    [TestCase("/legacy-scripts/jobs/")]
    [TestCase("/a/b/c/jobs")]
    public async Task The_fleet_view_is_read_beside_the_table_under_any_path(string tablePath)
    {
        var prefix = tablePath.TrimEnd('/')[..^"/jobs".Length];
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { PathPrefix = prefix, ServeFleetView = view });
        api.Seed(Run("nightly", FleetScenario.Now.AddHours(-1)));

        var jobs = await new JobFleet(new JobOptions { Url = api.BaseUrl + tablePath, MaxRetryAttempts = 0 }, _http, _clock).GetJobsAsync();

        Assert.That(jobs.Select(j => j.Name), Is.EqualTo(new[] { "nightly" }));
        Assert.That(api.Requests[0].Path, Is.EqualTo(prefix + "/jobs_fleet"));
    }

    private static FakeJobRow[] Runs(int jobs)
        => [.. Enumerable.Range(0, jobs).SelectMany(i => new[]
        {
            Run($"job_{i:000}", FleetScenario.Now.AddHours(-2), "success"),
            Run($"job_{i:000}", FleetScenario.Now.AddHours(-1), "error"),
        })];

    private static FakeJobRow Run(string name, DateTimeOffset start, string status = "success") => new()
    {
        Name = name,
        Status = status,
        StartDate = start,
        EndDate = start.AddMinutes(5),
        Source = "crm",
        Destination = "warehouse",
    };
}
