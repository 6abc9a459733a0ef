using System.Text.Json;
using JobUtil.Testing;
using JobUtil.Tests.Shared;

namespace JobUtil.Cli.Tests;

/// <summary>
/// <c>jobutil status</c> and <c>jobutil check</c> against FakeJobsApi. The CLI reads the system clock, so the runs are
/// placed relative to it, hours away from every threshold.
/// </summary>
public class StatusAndCheckTests : FakeApiFixture
{
    private const string OddName = "odd \"quoted\" \\ name\nsecond line";

    private static readonly string[] Thresholds = ["--max-age", "26h", "--max-age-for", "weekly=7d", "--max-runtime", "PT2H", "--stale-after", "10m"];

    private DateTimeOffset _now;

    [SetUp]
    public void Seed()
    {
        _now = DateTimeOffset.UtcNow;
        Api.Seed([.. FleetScenario.RowsAt(_now)]);
    }

    private Task<CliResult> RunAsync(params string[] args) => Cli.RunAsync(Cli.Environment(Api.Url), args);

    [Test]
    public async Task Status_prints_one_line_per_job_with_its_health()
    {
        var result = await RunAsync(["status", .. Thresholds]);

        var lines = result.StdoutLines;
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            Assert.That(lines[0].Split("  ", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()),
                Is.EqualTo(new[] { "JOB", "LAST STATUS", "LAST START", "LAST SUCCESS", "AGE", "RUNNING", "HEALTH" }));
            Assert.That(lines, Has.Length.EqualTo(8));
            Assert.That(lines.Single(l => l.StartsWith("late ", StringComparison.Ordinal)), Does.Contain("success").And.Contain(" 1d 6h ").And.EndWith("late"));
            Assert.That(lines.Single(l => l.StartsWith("running_long ", StringComparison.Ordinal)), Does.Contain("in_progress").And.EndWith("running_too_long"));
        });
    }

    [Test]
    public async Task Status_json_prints_one_object_per_job()
    {
        var result = await RunAsync(["status", "--json", .. Thresholds]);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);

        var jobs = result.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var failing = jobs.Single(j => j.GetProperty("name").GetString() == "failing");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            Assert.That(jobs.ToDictionary(j => j.GetProperty("name").GetString()!, j => j.GetProperty("health").GetString()), Is.EquivalentTo(new Dictionary<string, string>
            {
                ["failing"] = "failing",
                ["healthy"] = "healthy",
                ["late"] = "late",
                ["never_succeeded"] = "never_succeeded",
                ["running_long"] = "running_too_long",
                ["stale"] = "healthy",
                ["weekly"] = "healthy",
            }));
            Assert.That(failing.GetProperty("consecutive_failures").GetInt32(), Is.EqualTo(2));
            Assert.That(failing.GetProperty("last_status").GetString(), Is.EqualTo("error"));
            Assert.That(failing.GetProperty("last_success").GetDateTimeOffset(), Is.EqualTo(_now.AddHours(-4.9)).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(failing.GetProperty("reason").GetString(), Does.Contain("connection refused"));
        });
    }

    [Test]
    public async Task Status_prometheus_is_the_text_exposition_format()
    {
        Api.Seed(new FakeJobRow
        {
            Name = OddName, Status = "success", Source = "s", Destination = "d",
            StartDate = _now.AddMinutes(-10), EndDate = _now.AddMinutes(-5), RecordsProcessed = 17,
        });

        var result = await RunAsync("status", "--format", "prometheus");

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var families = PrometheusParser.Parse(result.Stdout).ToDictionary(f => f.Name);
        double Value(string family, string job) => families[family].Samples.Single(s => s.Labels["job"] == job).Value;
        Assert.Multiple(() =>
        {
            Assert.That(families.Keys, Is.SupersetOf(new[]
            {
                "jobutil_last_success_timestamp_seconds", "jobutil_last_run_timestamp_seconds", "jobutil_last_run_duration_seconds",
                "jobutil_last_records_processed", "jobutil_runs_in_progress", "jobutil_consecutive_failures",
            }));
            Assert.That(families.Values.Select(f => f.Type), Is.All.EqualTo("gauge"));
            Assert.That(families.Values.Select(f => f.Help), Is.All.Not.Empty);
            Assert.That(Value("jobutil_last_success_timestamp_seconds", OddName), Is.EqualTo(_now.AddMinutes(-5).ToUnixTimeMilliseconds() / 1000.0).Within(0.001));
            Assert.That(Value("jobutil_last_run_duration_seconds", OddName), Is.EqualTo(300));
            Assert.That(Value("jobutil_last_records_processed", OddName), Is.EqualTo(17));
            Assert.That(Value("jobutil_last_success_timestamp_seconds", "late"), Is.EqualTo(_now.AddHours(-30).ToUnixTimeMilliseconds() / 1000.0).Within(0.001));
            Assert.That(Value("jobutil_runs_in_progress", "running_long"), Is.EqualTo(1));
            Assert.That(Value("jobutil_consecutive_failures", "failing"), Is.EqualTo(2));
            Assert.That(families["jobutil_last_success_timestamp_seconds"].Samples.Select(s => s.Labels["job"]), Does.Not.Contain("never_succeeded"));
            Assert.That(families["jobutil_last_run_duration_seconds"].Samples.Select(s => s.Labels["job"]), Does.Not.Contain("running_long"), "a run in progress has no duration yet");
        });
    }

    [Test]
    public async Task Check_prints_each_unhealthy_job_and_exits_3()
    {
        var result = await RunAsync(["check", .. Thresholds]);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.Stderr);
            Assert.That(result.StdoutLines.Select(l => l[..l.IndexOf(": ", StringComparison.Ordinal)]), Is.EqualTo(new[] { "failing", "late", "never_succeeded", "running_long" }));
            Assert.That(result.StdoutLines[0], Does.StartWith("failing: failing: 2 consecutive failures"));
            Assert.That(result.StdoutLines[1], Does.StartWith("late: late: no success for 1d 6h"));
        });
    }

    [Test]
    public async Task Check_prints_one_line_per_unhealthy_job_whatever_its_name_and_message_hold()
    {
        Api.Reset();
        Api.Seed(new FakeJobRow
        {
            Name = "two\nlines\r\u001b[31m", Source = "s", Destination = "d", Status = "error",
            StartDate = _now.AddHours(-1), EndDate = _now.AddMinutes(-59), Message = "boom\nat line 2\u2028and 3",
        });

        var result = await RunAsync(["check", .. Thresholds]);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.Stderr);
            Assert.That(result.StdoutLines, Has.Length.EqualTo(1), result.Stdout);
            Assert.That(result.Stdout, Does.StartWith("two\\nlines\\r\\u001B[31m: never_succeeded: "));
            Assert.That(result.Stdout.TrimEnd('\n').Where(c => char.IsControl(c) || c == '\u2028'), Is.Empty, "no control character is printed raw");
        });
    }

    [Test]
    public async Task Status_prints_one_line_per_job_whatever_its_name_holds()
    {
        Api.Reset();
        Api.Seed(new FakeJobRow { Name = "two\nlines", Source = "s", Destination = "d", Status = "success", StartDate = _now.AddHours(-1), EndDate = _now.AddMinutes(-59) });

        var result = await RunAsync(["status", .. Thresholds]);

        Assert.That(result.StdoutLines, Has.Length.EqualTo(2), result.Stdout);
        Assert.That(result.StdoutLines[1], Does.StartWith("two\\nlines  "));
    }

    [Test]
    public async Task Check_exits_0_when_every_job_named_is_healthy()
    {
        var result = await RunAsync(["check", "--name", "healthy", "--name", "weekly", .. Thresholds]);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            Assert.That(result.Stdout, Is.Empty);
        });
    }

    [Test]
    public async Task A_job_named_with_no_runs_is_unhealthy()
    {
        var result = await RunAsync("check", "--name", "healthy", "--name", FleetScenario.NeverRanName, "--max-age", "26h");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.Stderr);
            Assert.That(result.StdoutLines, Is.EqualTo(new[] { $"{FleetScenario.NeverRanName}: never_ran: never ran: no runs of this job" }));
        });
    }

    [Test]
    public async Task Check_exits_1_when_the_Jobs_API_cannot_be_read()
    {
        Api.FailNext(1, 500);
        var result = await RunAsync("check", "--max-age", "26h");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.Contain("500"));
        });
    }

    [TestCase("check", "--max-age", "26 hours")]
    [TestCase("check", "--max-age", "0s")]
    [TestCase("check", "--max-age", "26h", "--max-runtime", "P1Y")]
    [TestCase("check", "--max-age", "26h", "--max-age-for", "weekly")]
    [TestCase("check", "--max-age", "26h", "--max-age-for", "weekly=soon")]
    [TestCase("status", "--stale-after", "-5m")]
    public async Task A_bad_duration_is_a_usage_error_showing_the_accepted_forms(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Stderr, Does.Contain(JobDuration.AcceptedForms));
            Assert.That(Api.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task Check_without_a_maximum_age_is_a_usage_error()
    {
        var result = await RunAsync("check");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Stderr, Does.Contain("--max-age"));
            Assert.That(Api.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task Json_and_prometheus_together_are_a_usage_error()
    {
        var result = await RunAsync("status", "--json", "--format", "prometheus");
        Assert.That(result.ExitCode, Is.EqualTo(2));
    }
}
