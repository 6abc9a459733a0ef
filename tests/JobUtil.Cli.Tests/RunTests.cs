using JobUtil.Testing;

namespace JobUtil.Cli.Tests;

/// <summary>jobutil run in-process: the command's environment, output and outcome as recorded.</summary>
public class RunTests : FakeApiFixture
{
    private static readonly DateTimeOffset Watermark = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    [Test]
    public async Task A_command_that_succeeds_is_recorded_as_success_with_the_count_it_wrote()
    {
        var result = await RunAsync("echo loaded; echo 42 > \"$JOBUTIL_RECORDS_FILE\"");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var run = Api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Stdout, Is.EqualTo("loaded\n"));
            Assert.That(run.Status, Is.EqualTo("success"));
            Assert.That(run.RecordsProcessed, Is.EqualTo(42));
            Assert.That(run.EndDate, Is.Not.Null);
            Assert.That((run.Name, run.Source, run.Destination), Is.EqualTo(("nightly", "crm", "warehouse")));
        });
    }

    [Test]
    public async Task A_command_that_writes_no_count_is_recorded_as_success_without_one()
    {
        var result = await RunAsync("true");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(Api.Rows.Single().Status, Is.EqualTo("success"));
        Assert.That(Api.Rows.Single().RecordsProcessed, Is.Null);
    }

    [Test]
    public async Task A_records_file_that_holds_no_number_is_reported_and_the_run_recorded_without_a_count()
    {
        var result = await RunAsync("echo lots > \"$JOBUTIL_RECORDS_FILE\"");

        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.Stderr, Does.Contain("JOBUTIL_RECORDS_FILE").And.Contain("lots"));
        Assert.That(Api.Rows.Single().Status, Is.EqualTo("success"));
        Assert.That(Api.Rows.Single().RecordsProcessed, Is.Null);
    }

    [TestCase("2147483648")]
    [TestCase("-1")]
    public async Task A_count_beyond_the_integer_column_records_the_run_as_error_saying_so_and_exits_1(string written)
    {
        var result = await RunAsync($"echo {written} > \"$JOBUTIL_RECORDS_FILE\"");

        var run = Api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.Stderr);
            Assert.That(result.Stderr, Does.Contain(written).And.Contain("2147483647").And.Contain("recorded as error"));
            Assert.That(run.Status, Is.EqualTo("error"));
            Assert.That(run.Message, Does.Contain(written).And.Contain("2147483647"));
            Assert.That(run.RecordsProcessed, Is.Null);
        });
    }

    [Test]
    public async Task A_number_too_long_to_be_a_count_is_reported_and_the_run_recorded_as_success_without_one()
    {
        var result = await RunAsync("echo 99999999999999999999 > \"$JOBUTIL_RECORDS_FILE\"");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
            Assert.That(result.Stderr, Does.Contain("JOBUTIL_RECORDS_FILE").And.Contain("99999999999999999999"));
            Assert.That(Api.Rows.Single().Status, Is.EqualTo("success"));
            Assert.That(Api.Rows.Single().RecordsProcessed, Is.Null);
        });
    }

    [Test]
    public async Task The_largest_count_the_integer_column_holds_is_recorded()
    {
        var result = await RunAsync("echo 2147483647 > \"$JOBUTIL_RECORDS_FILE\"");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(Api.Rows.Single().RecordsProcessed, Is.EqualTo(int.MaxValue));
    }

    [Test]
    public async Task A_failing_command_is_recorded_as_error_with_its_exit_code_and_last_stderr_line_and_its_code_is_passed_through()
    {
        var result = await RunAsync("echo partial; echo 'connecting' >&2; echo 'disk full' >&2; echo >&2; exit 3");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3));
            Assert.That(result.Stdout, Is.EqualTo("partial\n"));
            Assert.That(result.Stderr, Is.EqualTo("connecting\ndisk full\n\n"), "stderr passes through unchanged");
            Assert.That(Api.Rows.Single().Status, Is.EqualTo("error"));
            Assert.That(Api.Rows.Single().Message, Is.EqualTo("exit code 3: disk full"));
        });
    }

    [Test]
    public async Task A_failing_command_that_wrote_nothing_to_stderr_is_recorded_with_its_exit_code()
    {
        var result = await RunAsync("exit 7");

        Assert.That(result.ExitCode, Is.EqualTo(7));
        Assert.That(Api.Rows.Single().Message, Is.EqualTo("exit code 7"));
    }

    [Test]
    public async Task The_command_gets_the_run_id_and_the_watermark_in_both_forms()
    {
        Api.Seed(MostRecentTests.Row("nightly", "success", Watermark));

        var result = await RunAsync("echo \"$JOBUTIL_RUN_ID|$JOBUTIL_SINCE|$JOBUTIL_SINCE_ISO\"");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var run = Api.Rows.Single(r => r.Status == "success" && r.StartDate > Watermark);
        Assert.That(result.Stdout, Is.EqualTo($"{run.Id}|{Watermark.ToUnixTimeSeconds()}|2024-05-01T12:00:00.000000Z\n"));
    }

    [Test]
    public async Task Without_a_successful_run_the_watermark_is_empty()
    {
        var result = await RunAsync("echo \"[$JOBUTIL_SINCE|$JOBUTIL_SINCE_ISO]\"");

        Assert.That(result.Stdout, Is.EqualTo("[|]\n"));
    }

    [Test]
    public async Task Without_a_successful_run_the_default_since_is_the_watermark()
    {
        var result = await RunAsync(["--default-since", "0"], "echo \"$JOBUTIL_SINCE|$JOBUTIL_SINCE_ISO\"");

        Assert.That(result.Stdout, Is.EqualTo("0|1970-01-01T00:00:00.000000Z\n"));
    }

    [Test]
    [NonParallelizable]
    public async Task A_default_since_without_an_offset_is_UTC_whatever_the_local_zone()
    {
        var savedTz = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", "America/New_York");
        TimeZoneInfo.ClearCachedData();
        try
        {
            Assume.That(TimeZoneInfo.Local.GetUtcOffset(new DateTime(2024, 6, 1)), Is.Not.EqualTo(TimeSpan.Zero), "the local zone could not be changed on this platform");

            var result = await RunAsync(["--default-since", "2024-06-01 12:00:00"], "echo \"$JOBUTIL_SINCE_ISO\"");

            Assert.That(result.Stdout, Is.EqualTo("2024-06-01T12:00:00.000000Z\n"), result.Stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", savedTz);
            TimeZoneInfo.ClearCachedData();
        }
    }

    [Test]
    public async Task The_records_file_is_removed_after_the_run()
    {
        var result = await RunAsync("echo \"$JOBUTIL_RECORDS_FILE\"");

        var path = result.Stdout.Trim();
        Assert.That(path, Is.Not.Empty);
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public async Task When_the_start_fails_the_command_is_not_started_and_jobutil_exits_1()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"jobutil-test-{Guid.NewGuid():N}");
        Api.FailNext(1, 503, "POST");

        var result = await RunAsync($"touch '{marker}'");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.StartWith("jobutil: ").And.Contain("503"));
            Assert.That(File.Exists(marker), Is.False, "the command ran although no run was started");
            Assert.That(Api.Rows, Is.Empty);
        });
    }

    [Test]
    public async Task When_the_server_is_down_the_command_is_not_started_and_jobutil_exits_1()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"jobutil-test-{Guid.NewGuid():N}");
        string url;
        using (var stopped = FakeJobsApi.Start())
        {
            url = stopped.Url;
        }

        var result = await Cli.RunAsync(Cli.Environment(url), "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--", "touch", marker);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(File.Exists(marker), Is.False, "the command ran although the Jobs API could not be reached");
    }

    [Test]
    public async Task A_command_that_cannot_be_started_exits_127_and_is_recorded_as_error()
    {
        var result = await Cli.RunAsync(Cli.Environment(Api.Url), "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse", "--", "/nonexistent/etl-script");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(127));
            Assert.That(Api.Rows.Single().Status, Is.EqualTo("error"));
            Assert.That(Api.Rows.Single().Message, Does.Contain("/nonexistent/etl-script"));
        });
    }

    [Test]
    public async Task When_the_outcome_cannot_be_recorded_after_a_success_jobutil_exits_1()
    {
        Api.FailNext(1, 500, "PATCH");

        var result = await RunAsync("true");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("could not be recorded"));
    }

    private Task<CliResult> RunAsync(string script) => RunAsync([], script);

    private Task<CliResult> RunAsync(string[] options, string script)
        => Cli.RunAsync(
            Cli.Environment(Api.Url),
            [.. new[] { "run", "--name", "nightly", "--source", "crm", "--destination", "warehouse" }, .. options, "--", "sh", "-c", script]);
}
