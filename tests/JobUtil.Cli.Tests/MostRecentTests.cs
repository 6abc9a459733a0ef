using System.Collections;
using JobUtil.Testing;

namespace JobUtil.Cli.Tests;

public class MostRecentTests : FakeApiFixture
{
    private static readonly DateTimeOffset Watermark = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);
    [Test]
    public async Task Prints_the_start_of_the_last_successful_run_as_unix_seconds()
    {
        SeedHistory();

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "most-recent", "--name", "nightly");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0));
            Assert.That(result.Stdout, Is.EqualTo($"{Watermark.ToUnixTimeSeconds()}\n"));
            Assert.That(result.Stderr, Is.Empty);
        });
    }

    [TestCase(301)]
    [TestCase(302)]
    [TestCase(307)]
    public async Task A_redirect_is_an_error_and_is_not_followed(int status)
    {
        Api.Seed(Row("payroll", "success", Watermark.AddYears(7)));
        Api.RedirectNext(1, status, $"{Api.Url}?select=start_date&name=eq.payroll&status=eq.success&order=start_date.desc&limit=1", "GET");

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "most-recent", "--name", "nightly");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stdout, Is.Empty, "no watermark from another address");
            Assert.That(result.Stderr, Does.Contain(status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(Api.Requests, Has.Count.EqualTo(1), "not followed");
        });
    }

    [Test]
    public async Task Prints_ISO_8601_in_UTC_with_microseconds_with_format_iso()
    {
        SeedHistory();

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "most-recent", "--name", "nightly", "--format", "iso");

        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.Stdout, Is.EqualTo("2024-05-01T12:00:00.123456Z\n"));
    }

    [Test]
    public async Task Prints_nothing_and_exits_0_when_the_job_has_no_successful_run()
    {
        Api.Seed(Row("nightly", "error", Watermark));

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "most-recent", "--name", "nightly");

        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.Stdout, Is.Empty);
    }

    [Test]
    public async Task Prints_the_default_when_the_job_has_no_successful_run()
    {
        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "most-recent", "--name", "nightly", "--default", "0");

        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.Stdout, Is.EqualTo("0\n"));
    }

    [Test]
    public async Task The_url_option_wins_over_JOBUTIL_URL()
    {
        SeedHistory();
        var environment = new Hashtable { ["JOBUTIL_URL"] = "http://127.0.0.1:9/nowhere", ["JOBUTIL_RETRIES"] = "0" };

        var result = await Cli.RunAsync(environment, "most-recent", "--name", "nightly", "--url", Api.Url);

        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.Stdout, Is.EqualTo($"{Watermark.ToUnixTimeSeconds()}\n"));
    }

    [Test]
    public async Task Sends_JOBUTIL_TOKEN_as_a_bearer_token_and_never_prints_it()
    {
        const string token = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiam9ic193cml0ZXIifQ.c2lnbmF0dXJl";
        var environment = Cli.Environment(Api.Url);
        environment["JOBUTIL_TOKEN"] = token;
        Api.FailNext(1, 500);

        var failed = await Cli.RunAsync(environment, "most-recent", "--name", "nightly", "--verbose");
        var succeeded = await Cli.RunAsync(environment, "most-recent", "--name", "nightly");

        Assert.Multiple(() =>
        {
            Assert.That(succeeded.ExitCode, Is.EqualTo(0));
            Assert.That(Api.Requests.Select(r => r.Header("Authorization")), Is.All.EqualTo($"Bearer {token}"));
            Assert.That(failed.Stdout + failed.Stderr + succeeded.Stdout + succeeded.Stderr, Does.Not.Contain(token));
        });
    }

    [Test]
    public async Task An_API_failure_exits_1_with_one_line_on_stderr_and_no_stack_trace()
    {
        Api.FailNext(1, 500);

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "most-recent", "--name", "nightly");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stdout, Is.Empty);
            Assert.That(result.Stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
            Assert.That(result.Stderr, Does.StartWith("jobutil: ").And.Contain("500"));
            Assert.That(result.Stderr, Does.Not.Contain(" at "));
        });
    }

    [Test]
    public async Task A_server_that_cannot_be_reached_exits_1()
    {
        string url;
        using (var stopped = FakeJobsApi.Start())
        {
            url = stopped.Url;
        }

        var result = await Cli.RunAsync(Cli.Environment(url), "most-recent", "--name", "nightly");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("could not reach"));
    }

    [Test]
    public async Task Verbose_adds_the_stack_trace_to_a_failure()
    {
        Api.FailNext(1, 500);

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "most-recent", "--name", "nightly", "--verbose");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("JobsApiException").And.Contain(" at "));
    }

    [Test]
    public async Task Retries_a_transient_failure_as_many_times_as_retries_says()
    {
        Api.FailNext(1, 503);
        SeedHistory();
        var environment = new Hashtable { ["JOBUTIL_URL"] = Api.Url };

        var result = await Cli.RunAsync(environment, "most-recent", "--name", "nightly", "--retries", "1");

        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(Api.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Cursor_prints_the_cursor_of_the_last_successful_run_that_stored_one_as_stored()
    {
        const string cursor = "2024-05-01T11:59:59.999999Z & page #2 100% \"é\"";
        Api.Seed(
            Row("nightly", "success", Watermark.AddDays(-1)) with { Cursor = "older" },
            Row("nightly", "success", Watermark) with { Cursor = cursor },
            Row("nightly", "success", Watermark.AddHours(1)),
            Row("nightly", "error", Watermark.AddHours(2)) with { Cursor = "of a failure" });

        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "most-recent", "--name", "nightly", "--cursor");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
            Assert.That(result.Stdout, Is.EqualTo(cursor + "\n"));
            Assert.That(result.Stderr, Is.Empty);
        });
    }

    [Test]
    public async Task Cursor_prints_the_default_or_nothing_when_no_run_stored_one()
    {
        SeedHistory();

        var nothing = await Cli.RunAsync(Cli.Environment(Api.Url), "most-recent", "--name", "nightly", "--cursor");
        var fallback = await Cli.RunAsync(Cli.Environment(Api.Url), "most-recent", "--name", "nightly", "--cursor", "--default", "0");

        Assert.Multiple(() =>
        {
            Assert.That(nothing.ExitCode, Is.EqualTo(0));
            Assert.That(nothing.Stdout, Is.Empty);
            Assert.That(fallback.Stdout, Is.EqualTo("0\n"));
        });
    }

    [Test]
    public async Task Cursor_on_a_table_without_the_column_exits_1_naming_the_column_and_the_schema_file()
    {
        using var nineColumns = FakeJobsApi.Start(new FakeJobsApiOptions { HeartbeatColumns = false, CursorColumn = false });

        var result = await Cli.RunAsync(Cli.Environment(nineColumns.Url), "most-recent", "--name", "nightly", "--cursor");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.StartWith("jobutil: ").And.Contain("no cursor column").And.Contain("db/schema.sql"));
            Assert.That(result.Stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
        });
    }

    private void SeedHistory() => Api.Seed(
        Row("nightly", "success", Watermark.AddDays(-1)),
        Row("nightly", "success", Watermark),
        Row("nightly", "error", Watermark.AddHours(1)),
        Row("other", "success", Watermark.AddDays(1)));

    internal static FakeJobRow Row(string name, string status, DateTimeOffset start, string? message = null, int? records = null) => new()
    {
        Name = name,
        Status = status,
        StartDate = start,
        EndDate = status == "in_progress" ? null : start.AddMinutes(1),
        Message = message,
        RecordsProcessed = records,
        Source = "crm",
        Destination = "warehouse",
    };
}
