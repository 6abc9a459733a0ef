using System.Text.RegularExpressions;
using JobUtil.Testing;

namespace JobUtil.Cli.Tests;

/// <summary>
/// <c>jobutil report</c>: the fleet's health table, most urgent first, and one lane per job with the runs of the window,
/// written to a file whose path is printed.
/// </summary>
public sealed partial class ReportTests : FakeApiFixture
{
    // Relative to the real clock, but days away from the window's edges, so no test depends on when it runs.
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private string _output = null!;

    [SetUp]
    public void ChooseOutput() => _output = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"report-{Guid.NewGuid():N}.html");

    [TearDown]
    public void DeleteOutput() => File.Delete(_output);

    [Test]
    public async Task Writes_every_jobs_health_and_the_runs_of_the_window_and_prints_the_files_path()
    {
        var rows = Api.Seed(
            MostRecentTests.Row("nightly", "success", Now.AddDays(-2), records: 10),
            MostRecentTests.Row("nightly", "error", Now.AddDays(-1), message: "disk <full>"),
            MostRecentTests.Row("nightly", "success", Now.AddDays(-30)),
            MostRecentTests.Row("stuck", "in_progress", Now.AddDays(-20)),
            MostRecentTests.Row("hourly", "success", Now.AddHours(-3)),
            MostRecentTests.Row("retired", "success", Now.AddDays(-40)));

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "report", "--output", _output, "--days", "7");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.StdoutLines, Is.EqualTo(new[] { Path.GetFullPath(_output) }));
        var html = await File.ReadAllTextAsync(_output);
        Assert.That(Lanes(html), Is.EqualTo(new[] { "hourly", "nightly", "retired", "stuck" }), "every job, also one without a run in the window");
        Assert.That(RunIds(html), Is.EquivalentTo(new[] { rows[0].Id, rows[1].Id, rows[3].Id, rows[4].Id }), "the run of 30 days ago is outside the window; the one stuck in progress is in");
        Assert.That(HealthRows(html), Is.EqualTo(new[] { "never succeeded", "failing", "healthy", "healthy" }), "the fleet's states, most urgent first, then by name");
        Assert.That(html, Does.Contain("\"disk \\u003Cfull\\u003E\""), "the message, in the run details");
    }

    [Test]
    public async Task The_health_thresholds_are_those_of_check()
    {
        Api.Seed(
            MostRecentTests.Row("nightly", "success", Now.AddDays(-2)),
            MostRecentTests.Row("hourly", "success", Now.AddHours(-3)),
            MostRecentTests.Row("hourly", "in_progress", Now.AddHours(-2)));

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "report", "--output", _output, "--max-age", "26h", "--max-runtime", "1h");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var html = await File.ReadAllTextAsync(_output);
        Assert.That(HealthRows(html), Is.EqualTo(new[] { "running too long", "late" }));
        Assert.That(html, Does.Contain("max runtime 1h)").And.Contain("max age 1d 2h)"), "the reasons of JobHealthPolicy");
    }

    [Test]
    public async Task Name_limits_the_report_to_the_named_jobs_and_shows_a_named_job_without_runs()
    {
        Api.Seed(
            MostRecentTests.Row("nightly", "success", Now.AddDays(-1)),
            MostRecentTests.Row("other", "success", Now.AddDays(-1)));

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "report", "--output", _output, "--name", "nightly", "--name", "idle \"quoted\"");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var html = await File.ReadAllTextAsync(_output);
        Assert.That(Lanes(html), Is.EqualTo(new[] { "idle &quot;quoted&quot;", "nightly" }));
        Assert.That(HealthRows(html), Is.EqualTo(new[] { "never ran", "healthy" }));
    }

    [TestCase("--days", "0")]
    [TestCase("--days", "367")]
    [TestCase("--name", " ")]
    [TestCase("--max-age", "26 hours")]
    public async Task Bad_arguments_are_refused_before_anything_is_sent(string option, string value)
    {
        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "report", "--output", _output, option, value);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadArguments));
        Assert.That(result.Stderr, Does.Contain(option));
        Assert.That(Api.Requests, Is.Empty);
        Assert.That(File.Exists(_output), Is.False);
    }

    [Test]
    public async Task A_server_failure_is_reported_and_writes_no_file()
    {
        Api.FailNext(1, 400);

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "report", "--output", _output);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ApiFailure));
        Assert.That(result.Stderr, Does.Contain("400"));
        Assert.That(File.Exists(_output), Is.False);
    }

    private static string[] Lanes(string html) => LanePattern().Matches(html).Select(m => m.Groups[1].Value).ToArray();

    private static long[] RunIds(string html) => RunPattern().Matches(html).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string[] HealthRows(string html) => HealthPattern().Matches(html).Select(m => m.Groups[1].Value).ToArray();

    [GeneratedRegex("<div class=\"lane\" id=\"lane-\\d+\" data-job=\"([^\"]*)\"")]
    private static partial Regex LanePattern();

    [GeneratedRegex("data-run-id=\"(\\d+)\"")]
    private static partial Regex RunPattern();

    [GeneratedRegex("<tr data-health=\"([^\"]*)\"")]
    private static partial Regex HealthPattern();
}
